namespace Monitoring.Grains.Alerting;

/// <summary>Alerting settings (<c>Monitoring:Alerting</c>).</summary>
public sealed class AlertingOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Monitoring:Alerting";

    /// <summary>Default flap-damping look-back (evaluations).</summary>
    public const int DefaultFlapEvaluations = 20;

    /// <summary>Default flap-damping threshold (state changes in the look-back; more is flapping).</summary>
    public const int DefaultFlapMaxChanges = 4;

    /// <summary>Default interval between checks of the rule and configuration files for changes.</summary>
    public static readonly TimeSpan DefaultReloadInterval = TimeSpan.FromSeconds(15);

    /// <summary>A rule file or a directory of them; null: the example rules shipped next to the silo.</summary>
    public string? RulesPath { get; set; }

    /// <summary>Alertmanager-schema notification configuration; null: a <c>console</c> receiver that logs notifications.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Alertmanager base URLs that also receive every firing and resolved alert (<c>POST /api/v2/alerts</c>).</summary>
    public List<string> Alertmanagers { get; set; } = [];

    /// <summary>Allow receivers on loopback and private addresses (link-local metadata addresses are always refused).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Flap damping look-back; 0 turns damping off.</summary>
    public int FlapEvaluations { get; set; } = DefaultFlapEvaluations;

    /// <summary>Flap damping threshold.</summary>
    public int FlapMaxChanges { get; set; } = DefaultFlapMaxChanges;

    /// <summary>How often the rule and configuration files are checked for changes.</summary>
    public TimeSpan ReloadInterval { get; set; } = DefaultReloadInterval;

    /// <summary>
    /// Most notification groups delivered at once (each group's flush runs on its own, so a receiver that hangs holds
    /// only its own groups); at least 1. Default <see cref="Monitoring.Alerting.Pipeline.FlushDispatcher.DefaultMaxInFlight"/>.
    /// </summary>
    public int MaxConcurrentNotifications { get; set; } = Monitoring.Alerting.Pipeline.FlushDispatcher.DefaultMaxInFlight;

    /// <summary>The reasons these settings are not valid (each naming its key), empty when they are.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxConcurrentNotifications < 1)
        {
            errors.Add($"{Section}:{nameof(MaxConcurrentNotifications)}: must be at least 1 (was {MaxConcurrentNotifications})");
        }
        return errors;
    }
}
