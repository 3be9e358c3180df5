using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Notifiers;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Tests.Support;
using Monitoring.Testing;
using Xunit;

namespace Monitoring.Alerting.Tests.Delivery;

/// <summary>
/// Every failure path, with a receiver that echoes what it got: the webhook URL's secret part and the routing key must
/// appear in no <see cref="DeliveryResult.Error"/>, no log entry (message, values, exception) and no exception.
/// </summary>
public sealed class SecretRedactionTests
{
    private const string SlackToken = "xoxbSECRETTOKEN123";
    private const string SlackPath = "/services/T0SECRET/B0SECRET/" + SlackToken;
    private const string RoutingKey = "PDKEYSECRET0123456789abcdef01234";
    private const string SecretHost = "xoxbsecrethost.example.test";

    private static readonly string[] Secrets = [SlackToken, "T0SECRET", "B0SECRET", RoutingKey, "xoxbsecrethost"];

    private sealed class Capture
    {
        public CapturingLogger Logger { get; } = new();

        public List<string> Seen { get; } = [];

        public async Task RunAsync(Func<Task<DeliveryResult>> path)
        {
            try
            {
                var result = await path();
                Assert.False(result.Success);
                Seen.Add(result.Error ?? string.Empty);
                Seen.Add(result.ToString());
            }
            catch (Exception e)
            {
                Seen.Add(e.ToString());
            }
        }

        public void AssertNoSecret()
        {
            foreach (var text in Seen.Concat(Logger.Entries))
            {
                foreach (var secret in Secrets)
                {
                    Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
                }
            }
        }
    }

    private static async Task Echo(HttpContext ctx, int status)
    {
        ctx.Request.EnableBuffering();
        ctx.Request.Body.Position = 0;
        using var reader = new StreamReader(ctx.Request.Body);
        var body = await reader.ReadToEndAsync();
        ctx.Response.StatusCode = status;
        ctx.Response.Headers.Location = $"http://{ctx.Request.Host}{ctx.Request.Path}?again=1";
        var token = ctx.Request.Path.Value!.Split('/')[^1];
        await ctx.Response.WriteAsync($"invalid_payload for {ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.Path} token {token} got {body}");
    }

