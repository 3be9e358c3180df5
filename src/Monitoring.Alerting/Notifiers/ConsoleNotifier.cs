using System.Text;
using Microsoft.Extensions.Logging;
using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Notifiers;

/// <summary>
/// Writes notifications as readable text, for the demo and for development: status and alert, then per alert its
/// labels, value against threshold, window, summary and links. Control characters in alert text are replaced, so a
/// label cannot move the cursor or recolour a terminal.
/// </summary>
public sealed class ConsoleNotifier : INotifier
{
    private readonly TextWriter? _writer;
    private readonly ILogger? _logger;
    private readonly Lock _lock = new();

    /// <summary>Writes to <paramref name="writer"/> (e.g. <see cref="Console.Out"/>).</summary>
    public ConsoleNotifier(TextWriter writer, bool sendResolved = true)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        SendResolved = sendResolved;
    }

    /// <summary>Logs each notification as one Information entry on <paramref name="logger"/>.</summary>
    public ConsoleNotifier(ILogger logger, bool sendResolved = true)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        SendResolved = sendResolved;
    }

    /// <inheritdoc />
    public string Kind => "console";

    /// <inheritdoc />
    public bool SendResolved { get; }

    /// <inheritdoc />
    public Task<DeliveryResult> SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        cancellationToken.ThrowIfCancellationRequested();
        var selected = AlertFacts.Selected(notification, SendResolved);
        if (selected.Alerts.Count == 0)
        {
            return Task.FromResult(DeliveryResult.Delivered);
        }
        var text = Format(selected);
        if (_logger is not null)
        {
            ConsoleLog.Notification(_logger, text);
        }
        else
        {
            // One notification's lines stay together when groups flush at once.
            lock (_lock)
            {
                _writer!.WriteLine(text);
                _writer.Flush();
            }
        }
        return Task.FromResult(DeliveryResult.Delivered);
    }

    /// <summary>The text written for <paramref name="notification"/>.</summary>
    public static string Format(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var sb = new StringBuilder();
        sb.Append(AlertFacts.StatusTag(notification)).Append(' ').Append(Clean(AlertFacts.GroupAlertName(notification)))
            .Append("  receiver=").Append(Clean(notification.Receiver))
            .Append("  group=").Append(Clean(notification.GroupLabels.ToString())).Append('\n');
        foreach (var alert in notification.Alerts.OrderBy(a => a.IsResolved(notification.Time)))
        {
            var resolved = alert.IsResolved(notification.Time);
            sb.Append("  - ").Append(resolved ? "RESOLVED " : "FIRING   ").Append(Clean(alert.Labels[AlertFacts.AlertName]));
            sb.Append(resolved ? $"  resolved {AlertFacts.Time(alert.EndsAt!.Value)}" : $"  since {AlertFacts.Time(alert.StartsAt)}");
            if (alert.Flapping)
            {
                sb.Append("  (flapping)");
            }
            sb.Append('\n');
            var labels = alert.Labels.Where(p => p.Key != AlertFacts.AlertName).Select(p => $"{p.Key}={p.Value}");
            sb.Append("      labels: ").Append(Clean(string.Join(" ", labels))).Append('\n');
            if (alert.Evidence is { } e)
            {
                sb.Append("      value:  ").Append(Clean(AlertFacts.Comparison(e)));
                if (AlertFacts.Window(e) is { } window)
                {
                    sb.Append("  window ").Append(Clean(window));
                }
                sb.Append('\n');
                foreach (var detail in e.Details.Take(5))
                {
                    sb.Append("              ").Append(Clean(detail)).Append('\n');
                }
            }
            Line(sb, "summary", AlertFacts.SummaryOf(alert));
            Line(sb, "runbook", alert.Annotations[AlertFacts.RunbookUrl]);
            Line(sb, "report", AlertFacts.PageUrl(alert.Evidence?.ReportUrl));
            if (alert.Incident is { } incident)
            {
                Line(sb, "incident", $"{incident.Id} ({incident.State.ToString().ToLowerInvariant()}) {incident.Url}");
                if (!resolved && incident.State == IncidentState.Triggered)
                {
                    Line(sb, "ack", incident.AckUrl);
                }
            }
        }
        return sb.ToString().TrimEnd('\n');
    }

    private static void Line(StringBuilder sb, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            sb.Append("      ").Append(name).Append(':').Append(' ', Math.Max(1, 8 - name.Length)).Append(Clean(value)).Append('\n');
        }
    }

    private static string Clean(string text) => AlertFacts.WithoutControlCharacters(text);
}

/// <summary>Log messages of the console notifier (event ids 5200-5209).</summary>
internal static partial class ConsoleLog
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "{Notification}")]
    public static partial void Notification(ILogger logger, string notification);
}
