using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Models;
using Monitoring.Aggregation.Models;
using Monitoring.Aggregation.Slo;

namespace Monitoring.Grains.Alerting;

/// <summary>
/// The model grain's SLO duties: track the SLOs that select the model (again whenever the rules reload), and once a
/// minute hand their status to the model's alert grain. A no-op when alerting does not run in this silo.
/// </summary>
internal sealed class SloHost(ModelKey key, ModelAggregator model, AlertingRuntime? runtime, TimeProvider time)
{
    /// <summary>How often SLOs are evaluated (the burn-rate windows have 1-minute buckets at best).</summary>
    public static readonly TimeSpan EvaluationInterval = TimeSpan.FromMinutes(1);

    private DateTimeOffset? _rulesLoadedAt;
    private DateTimeOffset _lastEvaluation = DateTimeOffset.MinValue;
    private bool _hadSlos;

    /// <summary>Tracks the SLOs selecting the model, with the counters saved in the checkpoint.</summary>
    public void Configure()
    {
        if (runtime is null)
        {
            return;
        }
        _rulesLoadedAt = runtime.RulesLoadedAt;
        model.Slos.Configure(SloTracker.Selecting(runtime.Rules.Slos, key.Tenant, key.Model), model.State.Slos, time.GetUtcNow());
    }

    /// <summary>Evaluates the SLOs when due and hands the statuses on.</summary>
    public async Task TickAsync(IGrainFactory grains, ILogger logger)
    {
        if (runtime is null)
        {
            return;
        }
        if (runtime.RulesLoadedAt != _rulesLoadedAt)
        {
            Configure();
        }
        var now = time.GetUtcNow();
        if (now - _lastEvaluation < EvaluationInterval || (model.Slos.IsEmpty && !_hadSlos))
        {
            return;
        }
        _lastEvaluation = now;
        _hadSlos = !model.Slos.IsEmpty;
        await AlertForwarder.SlosAsync(grains, key, model.Slos.Evaluate(now), logger);
    }
}
