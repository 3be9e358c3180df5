using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Time;
using Monitoring.Testing;

namespace Monitoring.LoadTest;

/// <summary>The alerting latency run: window close to the webhook listener receiving that model's notification.</summary>
/// <param name="Models">Models that got traffic.</param>
/// <param name="Closed">Models whose window was closed (one at a time) and measured.</param>
/// <param name="Rules">Rules loaded by the silo.</param>
/// <param name="Notified">Models whose notification arrived within the timeout.</param>
/// <param name="FromCloseResponse">From the close request's response to the listener receiving the notification (ms; negative when it arrived first).</param>
/// <param name="FromCloseRequest">From sending the close request to the notification (ms).</param>
/// <param name="CloseRoundTrip">Same-run baseline: the close request's own round trip (ms).</param>
/// <param name="Notifications">Webhook requests the listener received.</param>
internal sealed record AlertingResult(
    int Models,
    int Closed,
    int Rules,
    int Notified,
    LatencySummary FromCloseResponse,
    LatencySummary FromCloseRequest,
    LatencySummary CloseRoundTrip,
    long Notifications,
    double TrafficSeconds,
    ErrorCounts TrafficErrors);

internal static partial class Scenarios
{
    /// <summary>The rule every model's closed window fires (the one the latency is measured on).</summary>
    private const string MeasuredAlert = "WindowClosedWithTraffic";

