using System.CommandLine;
using System.Runtime.InteropServices;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Cli;
using Monitoring.Cli.Alerts;
using Monitoring.Cli.Demo;
using Monitoring.Cli.Health;
using Monitoring.Datasets;
using Monitoring.Cli.Drift;
using Monitoring.Cli.Keys;
using Monitoring.Cli.Output;
using Monitoring.Cli.Reference;
using Monitoring.Cli.Report;
using Monitoring.Cli.Rollouts;
using Monitoring.Cli.Rules;
using Monitoring.Cli.Slices;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Slices;

var referenceFile = new Option<string>("--reference") { Description = "Reference CSV (header row; empty cell = null).", Required = true };
var current = new Option<string>("--current") { Description = "Current CSV to compare with the reference.", Required = true };
var categorical = new Option<string?>("--categorical") { Description = "Comma-separated columns to treat as categorical even when numeric." };
var scoreColumn = new Option<string?>("--score-column") { Description = "Binary classifier score column (probability in [0,1]) in the current file." };
var labelColumn = new Option<string?>("--label-column") { Description = "0/1 ground-truth label column in the current file." };
var format = new Option<string>("--format") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };
format.AcceptOnlyFromAmong("table", "json");

var drift = new Command("drift", "Compare a reference and a current CSV column by column (exact statistics, no sampling).")
{
    referenceFile, current, categorical, scoreColumn, labelColumn, format,
};
drift.SetAction(parse =>
{
    var options = new DriftOptions(
        parse.GetValue(referenceFile)!,
        parse.GetValue(current)!,
        (parse.GetValue(categorical) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
        parse.GetValue(scoreColumn),
        parse.GetValue(labelColumn),
        parse.GetValue(format) == "json" ? OutputFormat.Json : OutputFormat.Table);
    return DriftCommand.Run(options, Console.Out, Console.Error);
});

var server = new Option<string>("--server") { Description = "API address of the silo.", DefaultValueFactory = _ => ReferenceCommand.DefaultServer };
var tenant = new Option<string>("--tenant") { Description = "Tenant of the model.", DefaultValueFactory = _ => "default" };
var model = new Option<string>("--model") { Description = "Model id (ml.model.id).", Required = true };
var file = new Option<string>("--file") { Description = "Reference file: CSV with a header row, or Parquet.", Required = true };
var refScore = new Option<string?>("--score-column") { Description = "Column holding the model's score (compared with ml.prediction.score)." };
var refCategorical = new Option<string?>("--categorical") { Description = "Comma-separated columns to treat as categorical." };
var set = new Command("set", "Upload a reference file for a model; it fixes the bin edges of the following windows.")
{
    server, tenant, model, file, refScore, refCategorical,
};
set.SetAction((parse, ct) => ReferenceCommand.SetAsync(
    parse.GetValue(server)!, parse.GetValue(tenant)!, parse.GetValue(model)!, parse.GetValue(file)!,
    parse.GetValue(refScore), parse.GetValue(refCategorical), Console.Out, Console.Error, ct));
var reference = new Command("reference", "Manage a model's reference distribution on a running silo.") { set };

var slicesFile = new Option<string>("--file") { Description = "CSV with a header row: scores, labels and segment columns.", Required = true };
var slicesScore = new Option<string>("--score-column") { Description = "Binary classifier score column (probability of class 1, in [0,1]).", Required = true };
var slicesLabel = new Option<string>("--label-column") { Description = "0/1 ground-truth label column.", Required = true };
var segments = new Option<string>("--segments") { Description = "Comma-separated segment columns to slice by, e.g. country,device,plan.", Required = true };
var threshold = new Option<double>("--threshold") { Description = "Decision threshold: predicted positive when score >= threshold.", DefaultValueFactory = _ => 0.5 };
var minSupport = new Option<int>("--min-support") { Description = "Fewest rows a slice needs to be ranked among the worst.", DefaultValueFactory = _ => SliceOptions.DefaultMinimumSupport };
var top = new Option<int>("--top") { Description = "How many worst slices to list.", DefaultValueFactory = _ => SliceOptions.DefaultMaxResults };
var maxValues = new Option<int>("--max-values") { Description = "Values kept per segment by volume; the rest are merged into (other).", DefaultValueFactory = _ => SliceOptions.DefaultValuesPerDimension };
var pairDimensions = new Option<int>("--pair-dimensions") { Description = "Pairs of values are searched among this many segments with the most rows.", DefaultValueFactory = _ => SliceOptions.DefaultPairDimensions };
var metric = new Option<string>("--metric") { Description = "Metric slices are compared and ranked on.", DefaultValueFactory = _ => "accuracy" };
metric.AcceptOnlyFromAmong(Enum.GetValues<SliceMetric>().Select(m => m.Name()).ToArray());
var slicesFormat = new Option<string>("--format") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };
slicesFormat.AcceptOnlyFromAmong("table", "json");
var slicesReference = new Option<string>("--reference") { Description = "Reference CSV with the same score and segment columns: adds each slice's prediction drift against the same slice there." };
var slices = new Command("slices", "Model performance per segment value and the worst slices (exact, from a CSV of scores and labels).")
{
    slicesFile, slicesScore, slicesLabel, segments, threshold, minSupport, top, maxValues, pairDimensions, metric, slicesFormat, slicesReference,
};
slices.SetAction(parse =>
{
    SliceMetricExtensions.TryParse(parse.GetValue(metric)!, out var chosen);
    var options = new SlicesOptions(
        parse.GetValue(slicesFile)!,
        parse.GetValue(slicesScore)!,
        parse.GetValue(slicesLabel)!,
        parse.GetValue(segments)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        parse.GetValue(threshold),
        new SliceOptions
        {
            Metric = chosen,
            MinimumSupport = parse.GetValue(minSupport),
            MaxResults = parse.GetValue(top),
            ValuesPerDimension = parse.GetValue(maxValues),
            PairDimensions = parse.GetValue(pairDimensions),
        },
        parse.GetValue(slicesFormat) == "json" ? OutputFormat.Json : OutputFormat.Table,
        parse.GetValue(slicesReference));
    return SlicesCommand.Run(options, Console.Out, Console.Error);
});

