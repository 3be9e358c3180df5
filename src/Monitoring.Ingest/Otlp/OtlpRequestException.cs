namespace Monitoring.Ingest.Otlp;

/// <summary>How an export request failed as a whole; each transport maps it to its status codes.</summary>
internal enum OtlpFailure
{
    /// <summary>Undecodable or invalid payload: HTTP 400, gRPC INVALID_ARGUMENT. Not retryable.</summary>
    BadRequest,

    /// <summary>Payload over the size limit: HTTP 413, gRPC RESOURCE_EXHAUSTED. Not retryable.</summary>
    PayloadTooLarge,

    /// <summary>Receiver or sink overloaded, or the sink failed: HTTP 503 + Retry-After, gRPC UNAVAILABLE + RetryInfo.</summary>
    Unavailable,

    /// <summary>Over the buffered-memory cap: HTTP 429 + Retry-After, gRPC RESOURCE_EXHAUSTED + RetryInfo. Retryable.</summary>
    TooManyRequests,
}

/// <summary>A whole-request failure with a client-facing message (never payload contents beyond field names and limits).</summary>
internal sealed class OtlpRequestException(OtlpFailure failure, string message, TimeSpan? retryAfter = null, Exception? inner = null, string? reason = null)
    : Exception(message, inner)
{
    /// <summary>Why a retryable failure happened, for the <c>monitoring.otlp.refused</c> counter (null: store_unavailable).</summary>
    public string? Reason { get; } = reason;

    /// <summary>What kind of failure.</summary>
    public OtlpFailure Failure { get; } = failure;

    /// <summary>Suggested wait before retrying (for <see cref="OtlpFailure.Unavailable"/>).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>A 400 / INVALID_ARGUMENT.</summary>
    public static OtlpRequestException BadRequest(string message) => new(OtlpFailure.BadRequest, message);
}
