namespace Monitoring.Ingest;

/// <summary>
/// Limits of the OTLP receivers, bound from the configuration section <see cref="SectionName"/>
/// (e.g. <c>Monitoring__Otlp__MaxConcurrentRequests=32</c>).
/// </summary>
public sealed class OtlpReceiverOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Monitoring:Otlp";

    /// <summary>Path of the OTLP/HTTP logs endpoint (the OTLP default).</summary>
    public const string HttpLogsPath = "/v1/logs";

    /// <summary>Default <see cref="MaxHttpBodyBytes"/>: 20 MiB, after decompression.</summary>
    public const long DefaultMaxHttpBodyBytes = 20L * 1024 * 1024;

    /// <summary>Default <see cref="MaxGrpcMessageBytes"/>: 4 MiB, the usual gRPC receive limit.</summary>
    public const int DefaultMaxGrpcMessageBytes = 4 * 1024 * 1024;

    /// <summary>Default <see cref="MaxConcurrentRequests"/>.</summary>
    public const int DefaultMaxConcurrentRequests = 64;

    /// <summary>
    /// Default <see cref="MaxBufferedBytes"/>: 256 MiB of estimated decoded records, sized for the embedded default (one
    /// silo on a laptop or a small VM): 64 concurrent requests of 512 KiB each fit in it (at 8 bytes per payload byte).
    /// </summary>
    public const long DefaultMaxBufferedBytes = 256L * 1024 * 1024;

    /// <summary>Default <see cref="MaxAnyValueDepth"/>.</summary>
    public const int DefaultMaxAnyValueDepth = 32;

    /// <summary>Default <see cref="RetryAfterSeconds"/>.</summary>
    public const int DefaultRetryAfterSeconds = 5;

    /// <summary>Largest upper bound accepted for <see cref="MaxAnyValueDepth"/>.</summary>
    public const int MaxAllowedAnyValueDepth = 256;

    /// <summary>Largest OTLP/HTTP body, in bytes after decompression (gzip input is capped at the same size); larger gets 413.</summary>
    public long MaxHttpBodyBytes { get; set; } = DefaultMaxHttpBodyBytes;

    /// <summary>Largest OTLP/gRPC request message, in bytes; larger gets RESOURCE_EXHAUSTED.</summary>
    public int MaxGrpcMessageBytes { get; set; } = DefaultMaxGrpcMessageBytes;

    /// <summary>Export requests (gRPC and HTTP together) processed at once; more are refused with 503 / UNAVAILABLE.</summary>
    public int MaxConcurrentRequests { get; set; } = DefaultMaxConcurrentRequests;

    /// <summary>
    /// Cap on the memory held by export requests between decoding and acknowledgement, as estimated from their payload
    /// sizes (see <c>OtlpBufferBudget</c>): a request that would take the total over it is refused before it is decoded,
    /// with 429 + Retry-After (HTTP) or RESOURCE_EXHAUSTED + RetryInfo (gRPC), both retryable per the OTLP specification.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = DefaultMaxBufferedBytes;

    /// <summary>Deepest nesting of attribute values and bodies (a scalar is 1); deeper requests get 400 / INVALID_ARGUMENT.</summary>
    public int MaxAnyValueDepth { get; set; } = DefaultMaxAnyValueDepth;

    /// <summary>Retry hint, in seconds, sent when the receiver itself is overloaded or the sink fails without one.</summary>
    public int RetryAfterSeconds { get; set; } = DefaultRetryAfterSeconds;

    /// <summary>Checks the values; returns the problems found (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxHttpBodyBytes <= 0 || MaxHttpBodyBytes > Array.MaxLength)
        {
            problems.Add($"{nameof(MaxHttpBodyBytes)} must be in [1, {Array.MaxLength}].");
        }

        if (MaxGrpcMessageBytes <= 0)
        {
            problems.Add($"{nameof(MaxGrpcMessageBytes)} must be positive.");
        }

        if (MaxConcurrentRequests <= 0)
        {
            problems.Add($"{nameof(MaxConcurrentRequests)} must be positive.");
        }

        if (MaxBufferedBytes <= 0)
        {
            problems.Add($"{nameof(MaxBufferedBytes)} must be positive.");
        }

        if (MaxAnyValueDepth <= 0 || MaxAnyValueDepth > MaxAllowedAnyValueDepth)
        {
            problems.Add($"{nameof(MaxAnyValueDepth)} must be in [1, {MaxAllowedAnyValueDepth}].");
        }

        if (RetryAfterSeconds < 0)
        {
            problems.Add($"{nameof(RetryAfterSeconds)} must not be negative.");
        }

        return problems;
    }
}
