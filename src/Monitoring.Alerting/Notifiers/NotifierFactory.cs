using Microsoft.Extensions.Logging;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Routing;

namespace Monitoring.Alerting.Notifiers;

/// <summary>
/// Builds each receiver's integrations from an Alertmanager-schema configuration, in Alertmanager's order (Slack,
/// then PagerDuty, then webhooks). A receiver named <see cref="ConsoleReceiver"/> without integrations logs its
/// notifications (the embedded default and the demo use it).
/// </summary>
public static class NotifierFactory
{
    /// <summary>Name of the receiver that logs notifications when it has no integrations.</summary>
    public const string ConsoleReceiver = "console";

    /// <summary>The built-in configuration when none is given: everything to the console receiver, grouped by alert and model.</summary>
    public const string DefaultConfig = """
        route:
          receiver: console
          group_by: [alertname, tenant, model]
          group_wait: 10s
          group_interval: 1m
          repeat_interval: 4h
        receivers:
          - name: console
        """;

    /// <summary>Receiver name to its notifiers.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<INotifier>> Build(AlertmanagerConfig config, HttpDelivery delivery, ILogger consoleLogger)
    {
        ArgumentNullException.ThrowIfNull(config);
        var result = new Dictionary<string, IReadOnlyList<INotifier>>(StringComparer.Ordinal);
        foreach (var receiver in config.Receivers)
        {
            var list = new List<INotifier>();
            list.AddRange(receiver.Slack.Select(s => new SlackNotifier(new SlackNotifierOptions(new Uri(s.ApiUrl.Reveal()), s.Channel, s.Username, s.SendResolved), delivery)));
            list.AddRange(receiver.PagerDuty.Select(p => new PagerDutyNotifier(new PagerDutyNotifierOptions(p.RoutingKey.Reveal(), p.Url, p.Severity, p.SendResolved), delivery)));
            list.AddRange(receiver.Webhooks.Select(w => new WebhookNotifier(new WebhookNotifierOptions(new Uri(w.Url.Reveal()), w.MaxAlerts, w.SendResolved), delivery)));
            if (list.Count == 0 && receiver.Name == ConsoleReceiver)
            {
                list.Add(new ConsoleNotifier(consoleLogger));
            }
            result[receiver.Name] = list;
        }
        return result;
    }
}
