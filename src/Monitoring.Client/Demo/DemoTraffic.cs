namespace Monitoring.Client.Demo;

/// <summary>
/// Synthetic traffic for a demo: three models sending predictions at a steady rate, with ground-truth labels following
/// after a delay, and a data drift injected into one model after a while.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>credit-risk</c> (binary classifier, version <c>v3</c>): features <c>age</c> (int), <c>income</c> (double,
/// log-normal, median 52,000), <c>debt_ratio</c> (double, 2% null), <c>num_accounts</c> (int), <c>country</c>,
/// <c>device</c>; segments <c>country</c>, <c>device</c>, <c>plan</c>; labels 1 (default) or 0. Drifts after
/// <see cref="DemoTrafficOptions.DriftAfter"/>: <c>income</c> x1.4, and the <c>country</c> mix moves from US/GB toward IN/BR.</item>
/// <item><c>churn</c> (binary classifier, <c>v7</c>): <c>tenure_months</c>, <c>monthly_spend</c>, <c>support_tickets</c>,
/// <c>plan</c>, <c>autopay</c> (bool); segments <c>plan</c>, <c>region</c>. After
/// <see cref="DemoTrafficOptions.CanaryAfter"/> a canary <c>v8</c> serves <see cref="DemoTrafficOptions.CanaryShare"/> of
/// the requests: less noisy than <c>v7</c> on the paid plans, but blind to the free plan's risk, so it is rolled back
/// for the <c>plan=free</c> slice once enough labels have arrived (held until then).</item>
/// <item><c>eta</c> (regression, <c>v12</c>, minutes): <c>distance_km</c>, <c>hour_of_day</c>, <c>weather</c>,
/// <c>courier_rating</c>, <c>vehicle</c>; segments <c>city</c>, <c>vehicle</c>; it under-estimates in rain and snow.</item>
/// </list>
/// Event times follow a fixed schedule (prediction k of a model at start + k / rate), so the traffic is the same
/// whatever the timer jitter; prediction ids are <c>{run}-{model}-{k}</c>.
/// </remarks>
public static class DemoTraffic
{
    /// <summary>The binary classifier that drifts.</summary>
    public const string CreditRiskModel = "credit-risk";

    /// <summary>The second binary classifier.</summary>
    public const string ChurnModel = "churn";

    /// <summary>The version the churn model ships as a canary.</summary>
    public const string ChurnCanaryVersion = "v8";

    /// <summary>The regression model.</summary>
    public const string EtaModel = "eta";

    /// <summary>Sends the demo traffic through a <see cref="PredictionLogger"/> built from <see cref="DemoTrafficOptions.Logger"/> until cancelled.</summary>
    /// <param name="options">Rates, drift, seed and the logger settings.</param>
    /// <param name="ct">Stops the traffic; the task then completes normally after flushing.</param>
    public static async Task RunAsync(DemoTrafficOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Logger is null)
        {
            throw new ArgumentException("DemoTrafficOptions.Logger is required.", nameof(options));
        }

        using var logger = new PredictionLogger(options.Logger);
        await RunAsync(options, logger, ct).ConfigureAwait(false);
        logger.ForceFlush(TimeSpan.FromSeconds(10));
    }

    /// <summary>Sends the demo traffic to <paramref name="sink"/> until cancelled.</summary>
    /// <param name="options">Rates, drift and seed (<see cref="DemoTrafficOptions.Logger"/> is ignored).</param>
    /// <param name="sink">Receives every prediction and label.</param>
    /// <param name="ct">Stops the traffic; the task then completes normally.</param>
    public static async Task RunAsync(DemoTrafficOptions options, IPredictionSink sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        var time = options.TimeProvider;
        var generator = new DemoTrafficGenerator(options, time.GetUtcNow());
        var started = time.GetTimestamp();
        using var timer = new PeriodicTimer(options.TickInterval, time);
        try
        {
            do
            {
                generator.Advance(time.GetElapsedTime(started), sink);
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Cancellation is how the demo ends.
        }
    }
}