var lintPath = new Argument<string>("path") { Description = "A rule file, or a directory of *.yml / *.yaml rule files." };
var lint = new Command("lint", "Check rule files: every error with its file, line, column, field and reason.") { lintPath };
lint.SetAction(parse => RulesCommand.Lint(parse.GetValue(lintPath)!, Console.Out, Console.Error));
var metrics = new Command("metrics", "List the metrics alert rules can select, with their labels.");
metrics.SetAction(_ => RulesCommand.Metrics(Console.Out));
var testFiles = new Argument<string[]>("files") { Description = "Rule test files (docs/rule-tests.md).", Arity = ArgumentArity.OneOrMore };
var ruleTest = new Command("test", "Unit-test rules as `promtool test rules` does, plus alert states and delivered notifications; exit 0 all pass, 1 failures, 2 file errors.") { testFiles };
ruleTest.SetAction((parse, ct) => RulesCommand.TestAsync(parse.GetValue(testFiles)!, Console.Out, Console.Error, ct));
var rules = new Command("rules", "Alert rule files: lint them, list the metrics they can use, unit-test them.") { lint, metrics, ruleTest };

var alertsFormat = new Option<string>("--format") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };
alertsFormat.AcceptOnlyFromAmong("table", "json");
var alerts = new Command("alerts", "Pending and firing alerts of every model.") { server, alertsFormat };
alerts.SetAction((p, ct) => AlertsCommand.AlertsAsync(p.GetValue(server)!, p.GetValue(alertsFormat) == "json", Console.Out, Console.Error, ct));
var incidentState = new Option<string?>("--state") { Description = "Only incidents in this state." };
incidentState.AcceptOnlyFromAmong("triggered", "acknowledged", "resolved");
var incidents = new Command("incidents", "Incidents, newest first.") { server, incidentState, alertsFormat };
incidents.SetAction((p, ct) => AlertsCommand.IncidentsAsync(p.GetValue(server)!, p.GetValue(incidentState), p.GetValue(alertsFormat) == "json", Console.Out, Console.Error, ct));
var incidentId = new Argument<string>("id") { Description = "Incident id (from `monitoring incidents`)." };
var actor = new Option<string>("--by") { Description = "Who does it (recorded in the incident's timeline).", DefaultValueFactory = _ => Environment.UserName };
var ack = new Command("ack", "Acknowledge an incident: no more repeats; PagerDuty receives acknowledge.") { server, incidentId, actor };
ack.SetAction((p, ct) => AlertsCommand.ActAsync(p.GetValue(server)!, p.GetValue(incidentId)!, "ack", p.GetValue(actor)!, Console.Out, Console.Error, ct));
var resolve = new Command("resolve", "Resolve an incident by hand.") { server, incidentId, actor };
resolve.SetAction((p, ct) => AlertsCommand.ActAsync(p.GetValue(server)!, p.GetValue(incidentId)!, "resolve", p.GetValue(actor)!, Console.Out, Console.Error, ct));
var matcherOption = new Option<string[]>("--matcher") { Description = "Label matcher, repeatable: model=\"credit-risk\", severity=~\"page|ticket\".", Required = true, AllowMultipleArgumentsPerToken = true };
var duration = new Option<string>("--duration") { Description = "How long, Prometheus style (2h, 1d, 4w).", DefaultValueFactory = _ => "2h" };
var startsAt = new Option<DateTimeOffset?>("--start") { Description = "Start (ISO 8601; default now)." };
var comment = new Option<string>("--comment") { Description = "Why (required).", Required = true };
var times = new Option<string[]>("--times") { Description = "Recurring: mute only in these HH:MM-HH:MM ranges (repeatable).", AllowMultipleArgumentsPerToken = true };
var weekdays = new Option<string[]>("--weekdays") { Description = "Recurring: only on these weekdays or ranges, e.g. saturday sunday, or monday:friday.", AllowMultipleArgumentsPerToken = true };
var location = new Option<string?>("--location") { Description = "Time zone of --times and --weekdays (IANA, default UTC)." };
var silenceTenant = new Option<string?>("--tenant") { Description = "Mute only this tenant's alerts (open mode and --all-tenants keys; a tenant key's silence is always its own tenant's)." };
var silenceAdd = new Command("add", "Silence alerts matching every matcher, once or on a recurring schedule (a maintenance window).")
{
    server, matcherOption, duration, startsAt, actor, comment, times, weekdays, location, silenceTenant,
};
silenceAdd.SetAction((p, ct) =>
{
    if (!Monitoring.Alerting.Time.PromDuration.TryParse(p.GetValue(duration), out var d, out var reason))
    {
        Console.Error.WriteLine($"error: --duration: {reason}");
        return Task.FromResult(CliException.ExitCode);
    }
    return AlertsCommand.SilenceAddAsync(p.GetValue(server)!, p.GetValue(matcherOption)!, d, p.GetValue(startsAt), p.GetValue(actor)!, p.GetValue(comment)!,
        p.GetValue(times) ?? [], p.GetValue(weekdays) ?? [], p.GetValue(location), p.GetValue(silenceTenant), Console.Out, Console.Error, ct);
});
var silenceList = new Command("list", "List silences and maintenance windows.") { server, alertsFormat };
silenceList.SetAction((p, ct) => AlertsCommand.SilenceListAsync(p.GetValue(server)!, p.GetValue(alertsFormat) == "json", Console.Out, Console.Error, ct));
var silenceId = new Argument<string>("id") { Description = "Silence id." };
var silenceExpire = new Command("expire", "Expire a silence now.") { server, silenceId };
silenceExpire.SetAction((p, ct) => AlertsCommand.SilenceExpireAsync(p.GetValue(server)!, p.GetValue(silenceId)!, Console.Out, Console.Error, ct));
var silence = new Command("silence", "Silences and recurring maintenance windows.") { silenceAdd, silenceList, silenceExpire };

