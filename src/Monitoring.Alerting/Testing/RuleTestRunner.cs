using System.Globalization;
using System.Text;
using Monitoring.Alerting.Evaluation;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Pipeline;
using Monitoring.Alerting.Routing;
using Monitoring.Alerting.Rules;
using Monitoring.Alerting.Silences;
using Monitoring.Alerting.Time;

namespace Monitoring.Alerting.Testing;

/// <summary>A test file with its rules and Alertmanager configuration loaded.</summary>
/// <param name="File">The test file.</param>
/// <param name="Rules">Every alerting rule of its rule files.</param>
/// <param name="Config">The Alertmanager configuration, or null.</param>
public sealed record RuleTestSuite(RuleTestFile File, IReadOnlyList<AlertRule> Rules, AlertmanagerConfig? Config);

/// <summary>What one evaluation of a test case left.</summary>
/// <param name="Time">Evaluation time from the start of the test.</param>
/// <param name="Active">Alerts pending or firing after it (every model).</param>
/// <param name="Resolved">Alerts it resolved.</param>
public sealed record EvaluationSnapshot(TimeSpan Time, IReadOnlyList<AlertRecord> Active, IReadOnlyList<AlertRecord> Resolved);

/// <summary>Everything a test case produced.</summary>
/// <param name="Evaluations">One snapshot per evaluation, index k at k x <c>evaluation_interval</c>.</param>
/// <param name="Delivered">Notifications delivered, in order (empty without notification tests).</param>
public sealed record RuleTestTrace(IReadOnlyList<EvaluationSnapshot> Evaluations, IReadOnlyList<Notification> Delivered);

/// <summary>The outcome of one test case.</summary>
/// <param name="Name">Test name.</param>
/// <param name="Line">Line of the test.</param>
/// <param name="Failures">One readable message per failed assertion (expected vs got); empty when it passed.</param>
public sealed record RuleTestCaseResult(string Name, int Line, IReadOnlyList<string> Failures)
{
    /// <summary>True when every assertion held.</summary>
    public bool Passed => Failures.Count == 0;
}

/// <summary>The outcome of a test file.</summary>
/// <param name="Source">The test file.</param>
/// <param name="Tests">Per test case, in file order.</param>
public sealed record RuleTestReport(string Source, IReadOnlyList<RuleTestCaseResult> Tests)
{
    /// <summary>True when every test passed.</summary>
    public bool Passed => Tests.All(t => t.Passed);
}

/// <summary>
/// Runs rule unit tests: evaluation k happens at <see cref="Start"/> + k x <c>evaluation_interval</c> over the samples
/// of index k, with <see cref="RuleEvaluator"/> (window and performance metrics both evaluated each time, each rule once);
/// evaluations continue past the inputs (no samples) up to the latest <c>eval_time</c>. Alerts that fire or resolve go
/// through <see cref="AggregationGroups"/> and <see cref="NotificationPipeline"/> (inhibition, time intervals,
/// silences, dedup) with a recording notifier per receiver, time passed in: flushes due before an evaluation run
/// before it, flushes due at its time run after it.
/// </summary>
public static class RuleTestRunner
{
    /// <summary>Time 0 of every test: the Unix epoch, as promtool.</summary>
    public static readonly DateTimeOffset Start = DateTimeOffset.UnixEpoch;

    /// <summary>Most evaluations one test may need.</summary>
    public const int MaxEvaluations = 100_000;

