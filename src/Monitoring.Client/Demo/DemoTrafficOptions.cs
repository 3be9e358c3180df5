namespace Monitoring.Client.Demo;

/// <summary>Settings of the synthetic demo traffic (<see cref="DemoTraffic"/>).</summary>
public sealed record DemoTrafficOptions
{
    /// <summary>Where <see cref="DemoTraffic.RunAsync(DemoTrafficOptions, CancellationToken)"/> sends; not used when a sink is given.</summary>
    public PredictionLoggerOptions? Logger { get; init; }

    /// <summary>Predictions per second for each of the three models; default 20.</summary>
    public double PredictionsPerSecondPerModel { get; init; } = 20;

    /// <summary>
    /// Time from the start after which <c>credit-risk</c> drifts: <c>income</c> shifts up 40% and the <c>country</c> mix
    /// moves toward IN and BR. Default 3 minutes; <see cref="Timeout.InfiniteTimeSpan"/> never drifts.
    /// </summary>
    public TimeSpan DriftAfter { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Time from the start after which <c>churn</c> ships a canary, version <see cref="DemoTraffic.ChurnCanaryVersion"/>,
    /// on <see cref="CanaryShare"/> of its requests: sharper than <c>v7</c> on the paid plans and wrong on the
    /// <c>free</c> plan, so its verdict holds while labels are few and then rolls back naming <c>plan=free</c>. Default
    /// 1 minute; <see cref="Timeout.InfiniteTimeSpan"/> never ships it.
    /// </summary>
    public TimeSpan CanaryAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Share of <c>churn</c>'s requests the canary serves once shipped; default 0.1 (a canary's usual first step).</summary>
    public double CanaryShare { get; init; } = 0.1;

    /// <summary>Seed of the random streams (one per model, so a model's sequence does not depend on timing); null for a random seed.</summary>
    public int? Seed { get; init; }

    /// <summary>Prefix of the prediction ids, unique per run; null for a random one.</summary>
    public string? RunId { get; init; }

    /// <summary>Fraction of predictions that later get a ground-truth label; default 0.5.</summary>
    public double LabelFraction { get; init; } = 0.5;

    /// <summary>Mean delay from a prediction to its label (uniform between half and one and a half of it); default 30 seconds.</summary>
    public TimeSpan LabelDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the generator catches up with the clock; default 250 ms.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The clock; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
