using Monitoring.Abstractions.Grains;
using Monitoring.Storage;

namespace Monitoring.Grains.Limits;

/// <summary>
/// Counts a tenant's models for the models-per-tenant limit. Holds no state of its own: on activation it reads the
/// tenant's models from the event log's model list (the list the API shows), so a model counts from its first logged
/// record and a reactivation starts from the truth. A model admitted whose first append then failed counts until the next
/// activation: the error is on the safe side.
/// </summary>
public sealed class TenantModelsGrain(IEventLog eventLog) : Grain, ITenantModelsGrain
{
    private readonly HashSet<string> _models = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var tenant = this.GetPrimaryKeyString();
        foreach (var model in await eventLog.ListModelsAsync(cancellationToken))
        {
            if (string.Equals(model.Tenant, tenant, StringComparison.Ordinal))
            {
                _models.Add(model.Model);
            }
        }
    }

    /// <inheritdoc />
    public Task<bool> TryAddModelAsync(string model, int maxModels)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        if (_models.Contains(model))
        {
            return Task.FromResult(true);
        }

        if (_models.Count >= maxModels)
        {
            return Task.FromResult(false);
        }

        _models.Add(model);
        return Task.FromResult(true);
    }
}
