using Monitoring.Alerting.TimeIntervals;

namespace Monitoring.Alerting.Routing;

/// <summary>
/// An Alertmanager configuration file (the schema of Alertmanager 0.25 with the newer <c>url_file</c>, <c>timeout</c>
/// and inhibit-rule <c>name</c> fields): routing tree, receivers, inhibit rules and time intervals, validated as
/// Alertmanager validates them. Fields Alertmanager has but we do not use are accepted and listed in
/// <see cref="Warnings"/>; fields Alertmanager does not have are errors, as in its strict YAML.
/// </summary>
public sealed class AlertmanagerConfig
{
    internal AlertmanagerConfig(
        GlobalConfig global, Route route, IReadOnlyList<Receiver> receivers, IReadOnlyList<InhibitRule> inhibitRules,
        IReadOnlyDictionary<string, NamedTimeInterval> timeIntervals, IReadOnlyList<string> warnings)
    {
        Global = global;
        Route = route;
        Receivers = receivers;
        InhibitRules = inhibitRules;
        TimeIntervals = timeIntervals;
        Warnings = warnings;
    }

    /// <summary>The <c>global</c> section with defaults applied.</summary>
    public GlobalConfig Global { get; }

    /// <summary>The root of the routing tree.</summary>
    public Route Route { get; }

    /// <summary>Receivers in file order, names unique.</summary>
    public IReadOnlyList<Receiver> Receivers { get; }

    /// <summary>Inhibit rules in file order.</summary>
    public IReadOnlyList<InhibitRule> InhibitRules { get; }

    /// <summary>Named time intervals (from <c>time_intervals</c> and the older top-level <c>mute_time_intervals</c>).</summary>
    public IReadOnlyDictionary<string, NamedTimeInterval> TimeIntervals { get; }

    /// <summary>Accepted settings that have no effect here (templates, HTTP client settings, unsupported integrations).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The receiver named <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public Receiver GetReceiver(string name) =>
        Receivers.FirstOrDefault(r => r.Name == name) ?? throw new KeyNotFoundException($"no receiver named \"{name}\"");

    /// <summary>
    /// Parses and validates a configuration. <c>*_file</c> paths are read relative to <paramref name="baseDirectory"/>
    /// (the current directory when null) unless absolute. Throws <see cref="AlertmanagerConfigException"/> naming the
    /// field path, the line and the reason.
    /// </summary>
    public static AlertmanagerConfig Load(string yaml, string? baseDirectory) =>
        new AlertmanagerConfigParser(baseDirectory ?? Directory.GetCurrentDirectory()).Parse(yaml);

    /// <summary>Reads and parses a configuration file; its directory is the base of relative <c>*_file</c> paths.</summary>
    public static AlertmanagerConfig LoadFile(string path)
    {
        var full = Path.GetFullPath(path);
        return Load(File.ReadAllText(full), Path.GetDirectoryName(full));
    }
}

/// <summary>The <c>global</c> settings we use.</summary>
/// <param name="ResolveTimeout">How long an alert without an end time stays firing after its last update (default 5m).</param>
/// <param name="SlackApiUrl">Default webhook URL for slack_configs without one (slack_api_url or slack_api_url_file).</param>
/// <param name="PagerDutyUrl">Default Events API URL for pagerduty_configs without one.</param>
public sealed record GlobalConfig(TimeSpan ResolveTimeout, Secret? SlackApiUrl, Uri PagerDutyUrl)
{
    /// <summary>Alertmanager's default resolve_timeout.</summary>
    public static readonly TimeSpan DefaultResolveTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Alertmanager's default pagerduty_url (Events API v2).</summary>
    public static readonly Uri DefaultPagerDutyUrl = new("https://events.pagerduty.com/v2/enqueue");
}

/// <summary>A configuration error: where it is and why.</summary>
public sealed class AlertmanagerConfigException : Exception
{
    /// <summary>Creates the error; the message is <c>{path} (line {line}): {reason}</c>.</summary>
    public AlertmanagerConfigException(string path, int line, int column, string reason)
        : base(line > 0 ? $"{path} (line {line}): {reason}" : $"{path}: {reason}")
    {
        FieldPath = path;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The field path, e.g. <c>route.routes[1].group_wait</c>.</summary>
    public string FieldPath { get; }

    /// <summary>1-based line, or 0 when the error concerns the whole file.</summary>
    public int Line { get; }

    /// <summary>1-based column, or 0.</summary>
    public int Column { get; }

    /// <summary>Why the value was refused (never contains a secret).</summary>
    public string Reason { get; }
}
