using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Monitoring.LoadTest;

/// <summary>Latency of one page through HTTP: the first request (cold chart cache) and the following ones.</summary>
/// <param name="Page">Which page.</param>
/// <param name="Bytes">Response size.</param>
/// <param name="FirstMs">The first request after the data was loaded (charts drawn, grains read).</param>
/// <param name="MeanMs">Mean of the measured requests after it.</param>
/// <param name="MedianMs">Median of the measured requests.</param>
/// <param name="MaxMs">Slowest measured request.</param>
/// <param name="Requests">Measured requests.</param>
internal sealed record PageTiming(string Page, long Bytes, double FirstMs, double MeanMs, double MedianMs, double MaxMs, int Requests);

/// <summary>The pages as a browser gets them: a silo with a 50-feature model and 1,000 models, timed through HTTP.</summary>
internal static partial class Scenarios
{
    /// <summary>Features of the model page's model (45 numeric, 5 categorical), as the render-only benchmark.</summary>
    private const int PageFeatures = 50;

    /// <summary>Closed windows of the model page's model.</summary>
    private const int PageWindows = 24;

    /// <summary>Predictions per window of the model page's model.</summary>
    private const int PagePredictions = 200;

    /// <summary>Models on the overview.</summary>
    private const int OverviewModels = 1_000;

