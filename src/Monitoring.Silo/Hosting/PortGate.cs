namespace Monitoring.Silo.Hosting;

/// <summary>
/// Keeps each listener to its job: the OTLP/gRPC port serves only the LogsService, the OTLP/HTTP port only /v1/logs,
/// and the API port everything else; anything else is 404 (so the API is never reachable on the ingest ports).
/// </summary>
public sealed class PortGate(RequestDelegate next, MonitoringHostOptions options)
{
    private const string GrpcPrefix = "/opentelemetry.proto.collector.logs.v1.LogsService/";

    /// <summary>Middleware entry point.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var port = context.Connection.LocalPort;
        var path = context.Request.Path.Value ?? string.Empty;
        var allowed =
            port == options.OtlpGrpcPort ? path.StartsWith(GrpcPrefix, StringComparison.Ordinal)
            : port == options.OtlpHttpPort ? path == "/v1/logs"
            : !path.StartsWith(GrpcPrefix, StringComparison.Ordinal) && path != "/v1/logs";
        if (allowed)
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
