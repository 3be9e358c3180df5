using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Alerting.Notify;
using Polly;
using Polly.Retry;

namespace Monitoring.Alerting.Delivery;

/// <summary>Settings of <see cref="RetryPolicy"/> (<c>Monitoring:Alerting:Retry</c>).</summary>
public sealed class RetryPolicyOptions
{
    /// <summary>Default attempts in all, the first included.</summary>
    public const int DefaultMaxAttempts = 6;

    /// <summary>Default first backoff; later ones double (with jitter).</summary>
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromSeconds(1);

    /// <summary>Default longest backoff between two attempts (a longer <c>Retry-After</c> is honoured if it fits the budget).</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Default time budget for the retries of one notification: Alertmanager's default group_interval (5 min), after
    /// which the next flush sends the group again anyway.
    /// </summary>
    public static readonly TimeSpan DefaultTotalBudget = TimeSpan.FromMinutes(5);

    /// <summary>Attempts in all, the first included (at least 1).</summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    /// <summary>First backoff; attempt n waits about BaseDelay x 2^(n-1), with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = DefaultBaseDelay;

    /// <summary>Longest exponential backoff.</summary>
    public TimeSpan MaxDelay { get; init; } = DefaultMaxDelay;

    /// <summary>
    /// No retry starts once this much time has passed since the first attempt, and a <c>Retry-After</c> that would end
    /// past it is not waited for (the failure is returned, retryable, for the next flush). The whole call is therefore
    /// bounded by about TotalBudget + MaxDelay + one attempt timeout.
    /// </summary>
    public TimeSpan TotalBudget { get; init; } = DefaultTotalBudget;
}

/// <summary>
/// The retry stage: runs one delivery attempt after another (Polly's retry strategy, exponential backoff with jitter)
/// while the result is retryable, waits what the receiver asked for in <c>Retry-After</c> instead of the backoff, never
/// retries a non-retryable failure (4xx other than 429, a refused target), and stays within a time budget. All waits
/// are on the given <see cref="TimeProvider"/>.
/// </summary>
public sealed class RetryPolicy
{
    private static readonly ResiliencePropertyKey<long> StartKey = new("monitoring.delivery.start");
    private readonly ResiliencePipeline<DeliveryResult> _pipeline;
    private readonly RetryPolicyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Builds the policy.</summary>
    public RetryPolicy(RetryPolicyOptions? options = null, TimeProvider? time = null, ILogger<RetryPolicy>? logger = null)
    {
        _options = options ?? new RetryPolicyOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxAttempts, 1);
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var builder = new ResiliencePipelineBuilder<DeliveryResult> { TimeProvider = _time };
        if (_options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<DeliveryResult>
            {
                MaxRetryAttempts = _options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.BaseDelay,
                MaxDelay = _options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter is { } after ? after : (TimeSpan?)null),
                OnRetry = args =>
                {
                    DeliveryLog.Retrying(_logger, args.Context.OperationKey ?? "delivery", args.AttemptNumber + 2, args.RetryDelay, args.Outcome.Result?.Error);
                    return ValueTask.CompletedTask;
                },
            });
        }
        _pipeline = builder.Build();
    }

    /// <summary>Sends <paramref name="notification"/> through <paramref name="notifier"/>, retrying as described.</summary>
    public Task<DeliveryResult> SendAsync(INotifier notifier, Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        return ExecuteAsync(notifier.Kind, ct => notifier.SendAsync(notification, ct), cancellationToken);
    }

    /// <summary>Runs <paramref name="attempt"/> until it succeeds, fails for good, or the attempts or budget run out; returns the last result.</summary>
    /// <param name="kind">Integration kind, for logs.</param>
    /// <param name="attempt">One attempt; it reports failures as results and throws only when cancelled.</param>
    /// <param name="cancellationToken">Stops waiting and attempting (throws <see cref="OperationCanceledException"/>).</param>
    public async Task<DeliveryResult> ExecuteAsync(string kind, Func<CancellationToken, Task<DeliveryResult>> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var context = ResilienceContextPool.Shared.Get(kind, cancellationToken);
        var state = new AttemptState(attempt);
        try
        {
            context.Properties.Set(StartKey, _time.GetTimestamp());
            var result = await _pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    state.Attempts++;
                    return await state.Attempt(ctx.CancellationToken).ConfigureAwait(false);
                },
                context,
                state).ConfigureAwait(false);
            if (!result.Success && state.Attempts > 1)
            {
                DeliveryLog.GaveUp(_logger, kind, state.Attempts, result.Error);
            }
            return result;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private bool ShouldRetry(Outcome<DeliveryResult> outcome, ResilienceContext context)
    {
        if (outcome.Result is not { Success: false, Retryable: true } result)
        {
            return false;
        }
        var elapsed = _time.GetElapsedTime(context.Properties.GetValue(StartKey, _time.GetTimestamp()));
        var wait = result.RetryAfter ?? TimeSpan.Zero;
        return elapsed + wait <= _options.TotalBudget && elapsed < _options.TotalBudget;
    }

    private sealed class AttemptState(Func<CancellationToken, Task<DeliveryResult>> attempt)
    {
        public Func<CancellationToken, Task<DeliveryResult>> Attempt { get; } = attempt;

        public int Attempts { get; set; }
    }
}
