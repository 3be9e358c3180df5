namespace Monitoring.Client;

/// <summary>The OTLP transport a <see cref="PredictionLogger"/> exports with.</summary>
public enum OtlpProtocol
{
    /// <summary>OTLP/gRPC (<c>grpc</c>), conventionally port 4317.</summary>
    Grpc = 0,

    /// <summary>OTLP/HTTP with a binary protobuf body (<c>http/protobuf</c>), <c>POST /v1/logs</c>, conventionally port 4318.</summary>
    HttpProtobuf = 1,
}
