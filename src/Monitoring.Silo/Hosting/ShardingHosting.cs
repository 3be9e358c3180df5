using Monitoring.Grains.Sharding;

namespace Monitoring.Silo.Hosting;

/// <summary>Reads and checks <c>Monitoring:Sharding</c> before the silo starts (a mistake exits with code 2, naming the key).</summary>
public static class ShardingHosting
{
    /// <summary>The hot-model settings, or the reason they are not valid.</summary>
    public static bool TryBind(IConfiguration configuration, out ShardingOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        options = new ShardingOptions();
        try
        {
            configuration.GetSection(ShardingOptions.Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            error = e.Message; // e.g. a Shards value that is not a number: the binder names the key
            return false;
        }

        var errors = options.Validate();
        error = errors.Count > 0 ? string.Join("; ", errors) : null;
        return error is null;
    }
}
