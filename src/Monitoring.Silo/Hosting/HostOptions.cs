using System.ComponentModel.DataAnnotations;

namespace Monitoring.Silo.Hosting;

/// <summary>Where the silo listens and stores (section <c>Monitoring:Host</c>; every default is the embedded default).</summary>
public sealed class MonitoringHostOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Monitoring:Host";

    /// <summary>Default bind address: loopback only.</summary>
    public const string DefaultBindAddress = "127.0.0.1";

    /// <summary>OTLP/gRPC port (the OTLP default).</summary>
    public const int DefaultOtlpGrpcPort = 4317;

    /// <summary>OTLP/HTTP port (the OTLP default).</summary>
    public const int DefaultOtlpHttpPort = 4318;

    /// <summary>JSON API and OpenAPI document port.</summary>
    public const int DefaultApiPort = 8080;

    /// <summary>Default <see cref="ShutdownTimeoutSeconds"/>.</summary>
    public const int DefaultShutdownTimeoutSeconds = 30;

    /// <summary>Address every listener binds to.</summary>
    [Required]
    public string BindAddress { get; set; } = DefaultBindAddress;

    /// <summary>Directory of the SQLite database (embedded default), relative to the working directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>OTLP/gRPC port (HTTP/2 cleartext only).</summary>
    [Range(0, 65535)]
    public int OtlpGrpcPort { get; set; } = DefaultOtlpGrpcPort;

    /// <summary>OTLP/HTTP port (HTTP/1.1: cleartext HTTP/2 is served only to gRPC).</summary>
    [Range(0, 65535)]
    public int OtlpHttpPort { get; set; } = DefaultOtlpHttpPort;

    /// <summary>API port.</summary>
    [Range(0, 65535)]
    public int ApiPort { get; set; } = DefaultApiPort;

    /// <summary>Orleans silo-to-silo port.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans client gateway port.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>"sqlite" (embedded) or "postgres".</summary>
    [RegularExpression("^(sqlite|postgres)$")]
    public string StorageProvider { get; set; } = "sqlite";

    /// <summary>PostgreSQL connection string when <see cref="StorageProvider"/> is "postgres".</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// Base URL people reach this system at: <c>$externalURL</c> in alert templates and the base of every link in a
    /// notification (runbooks, incidents, reports). Default <c>http://127.0.0.1:{ApiPort}</c>.
    /// </summary>
    [Url]
    public string? ExternalUrl { get; set; }

    /// <summary><see cref="ExternalUrl"/> or its default.</summary>
    public string EffectiveExternalUrl => (ExternalUrl ?? $"http://127.0.0.1:{ApiPort}").TrimEnd('/');

    /// <summary>
    /// Longest a graceful shutdown (SIGTERM, Ctrl+C) may take: draining in-flight requests, deactivating and
    /// checkpointing grains, closing the store. Past it the host stops waiting (and exits non-zero).
    /// </summary>
    [Range(1, 3600)]
    public int ShutdownTimeoutSeconds { get; set; } = DefaultShutdownTimeoutSeconds;

    /// <summary>Path of the SQLite database file.</summary>
    public string SqlitePath => Path.GetFullPath(Path.Combine(DataDirectory, "monitoring.db"));
}
