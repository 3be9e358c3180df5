namespace Monitoring.Silo.Hosting;

/// <summary>Source-generated log messages of the silo host (event ids 4000-4099).</summary>
internal static partial class SiloLog
{
    /// <summary>The line tests and scripts wait for: every listener is up.</summary>
    public const string ReadyText = "Monitoring silo ready";

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information,
        Message = ReadyText + ": OTLP/gRPC {Bind}:{GrpcPort}, OTLP/HTTP http://{Bind}:{HttpPort}/v1/logs, API http://{Bind}:{ApiPort}/api/models (OpenAPI /openapi/v1.json)")]
    public static partial void Ready(ILogger logger, string bind, int grpcPort, int httpPort, int apiPort);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Storage: {Provider} {Location}")]
    public static partial void Storage(ILogger logger, string provider, string location);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning,
        Message = "No authentication (Monitoring:Auth:Mode=open): the OTLP and API ports are open to anyone who can reach {Bind} ({Reach}); anyone there can send records, change settings and read reports")]
    public static partial void OpenWithoutAuthentication(ILogger logger, string bind, string reach);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "{Mode}{Demo}. Ctrl+C stops.")]
    public static partial void Console(ILogger logger, string mode, string demo);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information,
        Message = "Totals: records accepted {Accepted} (+{AcceptedDelta}), rejected {Rejected} (+{RejectedDelta}), windows closed {WindowsClosed} (+{WindowsClosedDelta}), models {Models}; (+n) = the last minute")]
    public static partial void Totals(
        ILogger logger, long accepted, long acceptedDelta, long rejected, long rejectedDelta, long windowsClosed, long windowsClosedDelta, int models);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Could not count models for the totals line")]
    public static partial void ModelCountFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Could not wake model {Model} at start")]
    public static partial void ActivationFailed(ILogger logger, Exception exception, string model);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Information,
        Message = "Demo traffic started for credit-risk, churn and eta; drift is injected into credit-risk after {Minutes} minutes. Open {PagesUrl} (models, worst first; windows close every minute)")]
    public static partial void DemoStarted(ILogger logger, double minutes, string pagesUrl);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information,
        Message = "Demo: credit-risk's reference pinned to its windows before the drift ({From} to {To}), so the drift stays visible")]
    public static partial void DemoReferencePinned(ILogger logger, string from, string to);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning,
        Message = "Demo: credit-risk's reference could not be pinned ({Reason}); it keeps its rolling reference, which absorbs the drift after a few windows")]
    public static partial void DemoReferenceNotPinned(ILogger logger, string reason);

    [LoggerMessage(EventId = 4050, Level = LogLevel.Information, Message = "Runbooks: {Count} served at /runbooks from {Folder} (read once at start)")]
    public static partial void RunbooksLoaded(ILogger logger, int count, string folder);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Warning, Message = "Runbook file {File} skipped: a runbook's name must be lower-case letters, digits and hyphens")]
    public static partial void RunbookSkipped(ILogger logger, string file);

    [LoggerMessage(EventId = 4060, Level = LogLevel.Error, Message = "The alert notifier could not be activated at start; it starts with the next alert")]
    public static partial void NotifierActivationFailed(ILogger logger, Exception exception);

    /// <summary>The line tests wait for once the silo has stopped cleanly.</summary>
    public const string StoppedText = "Monitoring silo stopped";

    [LoggerMessage(EventId = 4080, Level = LogLevel.Information,
        Message = "Shutting down: new exports get 503 / UNAVAILABLE, in-flight requests drain, grains checkpoint (timeout {TimeoutSeconds} s)")]
    public static partial void ShutdownStarted(ILogger logger, int timeoutSeconds);

    [LoggerMessage(EventId = 4081, Level = LogLevel.Information, Message = StoppedText + ": requests drained, grains deactivated")]
    public static partial void ShutdownCompleted(ILogger logger);

    [LoggerMessage(EventId = 4070, Level = LogLevel.Information,
        Message = "Authentication: API keys (Monitoring:Auth:Mode=api-keys); OTLP needs scope ingest, API and page reads read, writes admin; keys are re-read from the store every {CacheSeconds} s")]
    public static partial void ApiKeysOn(ILogger logger, int cacheSeconds);

    [LoggerMessage(EventId = 4071, Level = LogLevel.Debug, Message = "Request refused: key {Rejection} (key id {KeyId}) on {Path}")]
    public static partial void KeyRejected(ILogger logger, string rejection, string keyId, string path);

    [LoggerMessage(EventId = 4072, Level = LogLevel.Debug, Message = "Request refused: key {KeyId} lacks scope {Scope} on {Path}")]
    public static partial void ScopeMissing(ILogger logger, string keyId, string scope, string path);

    [LoggerMessage(EventId = 4073, Level = LogLevel.Error, Message = "Route {Route} has no access decision: refused in api-keys mode (give it RequireAccess)")]
    public static partial void RouteWithoutAccessDecision(ILogger logger, string route);

    [LoggerMessage(EventId = 4061, Level = LogLevel.Information, Message = "Reminders: {Models} models logged before window-close reminders existed were woken once and registered theirs")]
    public static partial void RemindersMigrated(ILogger logger, int models);

    [LoggerMessage(EventId = 4062, Level = LogLevel.Warning, Message = "Reminders: the one-time wake-up of models logged before reminders existed failed; the next start retries")]
    public static partial void ReminderMigrationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4063, Level = LogLevel.Information, Message = "Cluster: {Mode}, cluster id {ClusterId}, service id {ServiceId}, advertised {Advertised}:{SiloPort}, reminders in {Reminders}")]
    public static partial void Cluster(ILogger logger, string mode, string clusterId, string serviceId, string advertised, int siloPort, string reminders);
}
