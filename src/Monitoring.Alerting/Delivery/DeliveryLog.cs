using Microsoft.Extensions.Logging;

namespace Monitoring.Alerting.Delivery;

/// <summary>Log messages of notification delivery (event ids 5100-5199). None carries a URL or a key.</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Debug, Message = "Delivered {Kind} notification for {Target} (HTTP {Status})")]
    public static partial void Delivered(ILogger logger, string kind, string target, int status);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Delivery for {Target} failed: {Error} (retryable: {Retryable})")]
    public static partial void Failed(ILogger logger, string target, string error, bool retryable);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Delivery for {Target} refused: {Error}")]
    public static partial void Refused(ILogger logger, string target, string error);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Retrying {Kind} delivery, attempt {Attempt}, in {Delay}: {Error}")]
    public static partial void Retrying(ILogger logger, string kind, int attempt, TimeSpan delay, string? error);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Giving up on {Kind} delivery after {Attempts} attempts: {Error}")]
    public static partial void GaveUp(ILogger logger, string kind, int attempts, string? error);
}
