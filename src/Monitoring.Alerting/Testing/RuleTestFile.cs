using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Rules;
using Monitoring.Alerting.Silences;

namespace Monitoring.Alerting.Testing;

/// <summary>Alert states a rule test can expect (<c>exp_state</c>).</summary>
public enum ExpectedState
{
    /// <summary>Condition holds, <c>for</c> not yet met.</summary>
    Pending,
    /// <summary>Firing (the default, and the only state promtool asserts).</summary>
    Firing,
    /// <summary>Resolved at the evaluation asserted.</summary>
    Resolved,
}

/// <summary>
/// A rule unit-test file in the shape of <c>promtool test rules</c> (docs/rule-tests.md): rule files, an optional
/// Alertmanager configuration, the window length and the test cases.
/// </summary>
/// <param name="Source">The test file.</param>
/// <param name="RuleFiles">Rule files, resolved against the test file's directory.</param>
/// <param name="AlertmanagerConfig">Alertmanager-schema configuration for notification tests, resolved likewise, or null.</param>
/// <param name="EvaluationInterval">Window length: evaluation k happens at k x this.</param>
/// <param name="Tests">Test cases in file order.</param>
public sealed record RuleTestFile(
    string Source, IReadOnlyList<string> RuleFiles, string? AlertmanagerConfig, TimeSpan EvaluationInterval, IReadOnlyList<RuleTestCase> Tests)
{
    /// <summary>
    /// <c>flap_damping</c>: the silo's damping by default (<see cref="Evaluation.FlapDamping"/>: 20 evaluations, more than
    /// 4 changes); <c>evaluations: 0</c> turns it off, as Prometheus has none.
    /// </summary>
    public Evaluation.FlapDamping FlapDamping { get; init; } = new();

    /// <summary>Default <c>evaluation_interval</c>, promtool's.</summary>
    public static readonly TimeSpan DefaultEvaluationInterval = TimeSpan.FromMinutes(1);

    /// <summary>Reads and validates a test file; throws <see cref="RuleFileException"/> with every error and its line.</summary>
    public static RuleTestFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new RuleFileException([new RuleFileError(path, 0, 0, string.Empty, "no such file")]);
        }
        if (new FileInfo(path).Length > RuleFileParser.MaxFileBytes)
        {
            throw new RuleFileException([new RuleFileError(path, 0, 0, string.Empty, $"file is over the limit of {RuleFileParser.MaxFileBytes} bytes")]);
        }
        var full = Path.GetFullPath(path);
        return Parse(File.ReadAllText(full), path, Path.GetDirectoryName(full)!);
    }

    /// <summary>Parses a test file's text; relative paths resolve against <paramref name="baseDirectory"/>.</summary>
    public static RuleTestFile Parse(string yaml, string source, string baseDirectory) => new RuleTestFileParser(source, baseDirectory).Parse(yaml);
}

/// <summary>One test case (<c>tests[]</c>).</summary>
/// <param name="Name">Name, printed with failures.</param>
/// <param name="Line">Line of the test in its file.</param>
/// <param name="ExternalUrl">Value of <c>$externalURL</c> in templates (default empty, as promtool).</param>
/// <param name="Inputs">Input series, one value per evaluation.</param>
/// <param name="Silences">Silences applied to notifications, times from the start of the test.</param>
/// <param name="AlertTests">Alert state assertions.</param>
/// <param name="NotificationTests">Delivered-notification assertions.</param>
public sealed record RuleTestCase(
    string Name, int Line, string ExternalUrl, IReadOnlyList<InputSeries> Inputs, IReadOnlyList<Silence> Silences,
    IReadOnlyList<AlertRuleTest> AlertTests, IReadOnlyList<NotificationTest> NotificationTests);

/// <summary>One input series (<c>input_windows[]</c>).</summary>
/// <param name="Metric">The metric, from <see cref="MetricCatalog"/>.</param>
/// <param name="Labels">Its labels (exactly the metric's).</param>
/// <param name="Values">Value at each evaluation; null = no sample.</param>
/// <param name="Line">Line in the file.</param>
public sealed record InputSeries(MetricInfo Metric, LabelSet Labels, IReadOnlyList<double?> Values, int Line);

/// <summary>One <c>alert_rule_test[]</c> entry.</summary>
/// <param name="EvalTime">Assert the state after the last evaluation at or before this time.</param>
/// <param name="AlertName">The alert asserted.</param>
/// <param name="Expected">Expected alerts; empty = none pending or firing.</param>
/// <param name="Line">Line in the file.</param>
public sealed record AlertRuleTest(TimeSpan EvalTime, string AlertName, IReadOnlyList<ExpectedAlert> Expected, int Line);

/// <summary>One expected alert.</summary>
/// <param name="Labels">All labels, <c>alertname</c> included.</param>
/// <param name="Annotations">Annotations to compare (others are not compared).</param>
/// <param name="State">Expected state.</param>
public sealed record ExpectedAlert(LabelSet Labels, LabelSet Annotations, ExpectedState State);

/// <summary>One <c>notification_test[]</c> entry.</summary>
/// <param name="EvalTime">Every notification delivered up to this time is compared, in order.</param>
/// <param name="Expected">The expected notifications.</param>
/// <param name="Line">Line in the file.</param>
public sealed record NotificationTest(TimeSpan EvalTime, IReadOnlyList<ExpectedNotification> Expected, int Line);

/// <summary>One expected notification.</summary>
/// <param name="Receiver">Receiver name.</param>
/// <param name="GroupLabels">The group's labels (exact).</param>
/// <param name="Reason">Dedup reason ("first notification", ...), or null to not compare.</param>
/// <param name="Time">Flush time from the start, or null to not compare.</param>
/// <param name="Alerts">Its alerts, in any order.</param>
public sealed record ExpectedNotification(string Receiver, LabelSet GroupLabels, string? Reason, TimeSpan? Time, IReadOnlyList<ExpectedNotificationAlert> Alerts);

/// <summary>One alert of an expected notification.</summary>
/// <param name="Labels">Labels the alert must have (others are not compared).</param>
/// <param name="Resolved">True for <c>status: resolved</c>.</param>
public sealed record ExpectedNotificationAlert(LabelSet Labels, bool Resolved);
