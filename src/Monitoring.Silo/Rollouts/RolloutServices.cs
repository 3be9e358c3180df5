using Microsoft.Extensions.Options;
using Monitoring.Grains.Rollouts;

namespace Monitoring.Silo.Rollouts;

/// <summary>Registers the rollout settings (<c>Monitoring:Rollouts</c>), validated when the silo starts.</summary>
public static class RolloutServices
{
    /// <summary>Binds <see cref="RolloutOptions"/> and makes the bound instance available to the API and the grains.</summary>
    public static IServiceCollection AddMonitoringRollouts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RolloutOptions>().Bind(configuration.GetSection(RolloutOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RolloutOptions>, RolloutOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RolloutOptions>>().Value);
        return services;
    }

    private sealed class RolloutOptionsValidator : IValidateOptions<RolloutOptions>
    {
        public ValidateOptionsResult Validate(string? name, RolloutOptions options) =>
            options.Errors() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}
