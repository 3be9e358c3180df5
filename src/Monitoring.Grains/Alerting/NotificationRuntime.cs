using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Notifiers;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Routing;
using Monitoring.Grains.Telemetry;

namespace Monitoring.Grains.Alerting;

/// <summary>
/// The notification configuration in force (Alertmanager schema, or the built-in console receiver), its integrations,
/// the HTTP sender with its retry policy, and the Alertmanagers alerts are forwarded to. Reloaded when the file changes;
/// a file that does not load is reported and the last good configuration stays active.
/// </summary>
public sealed class NotificationRuntime : IDisposable
{
    private readonly AlertingOptions _options;
    private readonly ILogger<NotificationRuntime> _logger;
    private readonly ILoggerFactory _loggers;
    private readonly object _gate = new();
    private string _stamp = string.Empty;

    /// <summary>Creates the runtime and loads the configuration.</summary>
    public NotificationRuntime(AlertingOptions options, string externalUrl, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<NotificationRuntime>();
        ExternalUrl = externalUrl.TrimEnd('/');
        Time = time;
        Delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = options.AllowPrivateTargets }, time, loggers.CreateLogger<HttpDelivery>());
        Retry = new RetryPolicy(null, time, loggers.CreateLogger<RetryPolicy>());
        Alertmanagers = [.. options.Alertmanagers.Select(u => new AlertmanagerClient(new AlertmanagerClientOptions(new Uri(u)), Delivery))];
        Config = AlertmanagerConfig.Load(NotifierFactory.DefaultConfig, null);
        Integrations = NotifierFactory.Build(Config, Delivery, loggers.CreateLogger("Monitoring.Notifications"));
        Reload(force: true);
    }

    /// <summary>Base URL for links.</summary>
    public string ExternalUrl { get; }

    /// <summary>Clock of the pipeline.</summary>
    public TimeProvider Time { get; }

    /// <summary>Shared HTTP sender.</summary>
    public HttpDelivery Delivery { get; }

    /// <summary>Retry stage.</summary>
    public RetryPolicy Retry { get; }

    /// <summary>Configuration in force.</summary>
    public AlertmanagerConfig Config { get; private set; }

    /// <summary>Receiver name to integrations.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<INotifier>> Integrations { get; private set; }

    /// <summary>Alertmanagers every alert is forwarded to.</summary>
    public IReadOnlyList<AlertmanagerClient> Alertmanagers { get; }

    /// <summary>Most notification groups delivered at once (<see cref="AlertingOptions.MaxConcurrentNotifications"/>).</summary>
    public int MaxConcurrentNotifications => Math.Max(1, _options.MaxConcurrentNotifications);

    /// <summary>Error of the last load attempt, or null.</summary>
    public string? ConfigError { get; private set; }

    /// <summary>Bumped at each successful (re)load, so the pipeline can rebuild its routing.</summary>
    public int Version { get; private set; }

    /// <summary>Reloads when the file changed (or always with <paramref name="force"/>); true when a new configuration is in force.</summary>
    public bool Reload(bool force = false)
    {
        if (_options.ConfigFile is not { } path)
        {
            return false;
        }
        lock (_gate)
        {
            var stamp = AlertingRuntime.Stamp(path);
            if (!force && stamp == _stamp)
            {
                return false;
            }
            _stamp = stamp;
            try
            {
                var config = AlertmanagerConfig.LoadFile(path);
                var integrations = NotifierFactory.Build(config, Delivery, _loggers.CreateLogger("Monitoring.Notifications"));
                Config = config;
                Integrations = integrations;
                ConfigError = null;
                Version++;
                foreach (var warning in config.Warnings)
                {
                    GrainsLog.ConfigWarning(_logger, path, warning);
                }
                foreach (var receiver in config.Receivers.Where(r => r.UnsupportedIntegrations.Count > 0))
                {
                    GrainsLog.ConfigWarning(_logger, path, $"receiver {receiver.Name}: {string.Join(", ", receiver.UnsupportedIntegrations)} not supported; alerts routed there are not delivered by them");
                }
                GrainsLog.ConfigLoaded(_logger, path, config.Receivers.Count);
                return true;
            }
            catch (Exception e) when (e is AlertmanagerConfigException or IOException or UriFormatException)
            {
                ConfigError = e.Message;
                GrainsLog.ConfigRejected(_logger, path, e.Message);
                return false;
            }
        }
    }

    /// <summary>Sends through the retry stage; counts the delivery, its retries and its time by receiver name, and traces it.</summary>
    public async Task<DeliveryResult> SendAsync(INotifier notifier, Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(notification);
        var started = Stopwatch.GetTimestamp();
        using var activity = GrainsTelemetry.Source.StartActivity("notification delivery");
        activity?.SetTag("monitoring.receiver", notification.Receiver);
        activity?.SetTag("monitoring.integration", notifier.Kind);
        activity?.SetTag("monitoring.alerts", notification.Alerts.Count);
        var attempts = 0;
        var result = await Retry.ExecuteAsync(notifier.Kind, ct =>
        {
            attempts++;
            return notifier.SendAsync(notification, ct);
        }, cancellationToken);
        GrainsTelemetry.Delivered(notification.Receiver, notifier.Kind, result.Success, attempts, started);
        activity?.SetTag("monitoring.attempts", attempts);
        if (!result.Success)
        {
            // The error text names the integration and the HTTP status, never the URL or key (HttpDelivery's contract).
            activity?.SetStatus(ActivityStatusCode.Error, result.StatusCode is { } status ? $"HTTP {status}" : "failed");
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose() => Delivery.Dispose();
}
