using Microsoft.Extensions.Logging;

namespace Monitoring.Storage;

/// <summary>Source-generated log messages of the storage layer.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Storage schema ready: {Component} on {Backend}")]
    public static partial void SchemaReady(ILogger logger, string component, string backend);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Trace, Message = "Group commit: {Requests} append requests, {Rows} rows, {Appended} appended in {ElapsedMs:F2} ms")]
    public static partial void GroupCommitted(ILogger logger, int requests, int rows, int appended, double elapsedMs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Group commit of {Requests} append requests failed; retrying each request on its own")]
    public static partial void GroupCommitFailed(ILogger logger, Exception exception, int requests);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Append of {Rows} records for model {Model} failed")]
    public static partial void AppendFailed(ILogger logger, Exception exception, int rows, string model);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Grain state write conflict for {GrainId} ({StateName}): stored ETag {StoredEtag}, current ETag {CurrentEtag}")]
    public static partial void GrainStateConflict(ILogger logger, string grainId, string stateName, string? storedEtag, string? currentEtag);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "Event log writer stopped unexpectedly")]
    public static partial void WriterCrashed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Event log compaction of {Model}: {Deleted} rows deleted in {Batches} batches, walked to sequence {Sequence} (stopped at {StoppedAt}) in {ElapsedMs:F1} ms")]
    public static partial void CompactionRound(ILogger logger, string model, long deleted, int batches, long sequence, string stoppedAt, double elapsedMs);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Event log compaction of {Model} failed; its next checkpoint retries")]
    public static partial void CompactionFailed(ILogger logger, Exception exception, string model);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Schema migration {Version} ({Name}) applied on {Backend}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name, string backend);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Existing tables on {Backend} without schema_migrations (made before versioned migrations): recording the baseline")]
    public static partial void SchemaBaseline(ILogger logger, string backend);
}
