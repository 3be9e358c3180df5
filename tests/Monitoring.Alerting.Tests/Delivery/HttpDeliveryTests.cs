using System.Net;
using System.Net.Sockets;
using System.Text;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Notifiers;
using Monitoring.Alerting.Tests.Support;
using Monitoring.Testing;
using Xunit;

namespace Monitoring.Alerting.Tests.Delivery;

public sealed class HttpDeliveryTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"x\":1}");

    private static DeliveryTarget Target(Uri url, string kind = "webhook") => new(kind, "team-hook", url, [], null);

    [Fact]
    public async Task Loopback_Listener_IsRefusedByDefault_AndReachedOnlyWithAllowPrivateTargets()
    {
        await using var hook = await FakeReceiver.StartAsync();
        using var strict = new HttpDelivery();
        using var lenient = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true });

        var refused = await strict.PostJsonAsync(Target(hook.Url("/hook")), Body, CancellationToken.None);
        Assert.Empty(hook.Requests);
        var delivered = await lenient.PostJsonAsync(Target(hook.Url("/hook")), Body, CancellationToken.None);

        Assert.False(refused.Success);
        Assert.False(refused.Retryable);
        Assert.Equal("webhook: target refused: loopback address (AllowPrivateTargets is false)", refused.Error);
        Assert.True(delivered.Success);
        Assert.Equal("{\"x\":1}", Assert.Single(hook.Requests).Body);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    public async Task MetadataAddress_IsAlwaysRefused_EvenWithAllowPrivateTargets(string url)
    {
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true });

        var result = await delivery.PostJsonAsync(Target(new Uri(url)), Body, CancellationToken.None);

        Assert.False(result.Success);
        Assert.False(result.Retryable);
        Assert.Equal("webhook: target refused: cloud metadata address", result.Error);
    }

    [Fact]
    public async Task HostName_IsCheckedOnEveryAddressItResolvesTo_AtConnectTime()
    {
        await using var hook = await FakeReceiver.StartAsync();
        var answers = new Queue<IPAddress[]>(
        [
            [IPAddress.Loopback],
            [IPAddress.Loopback, IPAddress.Parse("169.254.169.254")],
        ]);
        var lookups = 0;
        Task<IPAddress[]> Resolve(string host, CancellationToken ct)
        {
            Assert.Equal("hooks.example.test", host);
            lookups++;
            return Task.FromResult(answers.Dequeue());
        }
        var url = new UriBuilder(hook.Url("/hook")) { Host = "hooks.example.test" }.Uri;
        using var first = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true }, null, null, Resolve);
        using var second = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true }, null, null, Resolve);

        // The name resolves to the listener: the connect goes to the address that was checked.
        var delivered = await first.PostJsonAsync(Target(url), Body, CancellationToken.None);
        // The same name now also answers with the metadata address (rebinding): refused before any connect.
        var rebound = await second.PostJsonAsync(Target(url), Body, CancellationToken.None);

        Assert.True(delivered.Success);
        Assert.Equal("webhook: target refused: cloud metadata address", rebound.Error);
        Assert.Equal(2, lookups);
        Assert.Single(hook.Requests);
    }

    [Fact]
    public async Task PrivateAddress_BehindAPublicOne_IsRefused()
    {
        Task<IPAddress[]> Resolve(string host, CancellationToken ct) => Task.FromResult(new[] { IPAddress.Parse("93.184.215.14"), IPAddress.Parse("10.0.0.7") });
        using var delivery = new HttpDelivery(new HttpDeliveryOptions(), null, null, Resolve);

        var result = await delivery.PostJsonAsync(Target(new Uri("https://mixed.example.test/hook")), Body, CancellationToken.None);

        Assert.Equal("webhook: target refused: private address (AllowPrivateTargets is false)", result.Error);
        Assert.False(result.Retryable);
    }

    [Fact]
    public async Task Redirect_IsNotFollowed_AndIsAFinalFailure()
    {
        await using var hook = await FakeReceiver.StartAsync();
        hook.Respond(302, "", ("Location", hook.Url("/elsewhere").AbsoluteUri));
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true });

        var result = await delivery.PostJsonAsync(Target(hook.Url("/hook")), Body, CancellationToken.None);

        Assert.False(result.Success);
        Assert.False(result.Retryable);
        Assert.Equal(302, result.StatusCode);
        Assert.Equal("webhook: HTTP 302 (redirect not followed)", result.Error);
        Assert.Equal("/hook", Assert.Single(hook.Requests).Path);
    }

    [Fact]
    public async Task HangingTarget_TimesOutAfterTheAttemptTimeout_AsARetryableFailure()
    {
        var time = new SignallingTimeProvider();
        await using var hook = await FakeReceiver.StartAsync(time);
        hook.Hang();
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true, AttemptTimeout = TimeSpan.FromSeconds(17) }, time);

        var send = delivery.PostJsonAsync(Target(hook.Url("/hook")), Body, CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(17), await time.NextTimerAsync());
        await hook.NextAsync();
        time.Advance(TimeSpan.FromSeconds(17));
        var result = await send;

        Assert.False(result.Success);
        Assert.True(result.Retryable);
        Assert.Equal("webhook: timed out after 17 s", result.Error);
    }

    [Fact]
    public async Task ClosedPort_IsARetryableConnectionFailure()
    {
        var port = LoopbackPorts.Take(1)[0];
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true });

        var result = await delivery.PostJsonAsync(Target(new Uri($"http://127.0.0.1:{port}/hook")), Body, CancellationToken.None);

        Assert.True(result.Retryable);
        Assert.Equal("webhook: connection refused", result.Error);
    }

    [Fact]
    public async Task RetryAfter_AsAnHttpDate_IsTheTimeUntilThatDate()
    {
        var time = new SignallingTimeProvider();
        await using var hook = await FakeReceiver.StartAsync();
        hook.Respond(503, "busy", ("Retry-After", time.GetUtcNow().AddSeconds(90).ToString("R")));
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true }, time);

        var result = await delivery.PostJsonAsync(Target(hook.Url("/hook")), Body, CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(90), result.RetryAfter);
        Assert.Equal("webhook: HTTP 503 busy", result.Error);
    }

    [Theory]
    [InlineData("ftp://files.example.com/x")]
    [InlineData("file:///etc/passwd")]
    public async Task NonHttpUrl_IsRefused(string url)
    {
        using var delivery = new HttpDelivery();
        var result = await delivery.PostJsonAsync(Target(new Uri(url)), Body, CancellationToken.None);
        Assert.Equal("webhook: target refused: the URL must be absolute http or https", result.Error);
    }

    [Fact]
    public async Task SlackNotifier_ToALoopbackWebhook_IsRefusedWithoutAllowPrivateTargets()
    {
        await using var slack = await FakeReceiver.StartAsync();
        using var delivery = new HttpDelivery();
        var notifier = new SlackNotifier(new SlackNotifierOptions(slack.Url("/services/T0/B0/x")), delivery);

        var result = await notifier.SendAsync(Alerts.Group(Alerts.Drift()), CancellationToken.None);

        Assert.Equal("slack: target refused: loopback address (AllowPrivateTargets is false)", result.Error);
        Assert.Empty(slack.Requests);
    }

    [Fact]
    public async Task NameResolutionFailure_IsRetryable()
    {
        Task<IPAddress[]> Resolve(string host, CancellationToken ct) => throw new SocketException((int)SocketError.HostNotFound);
        using var delivery = new HttpDelivery(new HttpDeliveryOptions(), null, null, Resolve);

        var result = await delivery.PostJsonAsync(Target(new Uri("https://nowhere.example.test/hook")), Body, CancellationToken.None);

        Assert.True(result.Retryable);
        Assert.Equal("webhook: name resolution failed", result.Error);
    }
}