var reportModel = new Option<string>("--model") { Description = "Model id (ml.model.id).", Required = true };
var reportWindow = new Option<string?>("--window") { Description = "Start of the window to report (ISO 8601); default the newest closed window." };
var reportFrom = new Option<string?>("--from") { Description = "Range start (ISO 8601): the newest window in the range is detailed, the range drawn as trends." };
var reportTo = new Option<string?>("--to") { Description = "Range end (ISO 8601)." };
var reportOut = new Option<string>("--out") { Description = "HTML file to write (one self-contained file: inline CSS, PNG charts as data URIs, no script).", Required = true };
var reportReference = new Option<string?>("--reference") { Description = "Offline: reference CSV or Parquet (with --current; no silo is read)." };
var reportCurrent = new Option<string?>("--current") { Description = "Offline: current CSV or Parquet, analysed against --reference as `monitoring drift` does." };
var reportSegments = new Option<string?>("--segments") { Description = "Offline: comma-separated segment columns for the slice report (with --score-column and --label-column), as `monitoring slices` computes it." };
var report = new Command("report", "Write a model's drift, data quality and performance report as one self-contained HTML file, from a running silo or offline from files.")
{
    server, tenant, reportModel, reportWindow, reportFrom, reportTo, reportOut, reportReference, reportCurrent, categorical, scoreColumn, labelColumn, reportSegments,
};
report.SetAction((p, ct) => ReportCommand.RunAsync(
    new ReportOptions(p.GetValue(server)!, p.GetValue(tenant)!, p.GetValue(reportModel)!, p.GetValue(reportWindow), p.GetValue(reportFrom), p.GetValue(reportTo), p.GetValue(reportOut)!,
        p.GetValue(reportReference), p.GetValue(reportCurrent),
        (p.GetValue(categorical) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
        p.GetValue(scoreColumn), p.GetValue(labelColumn),
        (p.GetValue(reportSegments) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
    TimeProvider.System, Console.Out, Console.Error, ct));

var rolloutBaseline = new Option<string?>("--baseline-file") { Description = "Offline: baseline version's predictions, CSV with a header row, or Parquet (or --model for a running silo)." };
var rolloutCandidate = new Option<string?>("--candidate-file") { Description = "Offline: candidate version's predictions, same columns." };
var rolloutModel = new Option<string?>("--model") { Description = "Online: model id on a running silo (with --baseline and --candidate versions; the silo's guardrails, Monitoring:Rollouts)." };
var rolloutServer = new Option<string>("--server") { Description = "Online: API address of the silo.", DefaultValueFactory = _ => ReferenceCommand.DefaultServer };
var rolloutTenant = new Option<string>("--tenant") { Description = "Online: tenant of the model.", DefaultValueFactory = _ => "default" };
var rolloutFrom = new Option<string?>("--from") { Description = "Online: windows starting at or after (ISO 8601, Unix seconds or ns); default the candidate's first window." };
var rolloutTo = new Option<string?>("--to") { Description = "Online: windows starting before; default now." };
var rolloutScore = new Option<string>("--score-column") { Description = "Binary classifier score column (probability of class 1, in [0,1]).", DefaultValueFactory = _ => "score" };
var rolloutLabel = new Option<string>("--label-column") { Description = "0/1 label column; an empty cell is a prediction not labelled yet.", DefaultValueFactory = _ => "label" };
var rolloutSegments = new Option<string?>("--segments") { Description = "Comma-separated segment columns compared slice by slice (BH across slices)." };
var rolloutFeatures = new Option<string?>("--features") { Description = "Comma-separated feature columns whose population is compared." };
var rolloutLatency = new Option<string?>("--latency-column") { Description = "Serving latency column (ms) for the p99 guardrail." };
var rolloutId = new Option<string?>("--id-column") { Description = "Request id column: requests in both files are shadow pairs; labelled ones are tested paired." };
var rolloutThreshold = new Option<double>("--threshold") { Description = "Decision threshold: predicted positive when score >= threshold.", DefaultValueFactory = _ => 0.5 };
var rolloutBaselineName = new Option<string>("--baseline") { Description = "Baseline version name in the report.", DefaultValueFactory = _ => "baseline" };
var rolloutCandidateName = new Option<string>("--candidate") { Description = "Candidate version name in the report.", DefaultValueFactory = _ => "candidate" };
var confidence = new Option<double>("--confidence") { Description = "Confidence of every interval and test.", DefaultValueFactory = _ => RolloutGuardrails.DefaultConfidence };
var maxAucDrop = new Option<double>("--max-auc-drop") { Description = "Largest tolerated AUC drop.", DefaultValueFactory = _ => RolloutGuardrails.DefaultMaxAucDrop };
var maxAccuracyDrop = new Option<double>("--max-accuracy-drop") { Description = "Largest tolerated accuracy drop.", DefaultValueFactory = _ => RolloutGuardrails.DefaultMaxAccuracyDrop };
var maxSliceDrop = new Option<double>("--max-slice-drop") { Description = "Largest tolerated drop of any slice (significant after BH).", DefaultValueFactory = _ => RolloutGuardrails.DefaultMaxSliceDrop };
var sliceMetric = new Option<string>("--slice-metric") { Description = "Metric slices are compared on.", DefaultValueFactory = _ => RolloutGuardrails.DefaultSliceMetric };
sliceMetric.AcceptOnlyFromAmong(RolloutGuardrails.SliceMetrics.ToArray());
var minSliceLabeled = new Option<long>("--min-slice-labeled") { Description = "Labelled rows per version a slice needs to be judged.", DefaultValueFactory = _ => RolloutGuardrails.DefaultMinSliceLabeled };
var maxP99 = new Option<double>("--max-p99-latency-increase") { Description = "Largest tolerated p99 latency increase (0.2 = 20%).", DefaultValueFactory = _ => RolloutGuardrails.DefaultMaxP99LatencyIncrease };
var minLatency = new Option<long>("--min-latency-samples") { Description = "Latencies per version before latency is judged.", DefaultValueFactory = _ => RolloutGuardrails.DefaultMinLatencySamples };
var minLabeled = new Option<long>("--min-labeled") { Description = "Labelled predictions per version before a promotion.", DefaultValueFactory = _ => RolloutGuardrails.DefaultMinLabeledPerVersion };
var maxPsi = new Option<double>("--max-prediction-psi") { Description = "Largest score PSI between the versions before a hold for review.", DefaultValueFactory = _ => RolloutGuardrails.DefaultMaxPredictionPsi };
var minAgreement = new Option<double?>("--min-shadow-agreement") { Description = "Least shadow agreement at the threshold (needs --id-column); off by default." };
var rolloutFormat = new Option<string>("--format") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };
rolloutFormat.AcceptOnlyFromAmong("table", "json");
var verdictExitCode = new Option<bool>("--verdict-exit-code") { Description = "Exit 0 on promote, 3 on hold, 4 on rollback (default: 0 for any verdict)." };
var rolloutCompare = new Command("compare", "Compare a candidate model version with its baseline and decide promote, hold or rollback (offline: two prediction files; online: --model on a running silo).")
{
    rolloutBaseline, rolloutCandidate, rolloutScore, rolloutLabel, rolloutSegments, rolloutFeatures, rolloutLatency, rolloutId, rolloutThreshold,
    rolloutBaselineName, rolloutCandidateName, confidence, maxAucDrop, maxAccuracyDrop, maxSliceDrop, sliceMetric, minSliceLabeled, maxP99, minLatency,
    minLabeled, maxPsi, minAgreement, rolloutFormat, verdictExitCode, rolloutModel, rolloutServer, rolloutTenant, rolloutFrom, rolloutTo,
};
rolloutCompare.SetAction((p, ct) =>
{
    if (p.GetValue(rolloutModel) is { } onlineModel)
    {
        if (p.GetResult(rolloutBaselineName) is null || p.GetResult(rolloutCandidateName) is null)
        {
            Console.Error.WriteLine("error: --baseline and --candidate: give the two versions to compare with --model, e.g. --baseline v3 --candidate v4");
            return Task.FromResult(CliException.ExitCode);
        }

        return RolloutServerCommand.RunAsync(new RolloutServerOptions(
            p.GetValue(rolloutServer)!, p.GetValue(rolloutTenant)!, onlineModel, p.GetValue(rolloutBaselineName)!, p.GetValue(rolloutCandidateName)!,
            p.GetValue(rolloutFrom), p.GetValue(rolloutTo), p.GetValue(rolloutFormat) == "json" ? OutputFormat.Json : OutputFormat.Table, p.GetValue(verdictExitCode)),
            Console.Out, Console.Error, ct);
    }

    if (p.GetValue(rolloutBaseline) is null || p.GetValue(rolloutCandidate) is null)
    {
        Console.Error.WriteLine($"error: {(p.GetValue(rolloutBaseline) is null ? "--baseline-file" : "--candidate-file")}: required offline (or --model M --baseline v3 --candidate v4 for a running silo)");
        return Task.FromResult(CliException.ExitCode);
    }

    static string[] List(string? text) => (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var guardrails = new RolloutGuardrails
    {
        Confidence = p.GetValue(confidence),
        MaxAucDrop = p.GetValue(maxAucDrop),
        MaxAccuracyDrop = p.GetValue(maxAccuracyDrop),
        MaxSliceDrop = p.GetValue(maxSliceDrop),
        SliceMetric = p.GetValue(sliceMetric)!,
        MinSliceLabeled = p.GetValue(minSliceLabeled),
        MaxP99LatencyIncrease = p.GetValue(maxP99),
        MinLatencySamples = p.GetValue(minLatency),
        MinLabeledPerVersion = p.GetValue(minLabeled),
        MaxPredictionPsi = p.GetValue(maxPsi),
        MinShadowAgreement = p.GetValue(minAgreement),
    };
    var options = new RolloutCompareOptions(
        p.GetValue(rolloutBaseline)!, p.GetValue(rolloutCandidate)!, p.GetValue(rolloutScore)!, p.GetValue(rolloutLabel)!,
        List(p.GetValue(rolloutSegments)), List(p.GetValue(rolloutFeatures)), p.GetValue(rolloutLatency), p.GetValue(rolloutId),
        p.GetValue(rolloutThreshold), p.GetValue(rolloutBaselineName)!, p.GetValue(rolloutCandidateName)!, guardrails,
        p.GetValue(rolloutFormat) == "json" ? OutputFormat.Json : OutputFormat.Table, p.GetValue(verdictExitCode));
    return RolloutCommand.RunAsync(options, Console.Out, Console.Error, ct);
});
var rollout = new Command("rollout", "Safe rollouts: compare model versions (canary, shadow, A/B) with a verdict.") { rolloutCompare };

var keysDataDir = new Option<string>("--data-dir") { Description = "The silo's data directory (Monitoring:Host:DataDirectory); the keys are in its monitoring.db.", DefaultValueFactory = _ => "data" };
var keysPostgres = new Option<string?>("--postgres") { Description = $"The silo's PostgreSQL connection string (or set {KeyStoreLocation.PostgresVariable}, which keeps the password off the command line)." };
KeyStoreLocation Location(System.CommandLine.ParseResult p) =>
    new(p.GetValue(keysDataDir)!, p.GetValue(keysPostgres) ?? Environment.GetEnvironmentVariable(KeyStoreLocation.PostgresVariable));
var keyTenant = new Option<string?>("--tenant") { Description = "The one tenant the key acts for (or --all-tenants)." };
var keyAllTenants = new Option<bool>("--all-tenants") { Description = "An operator key bound to every tenant: sees every tenant's models, incidents, silences and /metrics series. Never the default." };
var keyScopes = new Option<string>("--scopes") { Description = "Comma-separated: ingest (send OTLP), read (API GETs and pages), admin (API writes and page forms).", Required = true };
var keyName = new Option<string?>("--name") { Description = "Who or what holds the key (shown by list)." };
var keyExpires = new Option<string?>("--expires") { Description = "When it stops working: a duration from now (30d, 12h, 4w) or an ISO 8601 time; default never." };
var keysCreate = new Command("create", "Create an API key; prints the key once on stdout (only its SHA-256 is stored).") { keysDataDir, keysPostgres, keyTenant, keyAllTenants, keyScopes, keyName, keyExpires };
keysCreate.SetAction((p, ct) => KeysCommand.CreateAsync(Location(p), p.GetValue(keyTenant), p.GetValue(keyAllTenants), p.GetValue(keyScopes)!, p.GetValue(keyName), p.GetValue(keyExpires), TimeProvider.System, Console.Out, Console.Error, ct));
var keysFormat = new Option<string>("--format") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };
keysFormat.AcceptOnlyFromAmong("table", "json");
var keysList = new Command("list", "List API keys: id, tenant, scopes, name, created, expires, state (never a secret).") { keysDataDir, keysPostgres, keysFormat };
keysList.SetAction((p, ct) => KeysCommand.ListAsync(Location(p), p.GetValue(keysFormat) == "json", TimeProvider.System, Console.Out, Console.Error, ct));
var keyId = new Argument<string>("id") { Description = "Key id (the ID column of `monitoring keys list`)." };
var keysRevoke = new Command("revoke", "Revoke an API key; a running silo refuses it within its key cache time (default 5 s).") { keysDataDir, keysPostgres, keyId };
keysRevoke.SetAction((p, ct) => KeysCommand.RevokeAsync(Location(p), p.GetValue(keyId)!, Console.Out, Console.Error, ct));
var keys = new Command("keys", "API keys for Monitoring:Auth:Mode=api-keys, managed in the silo's store (its data directory or PostgreSQL database).") { keysCreate, keysList, keysRevoke };

var demoServer = new Option<string>("--server") { Description = "API address of a silo.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
var demoOtlp = new Option<string>("--otlp-endpoint") { Description = "OTLP endpoint (gRPC http://host:4317 or HTTP http://host:4318).", DefaultValueFactory = _ => "http://127.0.0.1:4317" };
var demoProtocol = new Option<string>("--protocol") { Description = "OTLP transport: grpc or http.", DefaultValueFactory = _ => "grpc" };
demoProtocol.AcceptOnlyFromAmong("grpc", "http");
var demoKey = new Option<string?>("--api-key") { Description = "API key (scopes ingest and admin) for a silo with api-keys auth; default $MONITORING_API_KEY." };
var demoRate = new Option<double>("--rate") { Description = "Predictions per second per model.", DefaultValueFactory = _ => 20 };
var demoDrift = new Option<double>("--drift-after-minutes") { Description = "Minutes until credit-risk drifts.", DefaultValueFactory = _ => 3 };
var demoWait = new Option<double>("--wait-seconds") { Description = "How long to wait for the silo to be ready at start.", DefaultValueFactory = _ => 120 };
var demoTenant = new Option<string>("--tenant") { Description = "Tenant of the demo models: with --api-key, the key's tenant.", DefaultValueFactory = _ => "default" };
var demoDuration = new Option<double?>("--duration-seconds") { Description = "Stop after this many seconds (default: run until stopped); then print what was sent per model." };
var demo = new Command("demo", "Send the demo's traffic (three models, a drift, a canary) to a running silo or cluster until stopped; prints what it sent per model when it stops.")
{
    demoServer, demoOtlp, demoProtocol, demoKey, demoRate, demoDrift, demoWait, demoTenant, demoDuration,
};
demo.SetAction(async (p, ct) =>
{
    if (!Uri.TryCreate(p.GetValue(demoServer), UriKind.Absolute, out var serverUri) || !Uri.TryCreate(p.GetValue(demoOtlp), UriKind.Absolute, out var otlpUri))
    {
        await Console.Error.WriteLineAsync("error: --server and --otlp-endpoint must be absolute URLs.");
        return CliException.ExitCode;
    }

    if (p.GetValue(demoRate) is not (> 0 and <= 10_000) || p.GetValue(demoDrift) < 0.5)
    {
        await Console.Error.WriteLineAsync("error: --rate must be in (0, 10000] and --drift-after-minutes at least 0.5.");
        return CliException.ExitCode;
    }

    if (p.GetValue(demoDuration) is { } seconds && seconds is not (> 0 and <= 366 * 86_400))
    {
        await Console.Error.WriteLineAsync("error: --duration-seconds must be positive (at most a year).");
        return CliException.ExitCode;
    }

    if (p.GetValue(demoTenant) is not { Length: > 0 } tenant || tenant.Contains('/', StringComparison.Ordinal))
    {
        await Console.Error.WriteLineAsync("error: --tenant must be non-empty and must not contain '/'.");
        return CliException.ExitCode;
    }

    var options = new DemoCommand.Options(serverUri, otlpUri, p.GetValue(demoProtocol) == "http" ? Monitoring.Client.OtlpProtocol.HttpProtobuf : Monitoring.Client.OtlpProtocol.Grpc,
        p.GetValue(demoKey) ?? Environment.GetEnvironmentVariable("MONITORING_API_KEY"), p.GetValue(demoRate), TimeSpan.FromMinutes(p.GetValue(demoDrift)), TimeSpan.FromSeconds(p.GetValue(demoWait)),
        p.GetValue(demoTenant)!, p.GetValue(demoDuration) is { } duration ? TimeSpan.FromSeconds(duration) : null);
    // docker stop and compose stop send SIGTERM, which would end the process at once (exit 143) with the exporter's queue
    // unsent and no counts printed; SIGTERM and Ctrl+C both stop the traffic, flush and print what was sent (exit 0).
    using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    return await DemoCommand.RunAsync(options, Console.Out, Console.Error, stop.Token);

    void Stop(PosixSignalContext signal)
    {
        signal.Cancel = true;
        stop.Cancel();
    }
});

// The default follows the silo's own API port setting when it is in the environment (the container image's HEALTHCHECK
// runs in the silo's container, with its environment): a silo moved off 8080 stays healthy.
var healthServer = new Option<string>("--server")
{
    Description = "API address of the silo; default http://127.0.0.1:{$Monitoring__Host__ApiPort, else 8080}.",
    DefaultValueFactory = _ => HealthCommand.DefaultServer(Environment.GetEnvironmentVariable(HealthCommand.ApiPortVariable)),
};
var healthReady = new Option<bool>("--ready") { Description = "Ask for readiness (store and cluster reachable) instead of liveness." };
var health = new Command("health", "Ask a silo whether it is alive (or ready with --ready): exit 0 yes, 1 no, 2 unreachable.") { healthServer, healthReady };
health.SetAction((p, ct) => HealthCommand.CheckAsync(p.GetValue(healthServer)!, p.GetValue(healthReady), TimeSpan.FromSeconds(5), Console.Out, Console.Error, ct));

var root = new RootCommand("monitoring: ML drift and model-quality monitoring.") { drift, slices, rollout, report, reference, rules, alerts, incidents, ack, resolve, silence, keys, demo, health };
return root.Parse(args).Invoke();