    /// <summary>
    /// Starts a silo, loads it over its public interfaces (OTLP/HTTP JSON, the reference upload, the window close API):
    /// one model with 50 features and 24 closed one-minute windows against a reference (the last six drifting), and 999 more
    /// models with one closed window each; then GETs <c>/models/default/wide-model</c> and <c>/</c> one request at a time:
    /// the first (cold: charts drawn, every grain and store read) and <paramref name="requests"/> more.
    /// </summary>
    public static async Task<IReadOnlyList<PageTiming>> PagesAsync(LoadOptions o, int requests)
    {
        await using var silo = await SiloUnderTest.StartAsync(o.SiloDll, o.KeepData, o.SiloArguments, o.SiloLog, o.SiloEnvironment);
        using var http = new HttpClient { BaseAddress = silo.Api, Timeout = TimeSpan.FromMinutes(5) };
        var otlp = silo.OtlpHttp;
        var rng = new Random(70);
        // One-minute windows, the last 26 minutes, allowed late for an hour: the records are on time, the windows ended.
        var minute = TimeSpan.FromMinutes(1);
        var first = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / minute.Ticks - PageWindows - 2) * minute.Ticks, TimeSpan.Zero);
        const string wide = "wide-model";
        var models = Enumerable.Range(1, OverviewModels - 1).Select(k => $"model-{k:D4}").ToList();
        await Parallel.ForEachAsync(models.Prepend(wide), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (model, _) =>
        {
            using var settings = await http.PutAsync($"api/models/default/{model}/settings",
                new StringContent("""{"window_seconds":60,"allowed_lateness_seconds":3600}""", Encoding.UTF8, "application/json"));
            settings.EnsureSuccessStatusCode();
        });

        var loading = Stopwatch.StartNew();
        // The reference: 2,000 rows of every feature and the score.
        var csv = new StringBuilder(string.Join(",", Enumerable.Range(0, PageFeatures).Select(FeatureName)) + ",score\n");
        for (var i = 0; i < 2000; i++)
        {
            csv.AppendJoin(',', Enumerable.Range(0, PageFeatures).Select(f => FeatureValue(f, rng, drift: false)))
                .Append(',').Append(rng.NextDouble().ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        await SendAsync(http, otlp, [Record(wide, "warmup", first.AddMinutes(-1), [], 0.5)]);
        using (var upload = await http.PutAsync($"api/models/default/{wide}/reference?source=train.csv&score_column=score",
                   new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")))
        {
            upload.EnsureSuccessStatusCode();
        }

        for (var w = 0; w < PageWindows; w++)
        {
            var records = Enumerable.Range(0, PagePredictions).Select(i => Record(wide, $"w{w}-{i}", first.AddMinutes(w).AddMilliseconds(i * 250),
                Enumerable.Range(0, PageFeatures).Select(f => (FeatureName(f), FeatureValue(f, rng, drift: w >= PageWindows - 6))).ToArray(), rng.NextDouble()));
            await SendAsync(http, otlp, [.. records]);
        }

        // 999 more models, one window each, in requests of 100 records (one per model).
        for (var m = 1; m < OverviewModels; m += 100)
        {
            var batch = Enumerable.Range(m, Math.Min(100, OverviewModels - m)).Select(k => Record($"model-{k:D4}", "p0", first.AddMinutes(PageWindows - 1),
                [("age", (30 + rng.Next(40)).ToString(CultureInfo.InvariantCulture))], rng.NextDouble()));
            await SendAsync(http, otlp, [.. batch]);
        }

        await CloseAsync(http, wide);
        await Parallel.ForEachAsync(models, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (model, _) => await CloseAsync(http, model));
        // What is timed must be the full pages: every feature's row on the model page, every model on the overview.
        var cold = Stopwatch.StartNew();
        var page = await http.GetStringAsync($"models/default/{wide}");
        cold.Stop();
        var rows = CountOf(page, "data-feature=");
        var description = await http.GetStringAsync($"api/models/default/{wide}");
        if (rows < PageFeatures)
        {
            throw new InvalidOperationException($"the model page shows {rows} feature rows, not {PageFeatures}: {description}");
        }

        Console.WriteLine($"pages: loaded {OverviewModels} models ({PageFeatures} features x {PageWindows} windows for {wide}) in {loading.Elapsed.TotalSeconds:F0} s");

        var timings = new List<PageTiming>
        {
            await TimeAsync(http, $"model page ({PageFeatures} features x {PageWindows} windows)", $"models/default/{wide}", requests, cold.Elapsed.TotalMilliseconds),
            await TimeAsync(http, $"overview ({OverviewModels:N0} models)", "", requests),
        };
        foreach (var t in timings)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pages: {t.Page}: {t.Bytes:N0} bytes, first {t.FirstMs:F1} ms, then mean {t.MeanMs:F1} ms, median {t.MedianMs:F1} ms, max {t.MaxMs:F1} ms over {t.Requests} requests"));
        }

        return timings;
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string FeatureName(int f) => f < 45 ? $"num_{f:D2}" : $"cat_{f - 45}";

    private static string FeatureValue(int f, Random rng, bool drift)
    {
        if (f >= 45)
        {
            return $"v{rng.Next(drift ? 16 : 12)}";
        }

        var normal = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        return Math.Round(30 + (25 * normal) + (drift && f < 5 ? 15 : 0), 3).ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>One prediction as an OTLP/JSON log record (ids and names here are plain ASCII: no JSON escaping needed).</summary>
    private static string Record(string model, string id, DateTimeOffset at, (string Name, string Value)[] features, double score)
    {
        static string Attribute(string key, string type, string value) => "{\"key\":\"" + key + "\",\"value\":{\"" + type + "\":" + value + "}}";
        var attributes = new List<string>
        {
            Attribute("ml.model.id", "stringValue", "\"" + model + "\""),
            Attribute("ml.prediction.id", "stringValue", "\"" + id + "\""),
            Attribute("ml.prediction.score", "doubleValue", score.ToString("R", CultureInfo.InvariantCulture)),
        };
        attributes.AddRange(features.Select(f => f.Name.StartsWith("cat_", StringComparison.Ordinal)
            ? Attribute("ml.feature." + f.Name, "stringValue", "\"" + f.Value + "\"")
            : Attribute("ml.feature." + f.Name, "doubleValue", f.Value)));
        var nanos = (at.ToUnixTimeMilliseconds() * 1_000_000).ToString(CultureInfo.InvariantCulture);
        return "{\"timeUnixNano\":\"" + nanos + "\",\"eventName\":\"ml.prediction\",\"attributes\":[" + string.Join(",", attributes) + "]}";
    }

    private static async Task SendAsync(HttpClient http, Uri otlp, IReadOnlyList<string> records)
    {
        var body = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[" + string.Join(",", records) + "]}]}]}";
        using var response = await http.PostAsync(otlp, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || text.Contains("rejected", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"OTLP export answered {(int)response.StatusCode}: {text[..Math.Min(300, text.Length)]}");
        }
    }

    private static async Task CloseAsync(HttpClient http, string model)
    {
        using var close = await http.PostAsync($"api/models/default/{model}/windows/close", null);
        close.EnsureSuccessStatusCode();
    }

    /// <summary>Times <paramref name="requests"/> GETs after a first one (or after <paramref name="firstMs"/>, a first GET already made).</summary>
    private static async Task<PageTiming> TimeAsync(HttpClient http, string name, string path, int requests, double? firstMs = null)
    {
        async Task<(double Ms, long Bytes)> OneAsync()
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            var bytes = (await response.Content.ReadAsByteArrayAsync()).LongLength;
            watch.Stop();
            response.EnsureSuccessStatusCode();
            return (watch.Elapsed.TotalMilliseconds, bytes);
        }

        var (coldMs, size) = await OneAsync();
        var times = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            times.Add((await OneAsync()).Ms);
        }

        times.Sort();
        return new PageTiming(name, size, firstMs ?? coldMs, times.Average(), times[times.Count / 2], times[^1], requests);
    }
}
