using System.Globalization;

namespace Monitoring.LoadTest;

/// <summary>Command-line options (<c>--name value</c>); every one has a default matching the benchmark.</summary>
internal sealed class LoadOptions
{
    /// <summary>Path of Monitoring.Silo.dll (default: the copy next to the load generator, same configuration).</summary>
    public string SiloDll { get; set; } = Path.Combine(AppContext.BaseDirectory, "Monitoring.Silo.dll");

    /// <summary>Where the JSON results go (a .md with the table is written beside it).</summary>
    public string Output { get; set; } = Path.Combine("artifacts", "loadtest", "results.json");

    /// <summary>Scenarios to run: throughput, latency, memory (the default set) and labels.</summary>
    public HashSet<string> Scenarios { get; set; } = new(["throughput", "latency", "memory"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Records per request.</summary>
    public int Records { get; set; } = 512;

    /// <summary>Features per record.</summary>
    public int Features { get; set; } = 20;

    /// <summary>How many of the features are strings (categorical); the rest are doubles.</summary>
    public int Categorical { get; set; } = 2;

    /// <summary>Value variants per sender (pre-encoded requests with different random values).</summary>
    public int Variants { get; set; } = 4;

    /// <summary>Connection counts of the HTTP/1.1 throughput runs.</summary>
    public int[] Connections { get; set; } = [2, 4, 8];

    /// <summary>
    /// Connection counts of h2c (HTTP/2 with prior knowledge) throughput runs; none by default, because the silo's
    /// OTLP/HTTP port serves HTTP/1.1 and HTTP/2 on one cleartext listener, where Kestrel answers h2c with
    /// HTTP_1_1_REQUIRED (without TLS there is no ALPN to choose HTTP/2).
    /// </summary>
    public int[] H2cConnections { get; set; } = [];

    /// <summary>Models the throughput and latency traffic is spread over (one model per request, round-robin).</summary>
    public int Models { get; set; } = 20;

    /// <summary>Throughput runs: warm-up before the measured interval.</summary>
    public double WarmupSeconds { get; set; } = 10;

    /// <summary>Throughput runs: measured interval.</summary>
    public double DurationSeconds { get; set; } = 20;

    /// <summary>Latency run at a fixed offered load in records/s (the target; 0: no such run).</summary>
    public double Rate { get; set; } = 50_000;

    /// <summary>
    /// Latency run at this fraction of the best silo throughput measured in the same run (0: no such run; without a
    /// throughput scenario there is nothing to take a fraction of).
    /// </summary>
    public double RateFraction { get; set; } = 0.5;

    /// <summary>Measure the same-run baselines of the throughput scenario: the discard receiver and SQLite straight.</summary>
    public bool Baselines { get; set; } = true;

    /// <summary>Latency run: warm-up at the same rate, not recorded.</summary>
    public double RateWarmupSeconds { get; set; } = 10;

    /// <summary>Latency run: recorded interval.</summary>
    public double RateSeconds { get; set; } = 30;

    /// <summary>Latency run: connection cap (requests beyond it queue in the client and count as latency).</summary>
    public int RateConnections { get; set; } = 32;

    /// <summary>Latency run: write every request (due time, dispatch lag, latency) to this CSV file.</summary>
    public string? LatencyTrace { get; set; }

    /// <summary>Memory run: distinct models.</summary>
    public int MemoryModels { get; set; } = 1000;

    /// <summary>Memory run: records per model (rounded up to whole requests).</summary>
    public int MemoryRecordsPerModel { get; set; } = 200;

    /// <summary>Memory run: consecutive records of one model (a request spans Records / this models).</summary>
    public int MemoryRun { get; set; } = 8;

    /// <summary>Memory run: concurrent connections.</summary>
    public int MemoryConnections { get; set; } = 4;

    /// <summary>Memory run: steady traffic to all models after the burst, records/s.</summary>
    public double MemoryRate { get; set; } = 10_000;

    /// <summary>Memory run: how long the steady traffic lasts.</summary>
    public double MemorySeconds { get; set; } = 30;

    /// <summary>Memory run: wait after the last acknowledgement before reading the RSS again.</summary>
    public double MemorySettleSeconds { get; set; } = 10;

    /// <summary>Label run: predictions logged first (at least; rounded up to whole requests per model).</summary>
    public long LabelPredictions { get; set; } = 4_000_000;

    /// <summary>Label run: connections that log the predictions.</summary>
    public int LabelLogConnections { get; set; } = 4;

    /// <summary>Label run: share of the predictions one to three hours old (in earlier windows than the newest).</summary>
    public double LabelOlderFraction { get; set; } = 0.25;

    /// <summary>Label run: offered label rate of the open-loop run, labels/s (connection cap: <see cref="RateConnections"/>).</summary>
    public double LabelRate { get; set; } = 50_000;

    /// <summary>Label run: warm-up at the label rate, not recorded (its labels are joined and checked like the rest).</summary>
    public double LabelWarmupSeconds { get; set; } = 5;

    /// <summary>Label run: recorded interval at the label rate.</summary>
    public double LabelSeconds { get; set; } = 30;

    /// <summary>Label run: connection counts of the closed-loop label throughput runs (empty: none).</summary>
    public int[] LabelConnections { get; set; } = [2, 4, 8];

    /// <summary>Label run: labels sent by each closed-loop run.</summary>
    public long LabelBurst { get; set; } = 500_000;

    /// <summary>Label run: requests of the open-loop run (warm-up included).</summary>
    public long LabelRateRequests => (long)Math.Round(LabelWarmupSeconds * LabelRate / Records) + (long)Math.Round(LabelSeconds * LabelRate / Records);

    /// <summary>Label run: requests of each closed-loop run.</summary>
    public long LabelBurstRequests => (long)Math.Ceiling((double)LabelBurst / Records);

    /// <summary>Label run: every label request it sends; each needs a request's worth of predictions logged first.</summary>
    public long LabelRequests => LabelRateRequests + (LabelBurstRequests * LabelConnections.Length);

    /// <summary>Cluster run: cluster sizes, one fresh cluster (own cluster id and database) each.</summary>
    public int[] Silos { get; set; } = [1, 2, 3];

    /// <summary>Cluster run: closed-loop connections of every run (connection i goes to silo i mod N).</summary>
    public int ClusterConnections { get; set; } = 6;

    /// <summary>Cluster run: how many times the whole sequence (baselines, clusters, PostgreSQL alone) runs.</summary>
    public int ClusterRounds { get; set; } = 1;

    /// <summary>Cluster run: event logs appending straight into PostgreSQL (one connection each), one run per count.</summary>
    public int[] PostgresWriters { get; set; } = [1, 3];

    /// <summary>Cluster run: concurrent appenders of 512-record batches per event log of the PostgreSQL-alone run.</summary>
    public int PostgresCallers { get; set; } = 4;

    /// <summary>Before each scenario, wait up to this long for the machine to be quiet (0: do not wait).</summary>
    public int AlertingModels { get; set; } = 1000;

    public int AlertingRules { get; set; } = 10_000;

    /// <summary>
    /// Alerting: the rule mix. <c>per-model</c> (default): each model's own rules, one of each kind (about 10 per model
    /// at 10,000 rules over 1,000 models), one family rule per 100 models and one fleet-wide rule per 1,000 rules;
    /// <c>storm</c>: the mix of the first figures (150 family rules over every model of a family, each firing per
    /// drifted feature: about 2,900 alerts per drifted window).
    /// </summary>
    public string AlertingMix { get; set; } = "per-model";

    public double AlertingTimeoutSeconds { get; set; } = 30;

    public int? AlertingCloses { get; set; }

    public double QuietSeconds { get; set; } = 120;

    /// <summary>"Quiet": the whole machine busy for less than this many cores (three seconds in a row).</summary>
    public double QuietThreshold { get; set; } = 0.3;

    /// <summary>Keep the silo's data directories.</summary>
    public bool KeepData { get; set; }

    /// <summary>Append everything the silos print to this file.</summary>
    public string? SiloLog { get; set; }

    /// <summary>Extra environment variables for the silo (<c>--silo-env NAME=VALUE</c>, repeatable).</summary>
    public Dictionary<string, string> SiloEnvironment { get; } = new(StringComparer.Ordinal);

    /// <summary>Extra arguments for the silo (after <c>--silo-arg</c>, repeatable).</summary>
    public List<string> SiloArguments { get; } = [];

    /// <summary>Usage text.</summary>
    public const string Usage =
        """
        dotnet run -c Release --project tests/Monitoring.LoadTest [-- options]
          --scenarios throughput,latency,memory   which scenarios (default: these three; add labels for the label join, alerting for alert latency, telemetry for self-telemetry off vs on, cluster for 1-3 silos)
          --connections 2,4,8                     HTTP/1.1 throughput runs (empty: none)
          --h2c-connections 4                     h2c throughput runs (default none: the silo answers HTTP_1_1_REQUIRED)
          --warmup 10 --duration 20               throughput warm-up and measured seconds
          --models 20                             models of the throughput/latency traffic
          --rate 50000 --rate-warmup 10 --rate-seconds 30 --rate-connections 32   (--rate 0: no fixed-rate run)
          --rate-fraction 0.5                     latency also at this fraction of the best silo throughput of this run (0: not)
          --no-baselines                          skip the discard-receiver and SQLite-straight throughput baselines
          --latency-trace PATH                    CSV of every fixed-rate request (due time, dispatch lag, latency)
          --memory-models 1000 --memory-records 200 --memory-run 8 --memory-connections 4
          --memory-rate 10000 --memory-seconds 30 --memory-settle 10
          --label-predictions 4000000             labels: predictions logged first (over --models models)
          --label-log-connections 4 --label-older-fraction 0.25   (share of predictions 1-3 h old)
          --label-rate 50000 --label-warmup 5 --label-seconds 30  open-loop labels (connections: --rate-connections)
          --label-connections 2,4,8 --label-burst 500000          closed-loop label runs (labels each)
          --alerting-models 1000 --alerting-rules 10000 --alerting-timeout 30   alerting: window close to webhook notification
          --alerting-closes 100                   windows closed and measured, one at a time, spread over the models (default: all)
          --alerting-mix per-model|storm          rule mix: each model's own ~10 rules (default), or the alert-storm mix
          --silos 1,2,3 --cluster-connections 6    cluster: fresh clusters of these sizes on PostgreSQL + Azurite (scripts/load-cluster.sh installs both)
          --cluster-rounds 1                      cluster: repeat the whole sequence (SQLite and PostgreSQL single silo, clusters, PostgreSQL alone)
          --pg-writers 1,3 --pg-callers 4         cluster: the event log straight into PostgreSQL, N logs x M appenders (the storage ceiling)
          --records 512 --features 20 --categorical 2 --variants 4
          --silo PATH                             Monitoring.Silo.dll (default: next to this program)
          --silo-arg ARG                          extra silo argument (repeatable), e.g. --silo-arg --Logging:LogLevel:Default=Warning
          --out PATH                              JSON results (default artifacts/loadtest/results.json; .md beside it)
          --silo-env NAME=VALUE                   extra silo environment variable (repeatable), e.g. DOTNET_gcServer=0
          --silo-log PATH                         append the silos' console output to PATH
          --quiet-wait 120 --quiet-threshold 0.3  before each scenario wait (at most 120 s) until other work uses < 0.3 cores
          --keep-data                             keep the silo data directories
        """;

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> on a bad one.</summary>
    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            double Double() => double.Parse(Value(), CultureInfo.InvariantCulture);
            int[] Ints() => Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            switch (name)
            {
                case "--silo": o.SiloDll = Path.GetFullPath(Value()); break;
                case "--out": o.Output = Value(); break;
                case "--scenarios": o.Scenarios = new(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase); break;
                case "--records": o.Records = Int(); break;
                case "--features": o.Features = Int(); break;
                case "--categorical": o.Categorical = Int(); break;
                case "--variants": o.Variants = Int(); break;
                case "--connections": o.Connections = Ints(); break;
                case "--h2c-connections": o.H2cConnections = Ints(); break;
                case "--models": o.Models = Int(); break;
                case "--warmup": o.WarmupSeconds = Double(); break;
                case "--duration": o.DurationSeconds = Double(); break;
                case "--rate": o.Rate = Double(); break;
                case "--rate-fraction": o.RateFraction = Double(); break;
                case "--no-baselines": o.Baselines = false; break;
                case "--rate-warmup": o.RateWarmupSeconds = Double(); break;
                case "--rate-seconds": o.RateSeconds = Double(); break;
                case "--rate-connections": o.RateConnections = Int(); break;
                case "--latency-trace": o.LatencyTrace = Path.GetFullPath(Value()); break;
                case "--memory-models": o.MemoryModels = Int(); break;
                case "--memory-records": o.MemoryRecordsPerModel = Int(); break;
                case "--memory-run": o.MemoryRun = Int(); break;
                case "--memory-connections": o.MemoryConnections = Int(); break;
                case "--memory-rate": o.MemoryRate = Double(); break;
                case "--memory-seconds": o.MemorySeconds = Double(); break;
                case "--memory-settle": o.MemorySettleSeconds = Double(); break;
                case "--label-predictions": o.LabelPredictions = long.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--label-log-connections": o.LabelLogConnections = Int(); break;
                case "--label-older-fraction": o.LabelOlderFraction = Double(); break;
                case "--label-rate": o.LabelRate = Double(); break;
                case "--label-warmup": o.LabelWarmupSeconds = Double(); break;
                case "--label-seconds": o.LabelSeconds = Double(); break;
                case "--label-connections": o.LabelConnections = Ints(); break;
                case "--label-burst": o.LabelBurst = long.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--alerting-models": o.AlertingModels = Int(); break;
                case "--alerting-rules": o.AlertingRules = Int(); break;
                case "--alerting-mix": o.AlertingMix = Value(); break;
                case "--alerting-timeout": o.AlertingTimeoutSeconds = Double(); break;
                case "--alerting-closes": o.AlertingCloses = Int(); break;
                case "--silos": o.Silos = Ints(); break;
                case "--cluster-connections": o.ClusterConnections = Int(); break;
                case "--cluster-rounds": o.ClusterRounds = Int(); break;
                case "--pg-writers": o.PostgresWriters = Ints(); break;
                case "--pg-callers": o.PostgresCallers = Int(); break;
                case "--silo-arg": o.SiloArguments.Add(Value()); break;
                case "--silo-log": o.SiloLog = Path.GetFullPath(Value()); break;
                case "--silo-env":
                    var pair = Value().Split('=', 2);
                    o.SiloEnvironment[pair[0]] = pair.Length == 2 ? pair[1] : throw new ArgumentException("--silo-env needs NAME=VALUE");
                    break;
                case "--quiet-wait": o.QuietSeconds = Double(); break;
                case "--quiet-threshold": o.QuietThreshold = Double(); break;
                case "--keep-data": o.KeepData = true; break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }

        if (o.Records < 1 || o.Features < 0 || o.Categorical > o.Features || o.Variants < 1 || o.Models < 1 || o.Rate < 0 || o.RateFraction is < 0 or > 1
            || o.MemoryModels < 1 || o.MemoryRate <= 0 || o.MemoryModels > 9999 || o.Models > 9999 || o.MemoryRun < 1
            || o.LabelPredictions < 1 || o.LabelLogConnections < 1 || o.LabelOlderFraction is < 0 or > 1 || o.LabelRate <= 0
            || o.AlertingModels is < 1 or > 9999 || o.AlertingRules < 1 || o.AlertingMix is not ("per-model" or "storm") || o.AlertingTimeoutSeconds <= 0 || o.AlertingCloses < 1
            || o.LabelWarmupSeconds < 0 || o.LabelSeconds <= 0 || o.LabelBurst < 0 || o.LabelConnections.Any(c => c < 1))
        {
            throw new ArgumentException("out-of-range option value");
        }

        if (o.Silos.Length == 0 || o.Silos.Any(n => n is < 1 or > 16))
        {
            throw new ArgumentException("--silos: each cluster size must be 1 to 16 (e.g. 1,2,3)");
        }

        if (o.ClusterConnections < 1 || o.ClusterRounds < 1 || o.PostgresCallers < 1 || o.PostgresWriters.Any(w => w is < 1 or > 64))
        {
            throw new ArgumentException("--cluster-connections, --cluster-rounds and --pg-callers must be at least 1, --pg-writers 1 to 64 each");
        }

        if (o.Scenarios.Contains("labels") && o.LabelRequests > (long)Math.Ceiling((double)o.LabelPredictions / ((long)o.Models * o.Records)) * o.Models)
        {
            throw new ArgumentException(
                $"--label-predictions {o.LabelPredictions} is too few: the label runs send {o.LabelRequests * o.Records} labels, each for a different prediction");
        }

        return o;
    }
}
