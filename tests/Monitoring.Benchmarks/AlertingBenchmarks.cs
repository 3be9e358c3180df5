using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation;
using Monitoring.Aggregation.References;
using Monitoring.Aggregation.Reports;
using Monitoring.Aggregation.Windows;
using Monitoring.Alerting.Evaluation;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Pipeline;
using Monitoring.Alerting.Routing;
using Monitoring.Alerting.Rules;
using Monitoring.Alerting.Silences;

namespace Monitoring.Benchmarks;

/// <summary>Shared inputs: a drifted window report of one model, and rule files over 1,000 models.</summary>
internal static class AlertingBenchData
{
    public const int Models = 1_000;
    public const string Tenant = "t";

    public static string ModelName(int i) => $"m-{i:D4}";

    /// <summary>
    /// The window report a model grain builds at close: 512 predictions of 18 numeric + 2 categorical features and a
    /// score folded into a window and judged against an uploaded reference, with 6 numeric features shifted so they
    /// drift (the load test's "drifted traffic").
    /// </summary>
    public static WindowReport DriftedWindowReport(string model)
    {
        var rng = new Random(BenchData.Seed + 50);
        var start = UnixNanos.FromUnixSeconds(1_800_000_000);
        var columns = Enumerable.Range(0, 18).Select(f => new ReferenceColumn($"f{f:D2}", BenchData.Normal(5000, 30, 25, BenchData.Seed + f), null))
            .Append(new ReferenceColumn("ml.prediction.score", BenchData.ScoresAndLabels(5000, BenchData.Seed).Scores, null))
            .ToArray();
        var reference = ReferenceProfile.FromUpload(new ReferenceUpload("bench.csv", 5000, columns), 1, start);
        var settings = new ModelSettings { Window = TimeSpan.FromHours(1) };
        var state = new ModelState { Settings = settings, Reference = reference };
        var folder = new WindowFolder();
        folder.UseReference(reference.Version, reference.NumericKernels(), []);
        for (var i = 0; i < 512; i++)
        {
            var features = Enumerable.Range(0, 18)
                .Select(f => new FeatureValue($"f{f:D2}", Math.Round(30 + (25 * Gaussian(rng)) + (f < 6 ? 20 : 0), 3), null))
                .Concat([new FeatureValue("browser", null, $"b{rng.Next(6)}"), new FeatureValue("region", null, $"r{rng.Next(12)}")])
                .ToArray();
            var time = start + (i * UnixNanos.PerMillisecond);
            folder.Fold(state, new ModelEvent
            {
                Kind = EventKind.Prediction,
                PredictionId = $"p{i}",
                EventTimeUnixNano = time,
                ReceivedUnixNano = time,
                Score = rng.NextDouble(),
                Features = features,
            });
        }
        return WindowReportBuilder.Build(model, ReportKinds.Window, state.Open.Values.Single(), reference, settings);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>
    /// <paramref name="count"/> rules over <see cref="Models"/> models, a mix of what a team writes when every model has
    /// its own rules: 50% one model's feature drift with a feature regex, 20% one model's data quality with <c>or</c>,
    /// 15% a model family by regex (100 models) with <c>and</c> on volume, 14% one model's prediction drift (one term or
    /// two with <c>or</c>), 1% fleet-wide rules (every model). Rule i's own model is <c>i % 1000</c>.
    /// </summary>
    public static string RuleFile(int count)
    {
        var sb = new StringBuilder("groups:\n");
        const int perGroup = 100;
        for (var i = 0; i < count; i++)
        {
            if (i % perGroup == 0)
            {
                sb.Append("  - name: g").Append((i / perGroup).ToString(CultureInfo.InvariantCulture)).Append("\n    rules:\n");
            }
            var model = ModelName(i % Models);
            var family = (i % Models / 100).ToString(CultureInfo.InvariantCulture);
            var expr = (i % 20) switch
            {
                < 10 => $"feature_psi{{model=\"{model}\", feature=~\"f0[0-9]|f1[0-7]\"}} > 0.2",
                < 14 => $"feature_null_rate{{model=\"{model}\"}} > 0.05 or feature_out_of_range_rate{{model=\"{model}\", feature!~\"browser|region\"}} > 0.1",
                < 17 => $"feature_jensen_shannon{{tenant=\"t\", model=~\"m-0{family}[0-9]{{2}}\"}} > 0.1 and window_volume{{model=~\"m-0{family}.*\"}} > 100",
                < 19 => $"prediction_psi{{model=\"{model}\"}} > 0.1",
                _ when i % 100 == 19 => "drifted_features > 3 or prediction_drifted == 1",
                _ => $"drifted_features{{model=\"{model}\"}} > 3 or prediction_drifted{{model=\"{model}\"}} == 1",
            };
            sb.Append("      - alert: Rule").Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append("        expr: '").Append(expr).Append("'\n")
                .Append("        labels: {severity: ").Append(i % 3 == 0 ? "page" : "warning").Append("}\n")
                .Append("        annotations:\n")
                .Append("          summary: '{{ $labels.model }} {{ $labels.feature }}: {{ $value | humanize }}'\n")
                .Append("          runbook_url: '{{ $externalURL }}/runbooks/feature-drift'\n");
        }
        return sb.ToString();
    }
}

/// <summary>
/// Rule evaluation when one model's window closes: the model's window report (20 features, built through
/// <see cref="ReportMetrics.FromWindow"/>) against 10 to 10,000 rules over 1,000 models. Same-run baseline:
/// <see cref="ReportMetrics.FromWindow"/> alone (turning the report into samples), so the Ratio column reads "evaluation
/// costs N x the sample extraction". One operation = one evaluation of one model; the per-model rule index
/// (<see cref="RuleEvaluator.RulesFor"/>) is warm, as it is from a model's second window on.
/// </summary>
public class AlertingEvaluationBenchmarks
{
    private WindowReport _report = null!;
    private Dictionary<MetricSource, SampleSet> _latest = [];
    private RuleEvaluator _evaluator = null!;
    private IReadOnlyList<AlertRecord> _previous = [];
    private readonly DateTimeOffset _now = new(2027, 1, 15, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Rules loaded (over 1,000 models).</summary>
    [Params(10, 100, 1_000, 10_000)]
    public int Rules { get; set; }

    /// <summary>Rules that apply to the evaluated model (printed once, for the docs).</summary>
    public int RulesForModel => _evaluator.RulesFor(AlertingBenchData.Tenant, AlertingBenchData.ModelName(1)).Count;

    [GlobalSetup]
    public void Setup()
    {
        _report = AlertingBenchData.DriftedWindowReport($"{AlertingBenchData.Tenant}/{AlertingBenchData.ModelName(1)}");
        _latest = new() { [MetricSource.Window] = ReportMetrics.FromWindow(_report) };
        _evaluator = new RuleEvaluator(RuleFileParser.Parse(AlertingBenchData.RuleFile(Rules)).Rules, "http://monitoring.example:8080");
        // The model's alerts from its previous window, as the grain keeps them: steady state, no new transitions.
        _previous = _evaluator.Evaluate(AlertingBenchData.Tenant, AlertingBenchData.ModelName(1), _latest, MetricSource.Window, _now.AddHours(-1), []).Alerts;
        var result = Evaluate();
        Console.WriteLine($"// rules {Rules}: {RulesForModel} apply to the model, {_latest[MetricSource.Window].Samples.Count} samples, " +
            $"{result.Alerts.Count(a => a.State == AlertState.Firing)} firing alerts, {result.Transitions.Count} transitions");
    }

    /// <summary>Same-run baseline: the closed window's report into samples (what any rule engine must read).</summary>
    [Benchmark(Baseline = true)]
    public SampleSet FromWindow() => ReportMetrics.FromWindow(_report);

    /// <summary>Evaluates the model's rules over its samples (index warm, previous alerts carried).</summary>
    [Benchmark]
    public EvaluationResult Evaluate() =>
        _evaluator.Evaluate(AlertingBenchData.Tenant, AlertingBenchData.ModelName(1), _latest, MetricSource.Window, _now, _previous);
}

/// <summary>
/// The notification pipeline behind the evaluations: 1,000 models' alerts (one firing alert each) put into
/// <see cref="AggregationGroups"/> (group_by [alertname, model], group_wait 0), every group taken by
/// <see cref="AggregationGroups.Due"/> and flushed through <see cref="NotificationPipeline.FlushAsync"/> (inhibit,
/// silence, dedup against the notification log) into a no-op notifier, then completed. One operation = one alert.
/// Same-run baseline: building each alert's label set and fingerprint, the least any alert router does per alert.
/// </summary>
public class AlertingPipelineBenchmarks
{
    private const int Alerts = AlertingBenchData.Models;

