using Microsoft.Extensions.Options;
using Monitoring.Grains.Sharding;

namespace Monitoring.Silo.Sharding;

/// <summary>Registers the hot-model settings (<c>Monitoring:Sharding</c>), validated when the silo starts.</summary>
public static class ShardingServices
{
    /// <summary>Binds <see cref="ShardingOptions"/> and makes the bound instance available to the ingest path and the grains.</summary>
    public static IServiceCollection AddMonitoringSharding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShardingOptions>().Bind(configuration.GetSection(ShardingOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ShardingOptions>, ShardingOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ShardingOptions>>().Value);
        return services;
    }

    private sealed class ShardingOptionsValidator : IValidateOptions<ShardingOptions>
    {
        public ValidateOptionsResult Validate(string? name, ShardingOptions options) =>
            options.Validate() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}
