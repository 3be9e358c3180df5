namespace Monitoring.Abstractions.Grains;

/// <summary>
/// One tenant's list of models, keyed by tenant: the one place that decides whether a new model may be created under
/// the models-per-tenant limit (one activation per tenant in the cluster, so two silos cannot both admit the last slot).
/// </summary>
public interface ITenantModelsGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers <paramref name="model"/> (idempotent); false when it is new and the tenant already has
    /// <paramref name="maxModels"/> models.
    /// </summary>
    Task<bool> TryAddModelAsync(string model, int maxModels);
}