    private const string ConfigWithoutInhibition = """
        route:
          receiver: noop
          group_by: [alertname, model]
          group_wait: 0s
          group_interval: 5m
          repeat_interval: 4h
        receivers:
          - name: noop
        """;

    // One inhibit rule, as most setups have: a page silences the same model's warnings. Inhibition reads every alert the
    // dispatcher holds at each flush.
    private const string ConfigWithInhibition = ConfigWithoutInhibition + """

        inhibit_rules:
          - source_matchers: [severity="page"]
            target_matchers: [severity="warning"]
            equal: [tenant, model]
        """;

    private NotificationAlert[] _alerts = [];
    private AlertmanagerConfig _config = null!;
    private Dictionary<string, IReadOnlyList<INotifier>> _integrations = [];
    private readonly DateTimeOffset _now = new(2027, 1, 15, 8, 0, 0, TimeSpan.Zero);

    /// <summary>With the inhibit rule (every flush scans all held alerts) or without.</summary>
    [Params(false, true)]
    public bool Inhibition { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _config = AlertmanagerConfig.Load(Inhibition ? ConfigWithInhibition : ConfigWithoutInhibition, null);
        _integrations = new() { ["noop"] = [new NoopNotifier()] };
        _alerts = [.. Enumerable.Range(0, Alerts).Select(i => new NotificationAlert
        {
            Labels = AlertLabels(i),
            Annotations = LabelSet.Of("summary", $"f03 drifted on {AlertingBenchData.ModelName(i)} (PSI 0.31)", "runbook_url", "http://monitoring.example:8080/runbooks/feature-drift"),
            StartsAt = _now,
        })];
        Console.WriteLine($"// inhibition {Inhibition}: {Flush()} notifications for {Alerts} alerts");
    }

