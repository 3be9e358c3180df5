using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Tests.Support;
using Monitoring.Client;
using Monitoring.Testing;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>
/// <c>Monitoring:Alerting:Alertmanagers</c> against Debian's real <c>prometheus-alertmanager</c> (0.25) on loopback: the
/// silo posts the firing alert to its API v2, and Alertmanager's own webhook delivers it to a listener.
/// </summary>
public sealed class AlertmanagerForwardingTests : IAsyncLifetime
{
    private const string Binary = "/usr/bin/prometheus-alertmanager";
    private const string Model = "forwarded-model";

    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-am-").FullName;
    private readonly TaskCompletionSource _amReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FakeReceiver _hook = null!;
    private Process _alertmanager = null!;
    private SiloProcess _silo = null!;
    private ApiClient _api = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: run scripts/test.sh, which installs Debian's prometheus-alertmanager");
        _hook = await FakeReceiver.StartAsync();
        var port = LoopbackPorts.Take(1)[0];
        var config = Path.Combine(_data, "am.yml");
        await File.WriteAllTextAsync(config, $"""
            route:
              receiver: hook
              group_by: [alertname, model]
              group_wait: 0s
              group_interval: 1s
            receivers:
              - name: hook
                webhook_configs:
                  - url: {_hook.Url("hook")}
            """);
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { $"--config.file={config}", $"--storage.path={Path.Combine(_data, "am-data")}", $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=" })
        {
            start.ArgumentList.Add(arg);
        }
        _alertmanager = Process.Start(start)!;
        _alertmanager.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _alertmanager.OutputDataReceived += (_, e) => OnLine(e.Data);
        _alertmanager.BeginErrorReadLine();
        _alertmanager.BeginOutputReadLine();
        await _amReady.Task.WaitAsync(TimeSpan.FromSeconds(30));

        _silo = await SiloProcess.StartAsync(Path.Combine(_data, "silo"), environment: new Dictionary<string, string>
        {
            ["Monitoring__Alerting__RulesPath"] = await RulesAsync(),
            ["Monitoring__Alerting__Alertmanagers__0"] = $"http://127.0.0.1:{port}",
            ["Monitoring__Alerting__AllowPrivateTargets"] = "true",
        });
        _api = new ApiClient(_silo.Api);
    }

    private void OnLine(string? line)
    {
        // Alertmanager logs "Listening on" once its API accepts connections.
        if (line is not null && line.Contains("Listening on", StringComparison.Ordinal))
        {
            _amReady.TrySetResult();
        }
    }

    private async Task<string> RulesAsync()
    {
        var path = Path.Combine(_data, "rules.yml");
        await File.WriteAllTextAsync(path, """
            groups:
              - name: forward
                rules:
                  - alert: FeatureDrift
                    expr: feature_psi{feature="age"} > 0.2
                    labels: {severity: page}
                    annotations:
                      runbook_url: "{{ $externalURL }}/runbooks/feature-drift"
            """);
        return path;
    }

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
        if (_alertmanager is { HasExited: false })
        {
            _alertmanager.Kill(entireProcessTree: true);
            await _alertmanager.WaitForExitAsync();
        }
        _alertmanager?.Dispose();
        await _hook.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task FiringAlert_ReachesAlertmanager_WhoseWebhookDeliversItWithOurFingerprint()
    {
        var rng = new Random(3);
        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 3) * window.Ticks, TimeSpan.Zero);
        await DriftAlerting.ConfigureModelAsync(_api, Model, rng, referenceRows: 2000, withCountry: false);
        Traffic.SendAndAck(_silo.OtlpGrpc, OtlpProtocol.Grpc,
            Enumerable.Range(0, 600).Select(i => Traffic.Prediction(Model, $"a{i}", start.AddMilliseconds(i * 50), 50 + 10 * Traffic.Gaussian(rng), "US", 0.4)));
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.PostAsync($"/api/models/default/{Model}/windows/close", null)).StatusCode);

        var delivered = JsonDocument.Parse((await _hook.NextAsync()).Body).RootElement;
        Assert.Equal("4", delivered.GetProperty("version").GetString());
        Assert.Equal("firing", delivered.GetProperty("status").GetString());
        var alert = Assert.Single(delivered.GetProperty("alerts").EnumerateArray().ToList());
        var labels = alert.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.Equal("FeatureDrift", labels["alertname"]);
        Assert.Equal(Model, labels["model"]);
        Assert.Equal("age", labels["feature"]);
        Assert.Equal("http://127.0.0.1:" + _silo.Endpoints.Api + "/runbooks/feature-drift", alert.GetProperty("annotations").GetProperty("runbook_url").GetString());
        // Alertmanager computed the fingerprint of the labels we sent: ours must be the same function.
        Assert.Equal(LabelSet.From(labels).FingerprintHex, alert.GetProperty("fingerprint").GetString());
        Assert.Equal("{}:{alertname=\"FeatureDrift\", model=\"" + Model + "\"}", delivered.GetProperty("groupKey").GetString());
    }

}