    /// <summary>Loads a test file, its rule files and its Alertmanager configuration; throws <see cref="RuleFileException"/> with every error.</summary>
    public static RuleTestSuite Load(string path)
    {
        var file = RuleTestFile.Load(path);
        var errors = new List<RuleFileError>();
        var rules = new List<AlertRule>();
        foreach (var ruleFile in file.RuleFiles)
        {
            try
            {
                rules.AddRange(RuleFileParser.LoadPath(ruleFile).Rules);
            }
            catch (RuleFileException e)
            {
                errors.AddRange(e.Errors);
            }
        }
        AlertmanagerConfig? config = null;
        if (file.AlertmanagerConfig is { } configPath)
        {
            try
            {
                config = Routing.AlertmanagerConfig.LoadFile(configPath);
            }
            catch (AlertmanagerConfigException e)
            {
                errors.Add(new RuleFileError(configPath, e.Line, e.Column, e.FieldPath, e.Reason));
            }
        }
        if (errors.Count == 0)
        {
            var names = rules.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var test in file.Tests)
            {
                foreach (var a in test.AlertTests.Where(a => !names.Contains(a.AlertName)))
                {
                    errors.Add(new RuleFileError(file.Source, a.Line, 1, "alertname", $"no rule in the rule files is named \"{a.AlertName}\""));
                }
                foreach (var n in test.NotificationTests)
                {
                    foreach (var e in n.Expected.Where(e => config!.Receivers.All(r => r.Name != e.Receiver)))
                    {
                        errors.Add(new RuleFileError(file.Source, n.Line, 1, "receiver", $"no receiver named \"{e.Receiver}\" in {file.AlertmanagerConfig}"));
                    }
                }
            }
        }
        if (errors.Count > 0)
        {
            throw new RuleFileException(errors);
        }
        return new RuleTestSuite(file, rules, config);
    }

    /// <summary>Runs every test case of a suite.</summary>
    public static async Task<RuleTestReport> RunAsync(RuleTestSuite suite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var results = new List<RuleTestCaseResult>();
        foreach (var test in suite.File.Tests)
        {
            results.Add(await RunCaseAsync(suite, test, cancellationToken));
        }
        return new RuleTestReport(suite.File.Source, results);
    }

    /// <summary>
    /// Runs one test case's evaluations and notification pipeline and returns what they produced, without asserting
    /// anything (the runner compares it with the expectations; tools can print it or compare it with another engine).
    /// </summary>
    /// <exception cref="ArgumentException">The test needs more than <see cref="MaxEvaluations"/> evaluations.</exception>
    public static async Task<RuleTestTrace> TraceAsync(RuleTestSuite suite, RuleTestCase test, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(test);
        var interval = suite.File.EvaluationInterval;
        var last = LastEvaluation(suite, test) ?? throw new ArgumentException($"test \"{test.Name}\" needs more than {MaxEvaluations} evaluations", nameof(test));
        var flap = suite.File.FlapDamping;
        var all = new RuleEvaluator(suite.Rules, test.ExternalUrl, flap);
        // Rules reading only performance metrics are evaluated by a second evaluator, so a rule reading both kinds is
        // evaluated once per window, not twice.
        // Likewise rules reading only rollout metrics (version comparisons, also once per window).
        var performanceOnly = suite.Rules.Where(r => !r.Sources.Contains(MetricSource.Window) && r.Sources.Contains(MetricSource.Performance)).ToList();
        var performanceKeys = performanceOnly.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var performance = new RuleEvaluator(performanceOnly, test.ExternalUrl, flap);
        var rolloutOnly = suite.Rules.Where(r => !r.Sources.Contains(MetricSource.Window) && !r.Sources.Contains(MetricSource.Performance)).ToList();
        var rolloutKeys = rolloutOnly.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var rollout = new RuleEvaluator(rolloutOnly, test.ExternalUrl, flap);

        var models = test.Inputs.Select(s => (Tenant: s.Labels["tenant"], Model: s.Labels["model"])).Distinct().ToList();
        var records = models.ToDictionary(m => m, _ => new List<AlertRecord>());
        var simulation = suite.Config is { } config && test.NotificationTests.Count > 0 ? new Simulation(config, test.Silences, test.ExternalUrl) : null;
        var evaluations = new List<EvaluationSnapshot>();

        for (var k = 0; k <= last; k++)
        {
            var now = Start + k * interval;
            if (simulation is not null)
            {
                await simulation.RunUntilAsync(now, inclusive: false, cancellationToken);
            }
            var active = new List<AlertRecord>();
            var resolvedNow = new List<AlertRecord>();
            foreach (var (tenant, model) in models)
            {
                var latest = SamplesAt(test, tenant, model, k, now, interval);
                var previous = records[(tenant, model)];
                var windowResult = all.Evaluate(tenant, model, latest, MetricSource.Window, now, previous);
                var performanceResult = performance.Evaluate(tenant, model, latest, MetricSource.Performance, now,
                    [.. previous.Where(r => performanceKeys.Contains(r.RuleKey))]);
                var rolloutResult = rollout.Evaluate(tenant, model, latest, MetricSource.Rollout, now,
                    [.. previous.Where(r => rolloutKeys.Contains(r.RuleKey))]);
                var after = windowResult.Alerts.Where(a => !performanceKeys.Contains(a.RuleKey) && !rolloutKeys.Contains(a.RuleKey))
                    .Concat(performanceResult.Alerts).Concat(rolloutResult.Alerts).ToList();
                records[(tenant, model)] = after;
                var resolved = windowResult.Transitions.Concat(performanceResult.Transitions).Concat(rolloutResult.Transitions)
                    .Where(t => t.Change == AlertChange.Resolved).Select(t => t.Alert).ToList();
                active.AddRange(after.Where(a => a.IsActive));
                resolvedNow.AddRange(resolved);
                if (simulation is not null)
                {
                    foreach (var alert in after.Where(a => a.State == AlertState.Firing))
                    {
                        simulation.Put(ToNotificationAlert(alert, resolved: false), now);
                    }
                    foreach (var alert in resolved)
                    {
                        simulation.Put(ToNotificationAlert(alert, resolved: true), now);
                    }
                }
            }
            if (simulation is not null)
            {
                await simulation.RunUntilAsync(now, inclusive: true, cancellationToken);
            }
            evaluations.Add(new EvaluationSnapshot(now - Start, active, resolvedNow));
        }
        if (simulation is not null)
        {
            await simulation.RunUntilAsync(Start + LastAssertion(test), inclusive: true, cancellationToken);
        }
        return new RuleTestTrace(evaluations, simulation?.Delivered ?? []);
    }

    private static TimeSpan LastAssertion(RuleTestCase test) =>
        test.AlertTests.Select(a => a.EvalTime).Concat(test.NotificationTests.Select(n => n.EvalTime)).DefaultIfEmpty(TimeSpan.Zero).Max();

    // Index of the last evaluation: the end of the inputs or the latest eval_time; null when over the limit.
    private static int? LastEvaluation(RuleTestSuite suite, RuleTestCase test)
    {
        var lastInput = test.Inputs.Count == 0 ? 0 : test.Inputs.Max(s => s.Values.Count) - 1;
        var lastAssert = LastAssertion(test).Ticks / suite.File.EvaluationInterval.Ticks;
        return lastAssert >= MaxEvaluations ? null : (int)Math.Max(lastInput, lastAssert);
    }

    private static async Task<RuleTestCaseResult> RunCaseAsync(RuleTestSuite suite, RuleTestCase test, CancellationToken cancellationToken)
    {
        var interval = suite.File.EvaluationInterval;
        if (LastEvaluation(suite, test) is null)
        {
            return new RuleTestCaseResult(test.Name, test.Line,
                [$"test \"{test.Name}\" (line {test.Line}): eval_time {PromDuration.Format(LastAssertion(test))} needs more than {MaxEvaluations} evaluations of {PromDuration.Format(interval)}"]);
        }
        var trace = await TraceAsync(suite, test, cancellationToken);
        var failures = new List<string>();
        foreach (var a in test.AlertTests.OrderBy(a => a.EvalTime))
        {
            if (CompareAlerts(test, a, trace.Evaluations[(int)(a.EvalTime.Ticks / interval.Ticks)]) is { } failure)
            {
                failures.Add(failure);
            }
        }
        foreach (var n in test.NotificationTests.OrderBy(n => n.EvalTime))
        {
            if (CompareNotifications(test, n, [.. trace.Delivered.Where(d => d.Time <= Start + n.EvalTime)]) is { } failure)
            {
                failures.Add(failure);
            }
        }
        return new RuleTestCaseResult(test.Name, test.Line, failures);
    }

    private static Dictionary<MetricSource, SampleSet> SamplesAt(RuleTestCase test, string tenant, string model, int k, DateTimeOffset now, TimeSpan interval)
    {
        // Window k is the one that closes at evaluation k: [now - interval, now).
        var start = now - interval;
        var windowStart = start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var windowEnd = now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var samples = test.Inputs
            .Where(s => s.Labels["tenant"] == tenant && s.Labels["model"] == model && k < s.Values.Count && s.Values[k] is { } v && !double.IsNaN(v))
            .Select(s => (s.Metric.Source, Sample: new Sample(s.Metric.Name, s.Labels, s.Values[k]!.Value)))
            .ToList();
        var result = new Dictionary<MetricSource, SampleSet>();
        foreach (var source in Enum.GetValues<MetricSource>())
        {
            result[source] = new SampleSet(tenant, model, source, windowStart, windowEnd, (start - DateTimeOffset.UnixEpoch).Ticks * 100,
                [.. samples.Where(s => s.Source == source).Select(s => s.Sample)], []);
        }
        return result;
    }

    private static NotificationAlert ToNotificationAlert(AlertRecord record, bool resolved) => new()
    {
        Labels = record.Labels,
        Annotations = record.Annotations,
        StartsAt = record.FiredAt ?? record.ActiveAt,
        EndsAt = resolved ? record.ResolvedAt : null,
        GeneratorUrl = record.Evidence?.ReportUrl ?? string.Empty,
        Evidence = record.Evidence,
        Flapping = record.Flapping,
    };

    private static string? CompareAlerts(RuleTestCase test, AlertRuleTest assertion, EvaluationSnapshot snapshot)
    {
        var active = snapshot.Active.Where(r => r.Labels["alertname"] == assertion.AlertName)
            .Select(r => new ExpectedAlert(r.Labels, r.Annotations, r.State == AlertState.Firing ? ExpectedState.Firing : ExpectedState.Pending)).ToList();
        var resolved = snapshot.Resolved.Where(r => r.Labels["alertname"] == assertion.AlertName)
            .Select(r => new ExpectedAlert(r.Labels, r.Annotations, ExpectedState.Resolved)).ToList();
        var expectedActive = assertion.Expected.Where(e => e.State != ExpectedState.Resolved).ToList();
        var expectedResolved = assertion.Expected.Where(e => e.State == ExpectedState.Resolved).ToList();

        var ok = expectedActive.Count == active.Count
            && expectedActive.All(e => active.Any(g => Matches(e, g)))
            && expectedResolved.All(e => resolved.Any(g => Matches(e, g)));
        if (ok)
        {
            return null;
        }
        var annotationNames = assertion.Expected.SelectMany(e => e.Annotations.Names).ToHashSet(StringComparer.Ordinal);
        var got = expectedResolved.Count > 0 ? active.Concat(resolved) : active;
        var sb = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"test \"{test.Name}\" (line {test.Line}), eval_time {PromDuration.Format(assertion.EvalTime)}, alertname {assertion.AlertName} (line {assertion.Line}):").AppendLine()
            .AppendLine("  expected:");
        AppendAlerts(sb, assertion.Expected, null, expectedResolved.Count > 0 ? "(nothing)" : "(no pending or firing alerts)");
        sb.AppendLine("  got:");
        AppendAlerts(sb, got, annotationNames, expectedResolved.Count > 0 ? "(nothing)" : "(no pending or firing alerts)");
        return sb.ToString().TrimEnd();
    }

    private static bool Matches(ExpectedAlert expected, ExpectedAlert got) =>
        expected.State == got.State && expected.Labels.Equals(got.Labels) &&
        expected.Annotations.All(a => got.Annotations.TryGetValue(a.Key, out var v) && v == a.Value);

    private static void AppendAlerts(StringBuilder sb, IEnumerable<ExpectedAlert> alerts, HashSet<string>? annotationNames, string none)
    {
        var lines = alerts.Select(a =>
        {
            var annotations = annotationNames is null ? a.Annotations : LabelSet.From(a.Annotations.Where(p => annotationNames.Contains(p.Key)));
            return $"{State(a.State),-8} {a.Labels}" + (annotations.Count > 0 ? $" annotations {annotations}" : string.Empty);
        }).Order(StringComparer.Ordinal).ToList();
        if (lines.Count == 0)
        {
            sb.Append("    ").AppendLine(none);
        }
        foreach (var line in lines)
        {
            sb.Append("    ").AppendLine(line);
        }
    }

    private static string State(ExpectedState state) => state switch
    {
        ExpectedState.Pending => "pending",
        ExpectedState.Firing => "firing",
        _ => "resolved",
    };

    private static string? CompareNotifications(RuleTestCase test, NotificationTest assertion, List<Notification> delivered)
    {
        string? difference = null;
        for (var i = 0; i < Math.Max(assertion.Expected.Count, delivered.Count) && difference is null; i++)
        {
            if (i >= assertion.Expected.Count)
            {
                difference = $"#{i + 1} was not expected";
            }
            else if (i >= delivered.Count)
            {
                difference = $"#{i + 1} was not delivered";
            }
            else if (Difference(assertion.Expected[i], delivered[i]) is { } what)
            {
                difference = $"#{i + 1} differs in {what}";
            }
        }
        if (difference is null)
        {
            return null;
        }
        var shown = assertion.Expected.SelectMany(e => e.Alerts).SelectMany(a => a.Labels.Names).Append("alertname").ToHashSet(StringComparer.Ordinal);
        var sb = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"test \"{test.Name}\" (line {test.Line}), eval_time {PromDuration.Format(assertion.EvalTime)}, notifications (line {assertion.Line}): {difference}").AppendLine()
            .AppendLine("  expected:");
        if (assertion.Expected.Count == 0)
        {
            sb.AppendLine("    (no notifications)");
        }
        for (var i = 0; i < assertion.Expected.Count; i++)
        {
            var e = assertion.Expected[i];
            var alerts = e.Alerts.Select(a => $"{(a.Resolved ? "resolved" : "firing")} {a.Labels}").Order(StringComparer.Ordinal);
            sb.Append(CultureInfo.InvariantCulture, $"    #{i + 1}{(e.Time is { } t ? " at " + PromDuration.Format(t) : string.Empty)} {e.Receiver} {e.GroupLabels}")
                .Append(e.Reason is null ? string.Empty : $" \"{e.Reason}\"").Append(": ").AppendJoin("; ", alerts).AppendLine();
        }
        sb.AppendLine("  got:");
        if (delivered.Count == 0)
        {
            sb.AppendLine("    (no notifications)");
        }
        for (var i = 0; i < delivered.Count; i++)
        {
            var n = delivered[i];
            var alerts = n.Alerts.Select(a => $"{(a.IsResolved(n.Time) ? "resolved" : "firing")} {LabelSet.From(a.Labels.Where(p => shown.Contains(p.Key)))}").Order(StringComparer.Ordinal);
            sb.Append(CultureInfo.InvariantCulture, $"    #{i + 1} at {PromDuration.Format(n.Time - Start)} {n.Receiver} {n.GroupLabels} \"{n.Reason}\": ").AppendJoin("; ", alerts).AppendLine();
        }
        return sb.ToString().TrimEnd();
    }

    private static string? Difference(ExpectedNotification expected, Notification got)
    {
        if (expected.Receiver != got.Receiver)
        {
            return "receiver";
        }
        if (!expected.GroupLabels.Equals(got.GroupLabels))
        {
            return "group_labels";
        }
        if (expected.Reason is { } reason && reason != got.Reason)
        {
            return "reason";
        }
        if (expected.Time is { } time && Start + time != got.Time)
        {
            return "time";
        }
        if (expected.Alerts.Count != got.Alerts.Count)
        {
            return "the number of alerts";
        }
        // Each expected alert takes a distinct delivered one; the most specific expectations choose first.
        var left = got.Alerts.ToList();
        foreach (var e in expected.Alerts.OrderByDescending(a => a.Labels.Count))
        {
            var match = left.FindIndex(a => a.IsResolved(got.Time) == e.Resolved && e.Labels.All(p => a.Labels.TryGetValue(p.Key, out var v) && v == p.Value));
            if (match < 0)
            {
                return "alerts";
            }
            left.RemoveAt(match);
        }
        return null;
    }

    /// <summary>A recording notifier: what a receiver would have been sent, in delivery order.</summary>
    private sealed class Recorder(bool sendResolved, List<Notification> sink) : INotifier
    {
        public string Kind => "test";

        public bool SendResolved => sendResolved;

        public Task<DeliveryResult> SendAsync(Notification notification, CancellationToken cancellationToken)
        {
            sink.Add(notification); // the pipeline already left resolved alerts out when send_resolved is false
            return Task.FromResult(DeliveryResult.Delivered);
        }
    }

    private sealed class Simulation
    {
        private readonly AggregationGroups _groups;
        private readonly NotificationPipeline _pipeline;

        public Simulation(AlertmanagerConfig config, IReadOnlyList<Silence> silences, string externalUrl)
        {
            var set = new SilenceSet(silences);
            _groups = new AggregationGroups(config.Route);
            var integrations = config.Receivers.ToDictionary(r => r.Name,
                r => (IReadOnlyList<INotifier>)[new Recorder(SendsResolved(r), Delivered)], StringComparer.Ordinal);
            _pipeline = new NotificationPipeline(config, integrations, new InMemoryNotificationLog(), () => set, (n, x, ct) => n.SendAsync(x, ct), externalUrl);
        }

        public List<Notification> Delivered { get; } = [];

        public void Put(NotificationAlert alert, DateTimeOffset now) => _groups.Put(alert, now);

        public async Task RunUntilAsync(DateTimeOffset until, bool inclusive, CancellationToken cancellationToken)
        {
            while (_groups.NextFlush is { } next && (next < until || (inclusive && next == until)))
            {
                foreach (var (flush, token) in _groups.Due(next))
                {
                    var outcome = await _pipeline.FlushAsync(flush, _groups.Alerts, cancellationToken);
                    _groups.Complete(flush, token, outcome.Delivered, next);
                }
            }
        }

        // One recorder per receiver: it sends resolved alerts when the receiver has no integration or any of its
        // integrations does (Slack's default is false, PagerDuty's and webhooks' true).
        private static bool SendsResolved(Receiver r) =>
            (r.Slack.Count + r.PagerDuty.Count + r.Webhooks.Count == 0) ||
            r.Slack.Any(s => s.SendResolved) || r.PagerDuty.Any(p => p.SendResolved) || r.Webhooks.Any(w => w.SendResolved);
    }
}
