using System.Globalization;

namespace Monitoring.Client.Demo;

/// <summary>
/// The deterministic core of <see cref="DemoTraffic"/>: given the time elapsed since the start, emits every prediction
/// scheduled up to then and every label that has come due. One random stream per model.
/// </summary>
internal sealed class DemoTrafficGenerator
{
    private readonly DemoTrafficOptions _options;
    private readonly DateTimeOffset _start;
    private readonly string _runId;
    private readonly ModelStream[] _models;
    private readonly PriorityQueue<PendingLabel, (DateTimeOffset Due, long Order)> _labels = new();
    private long _labelOrder;

    public DemoTrafficGenerator(DemoTrafficOptions options, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.PredictionsPerSecondPerModel > 0) || double.IsInfinity(options.PredictionsPerSecondPerModel))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PredictionsPerSecondPerModel, "PredictionsPerSecondPerModel must be positive.");
        }

        if (!(options.LabelFraction >= 0 && options.LabelFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LabelFraction, "LabelFraction must be in [0, 1].");
        }

        _options = options;
        _start = start;
        _runId = options.RunId ?? Guid.NewGuid().ToString("N")[..8];
        var seed = options.Seed ?? Random.Shared.Next();
        _models =
        [
            new ModelStream(DemoTraffic.CreditRiskModel, "v3", new Random(seed), CreditRisk),
            new ModelStream(DemoTraffic.ChurnModel, "v7", new Random(unchecked(seed + 7919)), Churn) { Canary = ChurnCanary },
            new ModelStream(DemoTraffic.EtaModel, "v12", new Random(unchecked(seed + 15838)), Eta),
        ];
    }

    /// <summary>Emits what is scheduled up to <paramref name="elapsed"/> after the start; returns how many records.</summary>
    public int Advance(TimeSpan elapsed, IPredictionSink sink)
    {
        var now = _start + elapsed;
        var rate = _options.PredictionsPerSecondPerModel;
        var emitted = 0;
        foreach (var model in _models)
        {
            var due = (long)Math.Floor(elapsed.TotalSeconds * rate) + 1;
            for (; model.Next < due; model.Next++)
            {
                var offset = TimeSpan.FromTicks((long)Math.Round(model.Next * (double)TimeSpan.TicksPerSecond / rate));
                var drifted = _options.DriftAfter != Timeout.InfiniteTimeSpan && offset >= _options.DriftAfter;
                var canary = model.Canary is not null && _options.CanaryAfter != Timeout.InfiniteTimeSpan && offset >= _options.CanaryAfter
                    && model.Random.NextDouble() < _options.CanaryShare;
                var sample = (canary ? model.Canary! : model.Sample)(model.Random, _start + offset, drifted);
                var id = string.Create(CultureInfo.InvariantCulture, $"{_runId}-{model.Id}-{model.Next:D9}");
                sink.LogPrediction(new Prediction(
                    model.Id, canary ? DemoTraffic.ChurnCanaryVersion : model.Version, id, sample.Score, sample.Class, sample.Value,
                    Math.Round(sample.LatencyMs, 2), sample.Features, sample.Segments, _start + offset));
                emitted++;

                if (model.Random.NextDouble() < _options.LabelFraction)
                {
                    var delay = _options.LabelDelay * (0.5 + model.Random.NextDouble());
                    var label = new PendingLabel(model.Id, id, sample.Label, _start + offset + delay);
                    _labels.Enqueue(label, (label.Due, _labelOrder++));
                }
            }
        }

        while (_labels.TryPeek(out var label, out _) && label.Due <= now)
        {
            _labels.Dequeue();
            sink.LogLabel(label.ModelId, label.PredictionId, label.Value, label.Due);
            emitted++;
        }

        return emitted;
    }

    private static readonly (string Value, double Weight)[] CountriesBefore =
        [("US", 0.40), ("GB", 0.20), ("DE", 0.15), ("FR", 0.10), ("IN", 0.10), ("BR", 0.05)];

    private static readonly (string Value, double Weight)[] CountriesAfter =
        [("US", 0.25), ("GB", 0.12), ("DE", 0.13), ("FR", 0.10), ("IN", 0.25), ("BR", 0.15)];

    private static readonly (string Value, double Weight)[] Devices = [("mobile", 0.58), ("desktop", 0.36), ("tablet", 0.06)];
    private static readonly (string Value, double Weight)[] CreditPlans = [("standard", 0.55), ("gold", 0.30), ("platinum", 0.15)];
    private static readonly (string Value, double Weight)[] ChurnPlans = [("free", 0.30), ("basic", 0.50), ("premium", 0.20)];
    private static readonly (string Value, double Weight)[] Regions = [("NA", 0.45), ("EU", 0.35), ("APAC", 0.20)];
    private static readonly (string Value, double Weight)[] Weather = [("clear", 0.70), ("rain", 0.22), ("snow", 0.08)];
    private static readonly (string Value, double Weight)[] Vehicles = [("bike", 0.30), ("scooter", 0.45), ("car", 0.25)];
    private static readonly (string Value, double Weight)[] Cities = [("berlin", 0.30), ("london", 0.30), ("paris", 0.25), ("madrid", 0.15)];

    /// <summary>Credit default risk: true log-odds from the features; the model sees them with noise.</summary>
    private static Sample CreditRisk(Random random, DateTimeOffset time, bool drifted)
    {
        var age = (int)Math.Round(Math.Clamp(Normal(random, 41, 12), 18, 85));
        var income = Math.Round(LogNormal(random, Math.Log(52_000), 0.5) * (drifted ? 1.4 : 1.0), 2);
        double? debtRatio = random.NextDouble() < 0.02 ? null : Math.Round(Math.Clamp(Normal(random, 0.35, 0.15), 0.0, 1.5), 4);
        var accounts = Poisson(random, 3.0);
        var country = Choose(random, drifted ? CountriesAfter : CountriesBefore);
        var device = Choose(random, Devices);
        var plan = Choose(random, CreditPlans);

        var countryEffect = country switch { "IN" => 0.3, "BR" => 0.4, "GB" => -0.1, "DE" => -0.2, _ => 0.0 };
        var logOdds = -1.6 + 3.0 * ((debtRatio ?? 0.35) - 0.35) - 0.9 * Math.Log(income / 52_000) + 0.18 * (accounts - 3)
            + 0.02 * (40 - age) + countryEffect;
        var score = Sigmoid(logOdds + Normal(random, 0, 0.35));
        var label = random.NextDouble() < Sigmoid(logOdds) ? 1 : 0;
        return new Sample(
            Math.Round(score, 6),
            score >= 0.5 ? "1" : "0",
            null,
            LogNormal(random, Math.Log(12), 0.3),
            new Dictionary<string, object?>
            {
                ["age"] = age,
                ["income"] = income,
                ["debt_ratio"] = debtRatio,
                ["num_accounts"] = accounts,
                ["country"] = country,
                ["device"] = device,
            },
            new Dictionary<string, string> { ["country"] = country, ["device"] = device, ["plan"] = plan },
            label);
    }

    /// <summary>Subscription churn: short tenure, tickets and the free plan raise the risk; autopay lowers it.</summary>
    private static Sample Churn(Random random, DateTimeOffset time, bool drifted) => ChurnOf(random, canary: false);

    /// <summary>The churn canary (v8): less score noise, but it over-estimates the free plan's risk.</summary>
    private static Sample ChurnCanary(Random random, DateTimeOffset time, bool drifted) => ChurnOf(random, canary: true);

    private static Sample ChurnOf(Random random, bool canary)
    {
        var tenure = 1 + (int)Math.Floor(-22 * Math.Log(1 - random.NextDouble()));
        var spend = Math.Round(LogNormal(random, Math.Log(45), 0.45), 2);
        var tickets = Poisson(random, 0.8);
        var plan = Choose(random, ChurnPlans);
        var autopay = random.NextDouble() < 0.62;
        var region = Choose(random, Regions);

        var planEffect = plan switch { "free" => 0.5, "premium" => -0.4, _ => 0.0 };
        var logOdds = -1.2 - 0.04 * tenure + 0.6 * tickets - 0.8 * (autopay ? 1 : 0) + planEffect + 0.004 * (spend - 45);
        // The canary over-estimates the free plan's risk (it calls many free users who stay churners).
        var seen = canary && plan == "free" ? logOdds + 1.5 : logOdds;
        var score = Sigmoid(seen + Normal(random, 0, canary ? 0.1 : 0.3));
        var label = random.NextDouble() < Sigmoid(logOdds) ? 1 : 0;
        return new Sample(
            Math.Round(score, 6),
            score >= 0.5 ? "1" : "0",
            null,
            LogNormal(random, Math.Log(canary ? 9 : 8), 0.25),
            new Dictionary<string, object?>
            {
                ["tenure_months"] = tenure,
                ["monthly_spend"] = spend,
                ["support_tickets"] = tickets,
                ["plan"] = plan,
                ["autopay"] = autopay,
            },
            new Dictionary<string, string> { ["plan"] = plan, ["region"] = region },
            label);
    }

    /// <summary>Delivery time in minutes; the model under-estimates the effect of rain and snow.</summary>
    private static Sample Eta(Random random, DateTimeOffset time, bool drifted)
    {
        var distance = Math.Round(LogNormal(random, Math.Log(4.5), 0.6), 3);
        var hour = time.UtcDateTime.Hour;
        var weather = Choose(random, Weather);
        var rating = Math.Round(Math.Clamp(Normal(random, 4.6, 0.25), 3.0, 5.0), 2);
        var vehicle = Choose(random, Vehicles);
        var city = Choose(random, Cities);

        var minutesPerKm = vehicle switch { "bike" => 4.0, "scooter" => 2.8, _ => 2.4 };
        var rush = hour is >= 7 and <= 9 or >= 17 and <= 19 ? 1.3 : 1.0;
        var trueWeather = weather switch { "rain" => 1.25, "snow" => 1.6, _ => 1.0 };
        var modelWeather = weather switch { "rain" => 1.15, "snow" => 1.3, _ => 1.0 };
        var ratingEffect = 1.0 - 0.05 * (rating - 4.6);
        var expected = 6 + distance * minutesPerKm * rush * ratingEffect;
        var predicted = (6 + (expected - 6) * modelWeather) * (1 + Normal(random, 0, 0.05));
        var actual = (6 + (expected - 6) * trueWeather) * LogNormal(random, 0, 0.15);
        return new Sample(
            null,
            null,
            Math.Round(predicted, 2),
            LogNormal(random, Math.Log(25), 0.35),
            new Dictionary<string, object?>
            {
                ["distance_km"] = distance,
                ["hour_of_day"] = hour,
                ["weather"] = weather,
                ["courier_rating"] = rating,
                ["vehicle"] = vehicle,
            },
            new Dictionary<string, string> { ["city"] = city, ["vehicle"] = vehicle },
            Math.Round(actual, 2));
    }

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>Box-Muller.</summary>
    private static double Normal(Random random, double mean, double sd)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + sd * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static double LogNormal(Random random, double mu, double sigma) => Math.Exp(Normal(random, mu, sigma));

    /// <summary>Knuth's multiplication method (small means only).</summary>
    private static int Poisson(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = random.NextDouble();
        while (p > limit)
        {
            k++;
            p *= random.NextDouble();
        }

        return k;
    }

    private static string Choose(Random random, (string Value, double Weight)[] choices)
    {
        var u = random.NextDouble();
        foreach (var (value, weight) in choices)
        {
            if (u < weight)
            {
                return value;
            }

            u -= weight;
        }

        return choices[^1].Value;
    }

    private sealed class ModelStream(string id, string version, Random random, Func<Random, DateTimeOffset, bool, Sample> sample)
    {
        public string Id { get; } = id;

        public string Version { get; } = version;

        public Random Random { get; } = random;

        public Func<Random, DateTimeOffset, bool, Sample> Sample { get; } = sample;

        /// <summary>The canary's sampler, for the model that ships one.</summary>
        public Func<Random, DateTimeOffset, bool, Sample>? Canary { get; init; }

        /// <summary>Index of the next prediction to emit.</summary>
        public long Next { get; set; }
    }

    private sealed record Sample(
        double? Score,
        string? Class,
        double? Value,
        double LatencyMs,
        Dictionary<string, object?> Features,
        Dictionary<string, string> Segments,
        object Label);

    private sealed record PendingLabel(string ModelId, string PredictionId, object Value, DateTimeOffset Due);
}
