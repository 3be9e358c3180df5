using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Notifiers;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Tests.Support;
using Xunit;

namespace Monitoring.Alerting.Tests.Delivery;

public sealed class RetryPolicyTests
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(17);

    private static bool IsAttemptTimeout(TimeSpan due) => due == AttemptTimeout;

    [Fact]
    public async Task Slack_503Then429WithRetryAfter2Then200_IsDeliveredOnce_AndTheSecondRetryWaitsTheRetryAfter()
    {
        var time = new SignallingTimeProvider();
        await using var slack = await FakeReceiver.StartAsync(time);
        slack.Respond(503, "service unavailable").Respond(429, "{\"retry_after\":2,\"ok\":false,\"error\":\"rate_limited\"}", ("Retry-After", "2")).Respond(200, "ok");
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true, AttemptTimeout = AttemptTimeout }, time);
        var notifier = new SlackNotifier(new SlackNotifierOptions(slack.Url("/services/T0/B0/secret")), delivery);
        var policy = new RetryPolicy(new RetryPolicyOptions { BaseDelay = TimeSpan.FromSeconds(1) }, time);

        var (result, waits) = await time.DriveAsync(policy.SendAsync(notifier, Alerts.Group(Alerts.Drift()), CancellationToken.None), IsAttemptTimeout);

        Assert.True(result.Success);
        var requests = slack.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Single(requests.Select(r => r.Body).Distinct());
        // The 429 came with the second request; the third went exactly Retry-After later on the fake clock.
        Assert.Equal(TimeSpan.FromSeconds(2), requests[2].At - requests[1].At);
        Assert.Equal(TimeSpan.FromSeconds(2), waits[^1]);
        // The first retry waited a jittered backoff (plus what the 1/s bucket asked for), never nothing.
        Assert.True(requests[1].At > requests[0].At);
    }

    [Fact]
    public async Task PagerDuty400_IsNotRetried()
    {
        var time = new SignallingTimeProvider();
        await using var pagerDuty = await FakeReceiver.StartAsync(time);
        pagerDuty.Respond(400, "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\"}");
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true, AttemptTimeout = AttemptTimeout }, time);
        var notifier = new PagerDutyNotifier(new PagerDutyNotifierOptions("k", pagerDuty.Url("/v2/enqueue")), delivery);
        var policy = new RetryPolicy(null, time);

        var (result, waits) = await time.DriveAsync(policy.SendAsync(notifier, Alerts.Group(Alerts.Drift()), CancellationToken.None), IsAttemptTimeout);

        Assert.False(result.Success);
        Assert.False(result.Retryable);
        Assert.Single(pagerDuty.Requests);
        Assert.Empty(waits);
    }

    [Fact]
    public async Task PersistentFailure_StopsAfterMaxAttempts_ReturningTheLastResult()
    {
        var time = new SignallingTimeProvider();
        var attempts = 0;
        var policy = new RetryPolicy(new RetryPolicyOptions { MaxAttempts = 4, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(5) }, time);

        var (result, waits) = await time.DriveAsync(
            policy.ExecuteAsync("webhook", _ => Task.FromResult(new DeliveryResult(false, true, null, $"webhook: HTTP 50{++attempts}", 500 + attempts)), CancellationToken.None),
            _ => false);

        Assert.Equal(4, attempts);
        Assert.Equal("webhook: HTTP 504", result.Error);
        Assert.Equal(3, waits.Count);
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task RetryAfterBeyondTheBudget_IsNotWaitedFor_ButReportedForTheNextFlush()
    {
        var time = new SignallingTimeProvider();
        var attempts = 0;
        var policy = new RetryPolicy(new RetryPolicyOptions { TotalBudget = TimeSpan.FromMinutes(1) }, time);

        var (result, waits) = await time.DriveAsync(
            policy.ExecuteAsync("pagerduty", _ =>
            {
                attempts++;
                return Task.FromResult(new DeliveryResult(false, true, TimeSpan.FromMinutes(3), "pagerduty: HTTP 429", 429));
            }, CancellationToken.None),
            _ => false);

        Assert.Equal(1, attempts);
        Assert.Empty(waits);
        Assert.True(result.Retryable);
        Assert.Equal(TimeSpan.FromMinutes(3), result.RetryAfter);
    }

    [Fact]
    public async Task RetryAfter_LongerThanMaxDelay_IsStillHonoured()
    {
        var time = new SignallingTimeProvider();
        var attempts = 0;
        var policy = new RetryPolicy(new RetryPolicyOptions { MaxDelay = TimeSpan.FromSeconds(30) }, time);

        var (result, waits) = await time.DriveAsync(
            policy.ExecuteAsync("slack", _ => Task.FromResult(++attempts == 1
                ? new DeliveryResult(false, true, TimeSpan.FromSeconds(45), "slack: HTTP 429 rate_limited", 429)
                : DeliveryResult.Delivered), CancellationToken.None),
            _ => false);

        Assert.True(result.Success);
        Assert.Equal([TimeSpan.FromSeconds(45)], waits);
    }

    [Fact]
    public async Task Retries_StopOnceTheBudgetIsSpent()
    {
        var time = new SignallingTimeProvider();
        var attempts = 0;
        var policy = new RetryPolicy(new RetryPolicyOptions { MaxAttempts = 100, TotalBudget = TimeSpan.FromSeconds(10) }, time);

        var (_, waits) = await time.DriveAsync(
            policy.ExecuteAsync("webhook", _ =>
            {
                attempts++;
                return Task.FromResult(new DeliveryResult(false, true, TimeSpan.FromSeconds(3), "webhook: HTTP 503", 503));
            }, CancellationToken.None),
            _ => false);

        // Retry-After 3 s each time: attempts at 0, 3, 6, 9 s; a fifth would start at 12 s, past the 10 s budget.
        Assert.Equal(4, attempts);
        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)], waits);
    }

    [Fact]
    public async Task Cancellation_DuringABackoff_Throws()
    {
        var time = new SignallingTimeProvider();
        using var cts = new CancellationTokenSource();
        var policy = new RetryPolicy(null, time);

        var send = policy.ExecuteAsync("webhook", _ => Task.FromResult(new DeliveryResult(false, true, null, "webhook: HTTP 503", 503)), cts.Token);
        await time.NextTimerAsync();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }
}
