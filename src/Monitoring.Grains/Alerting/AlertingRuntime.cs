using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Monitoring.Alerting.Evaluation;
using Monitoring.Alerting.Rules;

namespace Monitoring.Grains.Alerting;

/// <summary>Health of one rule across the models it was evaluated for (this silo's view).</summary>
/// <param name="LastEvaluation">Last evaluation.</param>
/// <param name="LastError">Error of the last evaluation that had one (e.g. the group limit), or null.</param>
public sealed record RuleHealthEntry(DateTimeOffset LastEvaluation, string? LastError);

/// <summary>
/// The rules in force, shared by every model's alert grain: loaded at start and reloaded when the files change; a file
/// that does not load is reported (log and <c>GET /api/rules</c>) and the last good rules stay active.
/// </summary>
public sealed class AlertingRuntime
{
    private readonly ILogger<AlertingRuntime> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, RuleHealthEntry> _health = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private string _rulesStamp = string.Empty;

    /// <summary>Creates the runtime and loads the rules (an error at start leaves no rules and is reported).</summary>
    public AlertingRuntime(AlertingOptions options, string externalUrl, string defaultRulesPath, TimeProvider time, ILogger<AlertingRuntime> logger)
    {
        Options = options;
        ExternalUrl = externalUrl.TrimEnd('/');
        RulesPath = options.RulesPath ?? defaultRulesPath;
        _time = time;
        _logger = logger;
        Evaluator = new RuleEvaluator([], ExternalUrl, Flap);
        ReloadRules(force: true);
    }

    /// <summary>Options.</summary>
    public AlertingOptions Options { get; }

    /// <summary>Base URL of this system (links in notifications, <c>$externalURL</c>).</summary>
    public string ExternalUrl { get; }

    /// <summary>Where rules are read from.</summary>
    public string RulesPath { get; }

    /// <summary>The rules in force.</summary>
    public RuleSet Rules { get; private set; } = RuleSet.Empty;

    /// <summary>The evaluator over <see cref="Rules"/>.</summary>
    public RuleEvaluator Evaluator { get; private set; }

    /// <summary>When the rules in force were loaded.</summary>
    public DateTimeOffset? RulesLoadedAt { get; private set; }

    /// <summary>Errors of the last load attempt (empty when it loaded).</summary>
    public IReadOnlyList<RuleFileError> RuleErrors { get; private set; } = [];

    /// <summary>Flap damping settings.</summary>
    public FlapDamping Flap => Options.FlapEvaluations <= 0 ? FlapDamping.Off : new FlapDamping(Options.FlapEvaluations, Options.FlapMaxChanges);

    /// <summary>Per rule key: last evaluation and error.</summary>
    public IReadOnlyDictionary<string, RuleHealthEntry> Health => _health;

    /// <summary>Records evaluations (from the model alert grains).</summary>
    public void Record(IEnumerable<RuleHealth> health, DateTimeOffset now)
    {
        foreach (var h in health)
        {
            _health[h.RuleKey] = new RuleHealthEntry(now, h.Error);
        }
    }

    /// <summary>Reloads the rules when the files changed (or always with <paramref name="force"/>); true when new rules are in force.</summary>
    public bool ReloadRules(bool force = false)
    {
        lock (_gate)
        {
            var stamp = Stamp(RulesPath);
            if (!force && stamp == _rulesStamp)
            {
                return false;
            }
            _rulesStamp = stamp;
            try
            {
                var rules = RuleFileParser.LoadPath(RulesPath);
                Rules = rules;
                Evaluator = new RuleEvaluator(rules.Rules, ExternalUrl, Flap);
                RuleErrors = [];
                RulesLoadedAt = _time.GetUtcNow();
                GrainsLog.RulesLoaded(_logger, RulesPath, rules.Rules.Count(), rules.Slos.Count);
                return true;
            }
            catch (RuleFileException e)
            {
                RuleErrors = e.Errors;
                GrainsLog.RulesRejected(_logger, RulesPath, e.Errors.Count, e.Errors[0].ToString());
                return false;
            }
        }
    }

    /// <summary>A fingerprint of the files' names, sizes and write times.</summary>
    internal static string Stamp(string path)
    {
        IEnumerable<string> files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path).Where(f => f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)
            : File.Exists(path) ? [path] : [];
        return string.Join("|", files.Select(f =>
        {
            var info = new FileInfo(f);
            return $"{f}:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
        }));
    }
}