    private static LabelSet AlertLabels(int i) => LabelSet.Of(
        "alertname", "FeatureDrift", "tenant", AlertingBenchData.Tenant, "model", AlertingBenchData.ModelName(i), "feature", "f03", "severity", i % 3 == 0 ? "page" : "warning");

    /// <summary>Same-run baseline: each alert's label set built and fingerprinted.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Alerts)]
    public ulong LabelsAndFingerprint()
    {
        var x = 0UL;
        for (var i = 0; i < Alerts; i++)
        {
            x ^= AlertLabels(i).Fingerprint;
        }
        return x;
    }

    /// <summary>AggregationGroups.Put of every alert into fresh groups.</summary>
    [Benchmark(OperationsPerInvoke = Alerts)]
    public int Put()
    {
        var groups = new AggregationGroups(_config.Route);
        foreach (var a in _alerts)
        {
            groups.Put(a, _now);
        }
        return groups.Count;
    }

    /// <summary>Put, Due, FlushAsync into the no-op notifier and Complete, for every alert (fresh groups and log).</summary>
    [Benchmark(OperationsPerInvoke = Alerts)]
    public int PutDueFlush() => Flush(Alerts);

    /// <summary>The same for the first 100 alerts only: per-alert cost that grows with the alerts held is quadratic work.</summary>
    [Benchmark(OperationsPerInvoke = 100)]
    public int PutDueFlushOf100() => Flush(100);

    private int Flush(int count = Alerts)
    {
        var groups = new AggregationGroups(_config.Route);
        var pipeline = new NotificationPipeline(_config, _integrations, new InMemoryNotificationLog(), () => SilenceSet.Empty,
            (n, x, ct) => n.SendAsync(x, ct), "http://monitoring.example:8080");
        for (var i = 0; i < count; i++)
        {
            groups.Put(_alerts[i], _now);
        }
        var delivered = 0;
        foreach (var (flush, token) in groups.Due(_now))
        {
            // A no-op notifier completes synchronously, so this is the pipeline's own cost.
            var outcome = pipeline.FlushAsync(flush, groups.Alerts, CancellationToken.None).GetAwaiter().GetResult();
            delivered += outcome.Deliveries.Count(d => d.Result is { Success: true });
            groups.Complete(flush, token, outcome.Delivered, _now);
        }
        return delivered;
    }

    private sealed class NoopNotifier : INotifier
    {
        public string Kind => "noop";

        public bool SendResolved => true;

        public Task<DeliveryResult> SendAsync(Notification notification, CancellationToken cancellationToken) => Task.FromResult(DeliveryResult.Delivered);
    }
}