    /// <summary>
    /// Generated rules (<c>AlertingRules</c>: one fleet-wide <c>window_volume &gt; 0</c> rule that fires for every model's
    /// closed window, the rest a per-model mix as in AlertingBenchmarks), an Alertmanager configuration whose only
    /// receiver is a webhook to a Kestrel listener in this process (group_by [alertname, model], group_wait 0s), and a
    /// silo started with them. Every model gets a 1-hour window with a day of allowed lateness (so nothing closes on its
    /// own), a reference that its traffic drifts from, and one request of records timed two hours ago; then, one model at
    /// a time, <c>POST .../windows/close</c>,
    /// and the time from its response to the listener receiving that model's notification.
    /// </summary>
    public static async Task<AlertingResult> AlertingAsync(LoadOptions o)
    {
        var directory = Path.Combine(Path.GetTempPath(), "monitoring-alerting-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        try
        {
            var received = new ConcurrentDictionary<int, long>();
            long notifications = 0;
            var port = LoopbackPorts.Take(1)[0];
            var listener = WebApplication.CreateSlimBuilder();
            listener.Logging.ClearProviders();
            listener.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
            await using var app = listener.Build();
            app.MapPost("/hook", async (HttpRequest request) =>
            {
                var at = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref notifications);
                using var body = await JsonDocument.ParseAsync(request.Body);
                foreach (var alert in body.RootElement.GetProperty("alerts").EnumerateArray())
                {
                    var labels = alert.GetProperty("labels");
                    if (labels.TryGetProperty("alertname", out var name) && name.GetString() == MeasuredAlert &&
                        labels.TryGetProperty("model", out var model) && model.GetString() is { } m && m.StartsWith(OtlpRequestTemplate.ModelPrefix, StringComparison.Ordinal))
                    {
                        received.TryAdd(int.Parse(m.AsSpan(OtlpRequestTemplate.ModelPrefix.Length), CultureInfo.InvariantCulture), at);
                    }
                }

                return Results.Ok();
            });
            await app.StartAsync();

            var rulesPath = Path.Combine(directory, "rules.yml");
            var configPath = Path.Combine(directory, "alertmanager.yml");
            await File.WriteAllTextAsync(rulesPath, AlertingRuleFile(o.AlertingRules, o.AlertingModels, o.AlertingMix));
            await File.WriteAllTextAsync(configPath, $"""
                route:
                  receiver: listener
                  group_by: [alertname, model]
                  group_wait: 0s
                  group_interval: 5m
                  repeat_interval: 4h
                receivers:
                  - name: listener
                    webhook_configs:
                      - url: http://127.0.0.1:{port}/hook
                        send_resolved: false
                """);
            var environment = new Dictionary<string, string>(o.SiloEnvironment)
            {
                ["Monitoring__Alerting__RulesPath"] = rulesPath,
                ["Monitoring__Alerting__ConfigFile"] = configPath,
                ["Monitoring__Alerting__AllowPrivateTargets"] = "true",
            };

            await QuietAsync(o);
            await using var silo = await SiloUnderTest.StartAsync(o.SiloDll, o.KeepData, o.SiloArguments, o.SiloLog, environment);
            Console.Write($"[silo pid {silo.ProcessId}, {o.AlertingRules:N0} rules, {o.AlertingMix} mix] ");
            using var api = new HttpClient { BaseAddress = silo.Api, Timeout = TimeSpan.FromMinutes(2) };

            var setupStart = Stopwatch.GetTimestamp();

            // Settings first, so the window the traffic lands in stays open until it is closed by hand.
            for (var m = 0; m < o.AlertingModels; m++)
            {
                using var put = await api.PutAsJsonAsync($"api/models/default/{OtlpRequestTemplate.ModelId(m)}/settings",
                    new { window_seconds = 3600, allowed_lateness_seconds = 86_400 });
                if (!put.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"settings of {OtlpRequestTemplate.ModelId(m)}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
                }
            }

            Console.Write($"[settings {Seconds(Stopwatch.GetTimestamp() - setupStart):F0} s] ");

            // A reference per model that the traffic drifts from: its numeric features centred one standard deviation
            // below the traffic's (the request templates draw feature f from N(10 f, 1 + f)).
            var reference = ReferenceCsv(o.Features - o.Categorical, rows: 500, new Random(17));
            for (var m = 0; m < o.AlertingModels; m++)
            {
                using var upload = await api.PutAsync($"api/models/default/{OtlpRequestTemplate.ModelId(m)}/reference?source=reference.csv",
                    new StringContent(reference, Encoding.UTF8, "text/csv"));
                if (!upload.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"reference of {OtlpRequestTemplate.ModelId(m)}: {(int)upload.StatusCode} {await upload.Content.ReadAsStringAsync()}");
                }
            }

            Console.Write($"[references {Seconds(Stopwatch.GetTimestamp() - setupStart):F0} s] ");

            // One request per model, all records two hours old (a window that has ended but is within the lateness).
            var random = new Random(13);
            const int connections = 4;
            var templates = Enumerable.Range(0, connections).Select(_ => OtlpRequestTemplate.Create(o.Records, o.Features, o.Categorical, random)).ToArray();
            using var sender = new OtlpSender(silo.OtlpHttp, connections, h2c: false);
            var models = new ModelAssignment(o.AlertingModels, o.Records);
            var counts = new OutcomeCounts();
            var eventTime = (ulong)UnixNanos.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-2));
            long next = -1;
            var trafficStart = Stopwatch.GetTimestamp();

            async Task Worker(int w)
            {
                long request;
                while ((request = Interlocked.Increment(ref next)) < o.AlertingModels)
                {
                    templates[w].Patch(eventTime, request * o.Records, models);
                    counts.Add(await sender.SendAsync(templates[w], w));
                }
            }

            await Task.WhenAll(Enumerable.Range(0, connections).Select(w => Task.Run(() => Worker(w))));
            var trafficSeconds = Seconds(Stopwatch.GetTimestamp() - trafficStart);
            Console.Write($"[traffic {Seconds(Stopwatch.GetTimestamp() - setupStart):F0} s] ");

            var fromResponse = new List<double>();
            var fromRequest = new List<double>();
            var roundTrip = new LatencyRecorder();
            var notified = 0;
            var closes = Math.Min(o.AlertingCloses ?? o.AlertingModels, o.AlertingModels);
            for (var c = 0; c < closes; c++)
            {
                var m = (int)((long)c * o.AlertingModels / closes); // spread over the models (and their rule families)
                var sent = Stopwatch.GetTimestamp();
                using var close = await api.PostAsync($"api/models/default/{OtlpRequestTemplate.ModelId(m)}/windows/close", null);
                var answered = Stopwatch.GetTimestamp();
                close.EnsureSuccessStatusCode();
                roundTrip.Record(answered - sent);
                var deadline = answered + Ticks(o.AlertingTimeoutSeconds);
                long at;
                while (!received.TryGetValue(m, out at) && Stopwatch.GetTimestamp() < deadline)
                {
                    await Task.Delay(1);
                }

                if (received.TryGetValue(m, out at))
                {
                    notified++;
                    fromResponse.Add(Seconds(at - answered) * 1000);
                    fromRequest.Add(Seconds(at - sent) * 1000);
                }
                else
                {
                    Console.Write($"[{OtlpRequestTemplate.ModelId(m)}: no notification within {o.AlertingTimeoutSeconds} s] ");
                }
            }

            await app.StopAsync();
            return new AlertingResult(o.AlertingModels, closes, o.AlertingRules, notified, Summarize(fromResponse), Summarize(fromRequest), roundTrip.Summarize(),
                Interlocked.Read(ref notifications), trafficSeconds, counts.ToErrors());
        }
        finally
        {
            if (!o.KeepData)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static string ReferenceCsv(int numeric, int rows, Random random)
    {
        var sb = new StringBuilder(string.Join(',', Enumerable.Range(0, numeric).Select(f => "f" + f.ToString(CultureInfo.InvariantCulture)))).Append('\n');
        for (var r = 0; r < rows; r++)
        {
            sb.AppendJoin(',', Enumerable.Range(0, numeric).Select(f =>
            {
                var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                return Math.Round(((normal - 1) * (1 + f)) + (10 * f), 4).ToString(CultureInfo.InvariantCulture);
            })).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Percentiles of signed millisecond values (a notification may arrive before the close response).</summary>
    private static LatencySummary Summarize(List<double> ms)
    {
        if (ms.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }

        ms.Sort();
        double P(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
        return new LatencySummary(ms.Count, P(0.5), P(0.9), P(0.99), P(0.999), ms[^1], ms.Average());
    }

    /// <summary>
    /// <paramref name="count"/> rules over <paramref name="models"/> models (<c>model-0000</c>...): the measured fleet-wide
    /// rule first, then the mix. <c>per-model</c>: rule i belongs to model i mod N and is that model's
    /// (i div N)-th kind of ten (feature PSI with a feature regex, data quality with or, prediction PSI, drifted-feature
    /// count, feature Jensen-Shannon, volume drop, feature KS, latency, Wasserstein, label coverage), except that the
    /// tenth kind of every hundredth model is a family rule (100 models by regex, with and) and rule 999 of every
    /// thousand is fleet-wide: a drifted window fires a few dozen alerts. <c>storm</c>: the mix of AlertingBenchmarks,
    /// in which a model's own rules are all of one kind and 150 family rules select every model of a family, each
    /// firing per drifted feature (about 2,900 alerts per drifted window).
    /// </summary>
    private static string AlertingRuleFile(int count, int models, string mix)
    {
        var sb = new StringBuilder("groups:\n");
        const int perGroup = 100;
        for (var i = 0; i < count; i++)
        {
            if (i % perGroup == 0)
            {
                sb.Append("  - name: g").Append((i / perGroup).ToString(CultureInfo.InvariantCulture)).Append("\n    rules:\n");
            }

            var model = OtlpRequestTemplate.ModelId(i % models);
            var family = (i % models / 100).ToString(CultureInfo.InvariantCulture);
            var (name, expr) = i == 0 ? (MeasuredAlert, "window_volume > 0") : ("Rule" + i.ToString(CultureInfo.InvariantCulture), mix == "storm" ? (i % 20) switch
            {
                < 10 => $"feature_psi{{model=\"{model}\", feature=~\"f[0-9]|f1[0-7]\"}} > 0.2",
                < 14 => $"feature_null_rate{{model=\"{model}\"}} > 0.05 or feature_out_of_range_rate{{model=\"{model}\"}} > 0.1",
                < 17 => $"feature_jensen_shannon{{tenant=\"default\", model=~\"model-0{family}[0-9]{{2}}\"}} > 0.1 and window_volume{{model=~\"model-0{family}.*\"}} > 100",
                < 19 => $"prediction_psi{{model=\"{model}\"}} > 0.1",
                _ when i % 100 == 19 => "drifted_features > 3 or prediction_drifted == 1",
                _ => $"drifted_features{{model=\"{model}\"}} > 3 or prediction_drifted{{model=\"{model}\"}} == 1",
            } : (i % 1000 == 999, i / models % 10) switch
            {
                (true, _) => "drifted_features > 5",
                (_, 0) => $"feature_psi{{model=\"{model}\", feature=~\"f[0-9]|f1[0-7]\"}} > 0.2",
                (_, 1) => $"feature_null_rate{{model=\"{model}\"}} > 0.05 or feature_out_of_range_rate{{model=\"{model}\"}} > 0.1",
                (_, 2) => $"prediction_psi{{model=\"{model}\"}} > 0.1",
                (_, 3) => $"drifted_features{{model=\"{model}\"}} > 3 or prediction_drifted{{model=\"{model}\"}} == 1",
                (_, 4) => $"feature_jensen_shannon{{model=\"{model}\"}} > 0.1",
                (_, 5) => $"window_volume{{model=\"{model}\"}} < 10",
                (_, 6) => $"feature_ks{{model=\"{model}\", feature=~\"f1[0-9]\"}} > 0.3",
                (_, 7) => $"latency_p99_ms{{model=\"{model}\"}} > 500",
                (_, 8) => $"feature_wasserstein{{model=\"{model}\", feature=\"f0\"}} > 1",
                _ when i % models % 100 == 0 => $"feature_psi{{tenant=\"default\", model=~\"model-0{family}[0-9]{{2}}\", feature=\"f1\"}} > 0.25 and window_volume{{model=~\"model-0{family}.*\"}} > 100",
                _ => $"label_coverage{{model=\"{model}\"}} < 0.5",
            });
            sb.Append("      - alert: ").Append(name).Append('\n')
                .Append("        expr: '").Append(expr).Append("'\n")
                .Append("        labels: {severity: ").Append(i % 3 == 0 ? "page" : "warning").Append("}\n")
                .Append("        annotations:\n")
                .Append("          summary: '{{ $labels.model }}: {{ $value | humanize }}'\n");
        }

        return sb.ToString();
    }
}
