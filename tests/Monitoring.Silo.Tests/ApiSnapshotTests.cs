using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Silo.Api;
using Monitoring.Storage.Hosting;
using Monitoring.Testing;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>
/// Every API endpoint's JSON from an in-process silo fed demo-like traffic on a fake clock (so every byte is
/// deterministic), compared with the snapshots in <c>Snapshots/</c>. The snapshots were taken before the reports became
/// typed records: a difference here is a change to the documented API. Set <c>UPDATE_SNAPSHOTS=1</c> to rewrite them
/// after a deliberate change (and list it in the README).
/// </summary>
public sealed class ApiSnapshotTests : IClassFixture<ApiSnapshotTests.SnapshotSilo>
{
    private readonly SnapshotSilo _silo;

    public ApiSnapshotTests(SnapshotSilo silo) => _silo = silo;

    public static TheoryData<string, string> Endpoints()
    {
        var w1 = SnapshotSilo.Seconds(SnapshotSilo.T0.AddMinutes(1));
        var w2 = SnapshotSilo.Seconds(SnapshotSilo.T0.AddMinutes(2));
        var day = SnapshotSilo.Seconds(SnapshotSilo.T0.Date);
        return new TheoryData<string, string>
        {
            { "models", "/api/models" },
            { "credit-describe", "/api/models/default/credit" },
            { "credit-schema", "/api/models/default/credit/schema" },
            { "credit-reference", "/api/models/default/credit/reference" },
            { "credit-windows", "/api/models/default/credit/windows" },
            { "credit-days", "/api/models/default/credit/windows?granularity=day" },
            { "credit-window-1", $"/api/models/default/credit/windows/{w1}" },
            { "credit-window-2", $"/api/models/default/credit/windows/{w2}" },
            { "credit-day", $"/api/models/default/credit/windows/{day}?granularity=day" },
            { "credit-window-1-performance", $"/api/models/default/credit/windows/{w1}/performance" },
            { "credit-performance", "/api/models/default/credit/performance" },
            { "credit-series-accuracy", "/api/models/default/credit/performance/series?metric=accuracy" },
            { "credit-series-auc", "/api/models/default/credit/performance/series?metric=auc" },
            { "credit-series-estimated-auc", "/api/models/default/credit/performance/series?metric=estimated_auc" },
            { "credit-series-slice-accuracy", "/api/models/default/credit/performance/series?metric=accuracy&slice=country=BR" },
            { "credit-series-slice-predictions", "/api/models/default/credit/performance/series?metric=predictions&slice=country=BR" },
            { "credit-series-slice-psi", "/api/models/default/credit/performance/series?metric=prediction_psi&slice=feature.plan=gold" },
            { "credit-series-pair", "/api/models/default/credit/performance/series?metric=accuracy&slice=country %26 device=BR %26 ios" },
            { "credit-feature-psi", "/api/models/default/credit/features/income/series?metric=psi" },
            { "credit-feature-ks", "/api/models/default/credit/features/income/series?metric=ks" },
            { "credit-feature-day", "/api/models/default/credit/features/plan/series?metric=chi_square_p_value&granularity=day" },
            { "churn-describe", "/api/models/default/churn" },
            { "churn-windows", "/api/models/default/churn/windows" },
            { "churn-window-2", $"/api/models/default/churn/windows/{w2}" },
            { "churn-window-2-performance", $"/api/models/default/churn/windows/{w2}/performance" },
            { "error-unknown-model", "/api/models/default/nope" },
            { "error-bad-metric", "/api/models/default/credit/performance/series?metric=nope" },
            { "error-bad-granularity", "/api/models/default/credit/windows?granularity=week" },
            { "error-no-window", "/api/models/default/credit/windows/1000" },
            { "error-bad-range", "/api/models/default/credit/windows?from=2026-03-03&to=2026-03-02" },
        };
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_Json_MatchesItsSnapshot(string name, string path)
    {
        using var response = await _silo.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Snapshot(name, $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}\n{Pretty(body)}");
    }

    [Fact]
    public void Mutations_Json_MatchTheirSnapshots()
    {
        foreach (var (name, text) in _silo.Mutations)
        {
            Snapshot(name, text);
        }
    }

    private static void Snapshot(string name, string actual, [CallerFilePath] string source = "")
    {
        var file = Path.Combine(Path.GetDirectoryName(source)!, "Snapshots", name + ".json");
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(file, actual);
            return;
        }

        Assert.True(File.Exists(file), $"no snapshot {file}; run with UPDATE_SNAPSHOTS=1 to record it");
        Assert.Equal(File.ReadAllText(file), actual);
    }