    [Fact]
    public async Task Secrets_AppearInNoErrorLogOrException_OnAnyFailurePath()
    {
        var capture = new Capture();
        var time = new SignallingTimeProvider();
        await using var receiver = await FakeReceiver.StartAsync(time);
        using var lenient = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true, AttemptTimeout = TimeSpan.FromSeconds(17) }, time, capture.Logger, null);
        using var strict = new HttpDelivery(new HttpDeliveryOptions(), time, capture.Logger, null);
        Task<IPAddress[]> NoSuchHost(string host, CancellationToken ct) => throw new SocketException((int)SocketError.HostNotFound);
        using var unresolvable = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true }, time, capture.Logger, NoSuchHost);
        var policy = new RetryPolicy(new RetryPolicyOptions { MaxAttempts = 3 }, time, capture.Logger);
        var notification = Alerts.Group(Alerts.Drift());

        SlackNotifier Slack(HttpDelivery d, Uri url) => new(new SlackNotifierOptions(url), d);
        PagerDutyNotifier PagerDuty(HttpDelivery d, Uri url) => new(new PagerDutyNotifierOptions(RoutingKey, url), d);
        var slackUrl = receiver.Url(SlackPath);
        var pdUrl = receiver.Url("/v2/enqueue");

        // Receiver answers with errors that echo the URL, the token and the body (which holds the routing key).
        foreach (var status in (int[])[400, 403, 404, 410, 302, 429, 500])
        {
            receiver.Respond(ctx => Echo(ctx, status));
            await capture.RunAsync(async () => (await time.DriveAsync(Slack(lenient, slackUrl).SendAsync(notification, CancellationToken.None), d => d == TimeSpan.FromSeconds(17))).Result);
            receiver.Respond(ctx => Echo(ctx, status));
            await capture.RunAsync(async () => (await time.DriveAsync(PagerDuty(lenient, pdUrl).SendAsync(notification, CancellationToken.None), d => d == TimeSpan.FromSeconds(17))).Result);
        }
        Assert.Contains(capture.Seen, s => s.Contains("[redacted]", StringComparison.Ordinal));

        // Retries that give up (logs of each retry and of giving up).
        for (var i = 0; i < 3; i++)
        {
            receiver.Respond(ctx => Echo(ctx, 503));
        }
        await capture.RunAsync(async () => (await time.DriveAsync(policy.SendAsync(PagerDuty(lenient, pdUrl), notification, CancellationToken.None), d => d == TimeSpan.FromSeconds(17))).Result);

        // A target that hangs until the attempt timeout.
        receiver.Hang();
        await capture.RunAsync(async () =>
            (await time.DriveAsync(Slack(lenient, slackUrl).SendAsync(Alerts.Group(Alerts.Drift(feature: "hang")), CancellationToken.None), _ => false)).Result);

        // The caller cancels mid-request.
        receiver.Hang();
        await capture.RunAsync(async () =>
        {
            using var cts = new CancellationTokenSource();
            var send = PagerDuty(lenient, pdUrl).SendAsync(Alerts.Group(Alerts.Drift(feature: "cancel")), cts.Token);
            await receiver.NextAsync();
            await cts.CancelAsync();
            return await send;
        });

        // Nothing listening, refused targets, a name that does not resolve, a URL that is not http.
        var closed = new Uri($"http://127.0.0.1:{LoopbackPorts.Take(1)[0]}{SlackPath}");
        await capture.RunAsync(() => Slack(lenient, closed).SendAsync(notification, CancellationToken.None));
        await capture.RunAsync(() => Slack(strict, slackUrl).SendAsync(notification, CancellationToken.None));
        await capture.RunAsync(() => PagerDuty(strict, new Uri("http://10.0.0.1/v2/enqueue")).SendAsync(notification, CancellationToken.None));
        await capture.RunAsync(() => Slack(lenient, new Uri("http://169.254.169.254" + SlackPath)).SendAsync(notification, CancellationToken.None));
        await capture.RunAsync(() => Slack(unresolvable, new Uri($"https://{SecretHost}{SlackPath}")).SendAsync(notification, CancellationToken.None));
        await capture.RunAsync(() => Slack(lenient, new Uri("ftp://files.example.com" + SlackPath)).SendAsync(notification, CancellationToken.None));

        Assert.True(capture.Seen.Count >= 20);
        Assert.Contains(capture.Logger.Entries, e => e.Contains("Giving up", StringComparison.Ordinal));
        Assert.Contains(capture.Logger.Entries, e => e.Contains("timed out", StringComparison.Ordinal));
        Assert.Contains(capture.Seen, e => e.Contains("OperationCanceledException", StringComparison.Ordinal));
        capture.AssertNoSecret();
    }

    [Fact]
    public void OptionsAndTargets_PrintNoSecret()
    {
        var url = new Uri("https://hooks.slack.com" + SlackPath);
        string[] printed =
        [
            new SlackNotifierOptions(url, "#ml").ToString(),
            new WebhookNotifierOptions(url, 5).ToString(),
            new PagerDutyNotifierOptions(RoutingKey, url).ToString(),
            new DeliveryTarget("slack", "ml-oncall", url, [RoutingKey], RateLimit.Slack).ToString(),
        ];

        Assert.All(printed, p => Assert.DoesNotContain("SECRET", p, StringComparison.OrdinalIgnoreCase));
        Assert.Equal("slack target for ml-oncall", printed[3]);
    }

    [Fact]
    public void Redact_RemovesTheUrlItsSegmentsAndTheSecrets()
    {
        var target = new DeliveryTarget("slack", "r", new Uri("https://hooks.slack.com" + SlackPath + "?token=querysecret99"), [RoutingKey], null);
        var echoed = $"bad https://hooks.slack.com{SlackPath} {SlackToken} {RoutingKey.ToUpperInvariant()} querysecret99 channel_not_found";

        var redacted = HttpDelivery.Redact(echoed, target);

        Assert.Equal("bad [redacted] [redacted] [redacted] [redacted] channel_not_found", redacted);
    }
}
