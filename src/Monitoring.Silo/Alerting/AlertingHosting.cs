using Monitoring.Grains.Alerting;
using Monitoring.Silo.Hosting;

namespace Monitoring.Silo.Alerting;

/// <summary>Wires alerting into the silo: options, the rule and notification runtimes, and the rule reloader.</summary>
public static class AlertingHosting
{
    /// <summary>The example rules shipped next to the binary (the default of <c>Monitoring:Alerting:RulesPath</c>).</summary>
    public static string DefaultRulesPath => Path.Combine(AppContext.BaseDirectory, "Alerting", "example-rules.yml");

    /// <summary>
    /// Why <c>Monitoring:Alerting</c> is not valid (naming the key), or null: checked before the silo starts, so a
    /// mistake exits with code 2 instead of failing later.
    /// </summary>
    public static string? Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        try
        {
            var options = configuration.GetSection(AlertingOptions.Section).Get<AlertingOptions>() ?? new AlertingOptions();
            var errors = options.Validate();
            return errors.Count > 0 ? string.Join("; ", errors) : null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message; // e.g. a value that is not a number: the binder names the key
        }
    }

    /// <summary>Registers alerting from <c>Monitoring:Alerting</c>.</summary>
    public static IServiceCollection AddMonitoringAlerting(this IServiceCollection services, IConfiguration configuration, MonitoringHostOptions host)
    {
        var options = configuration.GetSection(AlertingOptions.Section).Get<AlertingOptions>() ?? new AlertingOptions();
        services.AddSingleton(options);
        services.AddSingleton(sp => new AlertingRuntime(options, host.EffectiveExternalUrl, DefaultRulesPath,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AlertingRuntime>>()));
        services.AddSingleton(sp => new NotificationRuntime(options, host.EffectiveExternalUrl,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService<AlertingReloader>();
        services.AddHostedService<AlertNotifierActivator>();
        return services;
    }
}

/// <summary>Checks the rule files for changes every <see cref="AlertingOptions.ReloadInterval"/> and reloads them.</summary>
internal sealed class AlertingReloader(AlertingRuntime runtime, AlertingOptions options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ReloadInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                runtime.ReloadRules();
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}

/// <summary>
/// Wakes the notifier grain when the silo starts, so alerts persisted before a restart are delivered (and their timers
/// run) without waiting for the next evaluation to call it.
/// </summary>
internal sealed class AlertNotifierActivator(IGrainFactory grains, ILogger<AlertNotifierActivator> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await grains.GetGrain<Monitoring.Abstractions.Grains.IAlertNotifierGrain>(0).ListSilencesAsync(null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SiloLog.NotifierActivationFailed(logger, e);
        }
    }
}