    /// <summary>
    /// The body indented, with a model's <c>storage.bytes_on_disk</c> (an estimate that moves with the storage formats)
    /// checked to be positive and written as a placeholder.
    /// </summary>
    private static string Pretty(string body)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return body;
        }

        if (node is JsonObject { } doc && doc["storage"] is JsonObject storage)
        {
            Assert.True(storage["bytes_on_disk"]!.GetValue<long>() > 0);
            storage["bytes_on_disk"] = "(positive; checked)";
        }

        return node!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// The silo's API and grains in this process on free loopback ports, over SQLite in a temp directory, on a fake
    /// clock. Two models: <c>credit</c> (uploaded reference with a score column, segments, labels for most predictions)
    /// and <c>churn</c> (rolling reference, labels for some), four one-minute windows each, then a day later so the day
    /// roll-up closes.
    /// </summary>
    public sealed class SnapshotSilo : IAsyncLifetime
    {
        public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        private static readonly string[] Countries = ["US", "DE", "BR", "FR"], Devices = ["ios", "android"], Plans = ["basic", "gold", "team"];
        private readonly FakeTimeProvider _time = new(T0.AddSeconds(-5));
        private readonly string _directory = Directory.CreateTempSubdirectory("monitoring-snapshots-").FullName;
        private WebApplication? _app;

        public HttpClient Http { get; private set; } = null!;

        public List<(string Name, string Text)> Mutations { get; } = [];

        public static long Seconds(DateTimeOffset t) => t.ToUnixTimeSeconds();

        public async Task InitializeAsync()
        {
            var ports = LoopbackPorts.Take(3);
            var path = Path.Combine(_directory, "monitoring.db");
            var builder = WebApplication.CreateBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, ports[0]));
            builder.Services.AddSingleton<TimeProvider>(_time);
            builder.Services.AddMonitoringSqlite(path);
            builder.Services.AddSingleton<Monitoring.Abstractions.Totals.GrainTotals>();
            builder.Services.AddSingleton<Monitoring.Grains.Limits.TenantModelLimitLog>();
            builder.UseOrleans(silo => silo.UseLocalhostClustering(ports[1], ports[2]).AddMonitoringSqliteStorage("monitoring", path));
            builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
            builder.Services.AddModelApi();
            _app = builder.Build();
            _app.MapModelApi();
            await _app.StartAsync();
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}") };
            await FeedAsync(_app.Services.GetRequiredService<IGrainFactory>());
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }

            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may hold the file for a moment after shutdown; the OS cleans temp directories.
            }
        }

        private async Task FeedAsync(IGrainFactory grains)
        {
            await MutateAsync("credit-settings", HttpMethod.Put, "/api/models/default/credit/settings", """{"window_seconds": 60, "slice_top_values": 3, "minimum_sample_size": 50}""");
            await MutateAsync("churn-settings", HttpMethod.Put, "/api/models/default/churn/settings", """{"window_seconds": 60, "rolling_windows": 2}""");
            await MutateAsync("credit-reference-upload", HttpMethod.Put, "/api/models/default/credit/reference?source=train.csv&score_column=score", ReferenceCsv(), "text/csv");
            await MutateAsync("error-empty-reference", HttpMethod.Put, "/api/models/default/credit/reference", string.Empty, "text/csv");
            await MutateAsync("error-bad-settings", HttpMethod.Put, "/api/models/default/credit/settings", """{"window_seconds": 0.5}""");

            var credit = grains.GetGrain<IModelGrain>("default/credit");
            var churn = grains.GetGrain<IModelGrain>("default/churn");
            var rng = new Random(2026);
            var pending = new List<(DateTimeOffset Due, IModelGrain Grain, ModelEvent Label)>();
            for (var s = 0; s < 4 * 60; s++)
            {
                var now = T0.AddSeconds(s);
                _time.SetUtcNow(now);
                foreach (var (grain, name) in new[] { (credit, "credit"), (churn, "churn") })
                {
                    var batch = new List<ModelEvent>();
                    for (var i = 0; i < 10; i++)
                    {
                        var (prediction, label) = Traffic(rng, name, $"{name}-{s}-{i}", now.AddMilliseconds(i * 100), shifted: s >= 180);
                        batch.Add(prediction);
                        if (label is not null)
                        {
                            pending.Add((now.AddSeconds(rng.Next(20, 140)), grain, label));
                        }
                    }

                    await grain.AppendAsync([.. batch]);
                }

                await DeliverLabelsAsync(pending, now);
                await credit.TickAsync();
                await churn.TickAsync();
            }

            foreach (var step in new[] { 60, 120, 180 })
            {
                var now = T0.AddSeconds((4 * 60) + step);
                _time.SetUtcNow(now);
                await DeliverLabelsAsync(pending, now);
                await credit.TickAsync();
                await churn.TickAsync();
            }

            await MutateAsync("churn-pin", HttpMethod.Post, "/api/models/default/churn/reference/pin",
                $$"""{"from": "{{T0:O}}", "to": "{{T0.AddMinutes(2):O}}"}""");
            await MutateAsync("churn-rolling", HttpMethod.Post, "/api/models/default/churn/reference/rolling", """{"mode": "rolling", "windows": 3}""");
            await MutateAsync("credit-close", HttpMethod.Post, "/api/models/default/credit/windows/close", "{}");

            // A day later: the day roll-up closes.
            _time.SetUtcNow(T0.Date.AddDays(1).AddHours(1));
            await credit.TickAsync();
            await churn.TickAsync();
        }

        private static async Task DeliverLabelsAsync(List<(DateTimeOffset Due, IModelGrain Grain, ModelEvent Label)> pending, DateTimeOffset now)
        {
            foreach (var group in pending.Where(p => p.Due <= now).GroupBy(p => p.Grain).ToList())
            {
                await group.Key.AppendAsync(group.Select(p => p.Label with { ReceivedUnixNano = Nanos(now), EventTimeUnixNano = Nanos(now) }).ToArray());
            }

            pending.RemoveAll(p => p.Due <= now);
        }

        private static (ModelEvent Prediction, ModelEvent? Label) Traffic(Random rng, string model, string id, DateTimeOffset at, bool shifted)
        {
            var country = Countries[rng.Next(Countries.Length)];
            var device = Devices[rng.Next(Devices.Length)];
            var plan = Plans[rng.Next(Plans.Length)];
            var income = Math.Round(3000 + (800 * Gaussian(rng)) + (shifted ? 600 : 0), 2);
            var age = Math.Round(40 + (12 * Gaussian(rng)), 1);
            var y = rng.NextDouble() < 0.4 ? 1 : 0;
            var hard = country == "BR" && device == "ios";
            var score = Math.Round(Math.Clamp((y == 1 ? 0.65 : 0.35) + ((hard ? 0.35 : 0.2) * Gaussian(rng)), 0.001, 0.999), 4);
            var prediction = new ModelEvent
            {
                Kind = EventKind.Prediction,
                PredictionId = id,
                EventTimeUnixNano = Nanos(at),
                ReceivedUnixNano = Nanos(at),
                ModelVersion = rng.NextDouble() < 0.2 ? "v2" : "v1",
                Score = score,
                LatencyMs = Math.Round(5 + (20 * rng.NextDouble()), 2),
                Features = rng.NextDouble() < 0.02
                    ? [new FeatureValue("income", null, null), new FeatureValue("age", age, null), new FeatureValue("plan", null, plan)]
                    : [new FeatureValue("income", income, null), new FeatureValue("age", age, null), new FeatureValue("plan", null, plan)],
                Segments = model == "credit" ? [new SegmentValue("country", country), new SegmentValue("device", device)] : [new SegmentValue("country", country)],
            };
            ModelEvent? label = rng.NextDouble() < (model == "credit" ? 0.8 : 0.4)
                ? new ModelEvent { Kind = EventKind.Label, PredictionId = id, EventTimeUnixNano = 0, LabelNumber = y }
                : null;
            return (prediction, label);
        }

        private async Task MutateAsync(string name, HttpMethod method, string path, string body, string contentType = "application/json")
        {
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
            using var response = await Http.SendAsync(request);
            Mutations.Add((name, $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}\n{Pretty(await response.Content.ReadAsStringAsync())}"));
        }

        private static string ReferenceCsv()
        {
            var rng = new Random(7);
            var csv = new StringBuilder("income,age,plan,score\n");
            for (var i = 0; i < 600; i++)
            {
                var y = rng.NextDouble() < 0.4 ? 1 : 0;
                csv.Append(string.Create(CultureInfo.InvariantCulture, $"{Math.Round(3000 + (800 * Gaussian(rng)), 2)},{Math.Round(40 + (12 * Gaussian(rng)), 1)},{Plans[rng.Next(Plans.Length)]},{Math.Round(Math.Clamp((y == 1 ? 0.65 : 0.35) + (0.2 * Gaussian(rng)), 0.001, 0.999), 4)}\n"));
            }

            return csv.ToString();
        }

        private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

        private static long Nanos(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
    }
}
