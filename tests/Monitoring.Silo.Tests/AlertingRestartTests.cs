using System.Net;
using System.Text.Json;
using Monitoring.Alerting.Tests.Support;
using Monitoring.Client;
using Microsoft.AspNetCore.Http;
using Monitoring.Testing;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>
/// Alert state and delivery across silo kills (SIGKILL, no graceful shutdown): a notification that could not be
/// delivered before the kill is delivered after the restart (at least once), and one that was delivered is not sent
/// again (the notification log is persisted).
/// </summary>
public sealed class AlertingRestartTests : IAsyncLifetime
{
    private const string Model = "restart-model";
    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-alert-restart-").FullName;
    private readonly SiloProcess.Ports _ports = SiloProcess.FromArray(LoopbackPorts.Take(5));
    private FakeReceiver _hook = null!;
    private Dictionary<string, string> _environment = null!;

    public async Task InitializeAsync()
    {
        _hook = await FakeReceiver.StartAsync();
        var rules = await DriftAlerting.WriteRulesAsync(_data, "restart");
        var config = await DriftAlerting.WriteWebhookRouteAsync(_data, _hook.Url("hook"), "alertname");
        _environment = new Dictionary<string, string>
        {
            ["Monitoring__Alerting__RulesPath"] = rules,
            ["Monitoring__Alerting__ConfigFile"] = config,
            ["Monitoring__Alerting__AllowPrivateTargets"] = "true",
        };
    }

    public async Task DisposeAsync()
    {
        await _hook.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task UndeliveredNotification_IsDeliveredAfterAKill_AndADeliveredOneIsNotRepeated()
    {
        var silo = Path.Combine(_data, "silo");
        var rng = new Random(9);
        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 3) * window.Ticks, TimeSpan.Zero);

        // 1. The receiver is down (503 to every attempt, retries included): the alert fires, its delivery keeps failing;
        // then the silo is killed. From the restart on the receiver is up.
        var down = true;
        var accepted = 0; // requests answered 200: the one delivery after the restart, then the resolve
        for (var i = 0; i < 100; i++)
        {
            _hook.Respond(async ctx =>
            {
                var refuse = Volatile.Read(ref down);
                if (!refuse)
                {
                    Interlocked.Increment(ref accepted);
                }
                ctx.Response.StatusCode = refuse ? 503 : 200;
                await ctx.Response.WriteAsync("ok");
            });
        }
        await using (var first = await SiloProcess.StartAsync(silo, _ports, _environment))
        {
            using var api = new ApiClient(first.Api);
            await DriftAlerting.ConfigureModelAsync(api, Model, rng, referenceRows: 2000, withCountry: false);
            Traffic.SendAndAck(first.OtlpGrpc, OtlpProtocol.Grpc,
                Enumerable.Range(0, 600).Select(i => Traffic.Prediction(Model, $"a{i}", start.AddMilliseconds(i * 50), 50 + 10 * Traffic.Gaussian(rng), "US", 0.4)));
            Assert.Equal(HttpStatusCode.OK, (await api.Http.PostAsync($"/api/models/default/{Model}/windows/close", null)).StatusCode);
            var failed = await _hook.NextAsync(); // the first attempt, answered 503
            Assert.Contains("\"status\":\"firing\"", failed.Body, StringComparison.Ordinal);
            first.Kill();
            Volatile.Write(ref down, false);
            _hook.Drain(); // retries refused before the kill (one still in flight may arrive later: also a refused "firing")
        }

        // 2. Restarted: the persisted alert is delivered (the receiver answers 200 from now on), exactly once.
        await using (var second = await SiloProcess.StartAsync(silo, _ports, _environment))
        {
            var delivered = JsonDocument.Parse((await _hook.NextAsync()).Body).RootElement;
            Assert.Equal("firing", delivered.GetProperty("status").GetString());
            Assert.Equal("FeatureDrift", delivered.GetProperty("alerts")[0].GetProperty("labels").GetProperty("alertname").GetString());
            await second.WaitForLineAsync("Notified hook (webhook)"); // logged once the delivery is in the persisted log
            second.Kill();
            _hook.Drain(); // a late refused retry of the first silo, if the request above was one: the delivery itself
        }

        // 3. Restarted again: the delivered alert is not sent again. Recovery then sends the resolve, which must be the
        // very next request the receiver gets (a repeated "firing" would arrive before it).
        await using (var third = await SiloProcess.StartAsync(silo, _ports, _environment))
        {
            using var api = new ApiClient(third.Api);
            Traffic.SendAndAck(third.OtlpGrpc, OtlpProtocol.Grpc,
                Enumerable.Range(0, 600).Select(i => Traffic.Prediction(Model, $"b{i}", start.AddMinutes(1).AddMilliseconds(i * 50), 40 + 10 * Traffic.Gaussian(rng), "US", 0.4)));
            Assert.Equal(HttpStatusCode.OK, (await api.Http.PostAsync($"/api/models/default/{Model}/windows/close", null)).StatusCode);
            var next = JsonDocument.Parse((await _hook.NextAsync()).Body).RootElement;
            Assert.Equal("resolved", next.GetProperty("status").GetString());
        }
        // Every request before the resolve was the same firing notification: refused while down, delivered once after.
        var requests = _hook.Requests;
        Assert.All(requests.SkipLast(1), r => Assert.Contains("\"status\":\"firing\"", r.Body, StringComparison.Ordinal));
        Assert.Equal(2, Volatile.Read(ref accepted));
    }
}
