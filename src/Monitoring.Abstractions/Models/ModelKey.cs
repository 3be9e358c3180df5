namespace Monitoring.Abstractions.Models;

/// <summary>
/// Identifies one monitored model: tenant and model id. The grain key is <c>"{tenant}/{model}"</c>; the model id itself
/// may contain '/', the tenant may not.
/// </summary>
[GenerateSerializer, Immutable, Alias("monitoring.model-key")]
public readonly record struct ModelKey
{
    /// <summary>Tenant used when a request names none.</summary>
    public const string DefaultTenant = "default";

    /// <summary>Creates a key; both parts must be non-empty and the tenant must not contain '/'.</summary>
    public ModelKey(string tenant, string model)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(model);
        if (tenant.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("Tenant must not contain '/'.", nameof(tenant));
        }

        Tenant = tenant;
        Model = model;
    }

    /// <summary>Tenant.</summary>
    [Id(0)]
    public string Tenant { get; }

    /// <summary>Model id (<c>ml.model.id</c>).</summary>
    [Id(1)]
    public string Model { get; }

    /// <summary>The grain key string.</summary>
    public string GrainKey => $"{Tenant}/{Model}";

    /// <summary>Parses a grain key string.</summary>
    public static ModelKey Parse(string grainKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(grainKey);
        var slash = grainKey.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == grainKey.Length - 1)
        {
            throw new FormatException($"Model key '{grainKey}' is not of the form tenant/model.");
        }

        return new ModelKey(grainKey[..slash], grainKey[(slash + 1)..]);
    }

    /// <inheritdoc />
    public override string ToString() => GrainKey;
}
