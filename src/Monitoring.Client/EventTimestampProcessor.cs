using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Monitoring.Client;

/// <summary>
/// Sets <see cref="LogRecord.Timestamp"/> (the OTLP <c>time_unix_nano</c>) to the explicit event time of a
/// <see cref="ModelEventState"/>. It is added before the OTLP export processor, and the SDK calls processors in the order
/// they were added and synchronously inside <c>ILogger.Log</c>, so the exporter sees the new time.
/// </summary>
internal sealed class EventTimestampProcessor : BaseProcessor<LogRecord>
{
    /// <inheritdoc />
    public override void OnEnd(LogRecord data)
    {
        if (data.Attributes is ModelEventState { Timestamp: { } timestamp })
        {
            data.Timestamp = timestamp.UtcDateTime;
        }
    }
}
