using System.Net;
using Monitoring.Silo.Hosting;

namespace Monitoring.Silo.Auth;

/// <summary>Who may use the silo (section <c>Monitoring:Auth</c>): nobody is asked (<c>open</c>) or every request needs an API key (<c>api-keys</c>).</summary>
public sealed class AuthOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Monitoring:Auth";

    /// <summary>No authentication: anyone who reaches a port may do anything (the embedded default on 127.0.0.1).</summary>
    public const string OpenMode = "open";

    /// <summary>Every request but health checks and sign-in needs an API key with the right scope.</summary>
    public const string ApiKeysMode = "api-keys";

    /// <summary>Default <see cref="CacheSeconds"/>: a created or revoked key takes effect within this many seconds.</summary>
    public const int DefaultCacheSeconds = 5;

    /// <summary>Largest <see cref="CacheSeconds"/> accepted.</summary>
    public const int MaxCacheSeconds = 60;

    /// <summary>The configuration key of the cluster mode (set by the cluster feature); anything but <c>localhost</c> is a cluster.</summary>
    public const string ClusterModeKey = "Monitoring:Cluster:Mode";

    /// <summary><see cref="OpenMode"/> (default) or <see cref="ApiKeysMode"/>.</summary>
    public string Mode { get; set; } = OpenMode;

    /// <summary>Lets open mode start on a non-loopback address or in a cluster (refused otherwise).</summary>
    public bool AllowOpen { get; set; }

    /// <summary>
    /// Another request header (HTTP) and metadata key (gRPC) that carries the bare key, e.g. <c>x-api-key</c>, for
    /// clients that cannot set <c>Authorization: Bearer</c>; <c>Authorization</c> is always accepted.
    /// </summary>
    public string? Header { get; set; }

    /// <summary>How long a key looked up in the store is trusted before it is read again (revocation takes effect within it).</summary>
    public int CacheSeconds { get; set; } = DefaultCacheSeconds;

    /// <summary>Whether keys are required.</summary>
    public bool RequiresKeys => Mode == ApiKeysMode;

    /// <summary>Binds the section and checks it against where the silo listens; <paramref name="error"/> names the field and the reason.</summary>
    public static AuthOptions Bind(IConfiguration configuration, MonitoringHostOptions host, out string? error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(host);
        AuthOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<AuthOptions>() ?? new AuthOptions();
        }
        catch (InvalidOperationException e)
        {
            error = e.InnerException?.Message ?? e.Message;
            return new AuthOptions();
        }

        error = options.Validate(host, configuration[ClusterModeKey]);
        return options;
    }

    /// <summary>The first problem as "field: reason", or null.</summary>
    public string? Validate(MonitoringHostOptions host, string? clusterMode)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (Mode is not (OpenMode or ApiKeysMode))
        {
            return $"Mode: must be {OpenMode} or {ApiKeysMode}";
        }

        if (Header is { } header && (header.Length == 0 || header.Length > 64 || !header.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            || header.Equals("cookie", StringComparison.OrdinalIgnoreCase) || header.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)))
        {
            return "Header: must be a header name of letters, digits, '-', '_' or '.' (at most 64), not cookie or grpc-*";
        }

        if (CacheSeconds is < 0 or > MaxCacheSeconds)
        {
            return $"CacheSeconds: must be in [0, {MaxCacheSeconds}]";
        }

        if (Mode == OpenMode && !AllowOpen)
        {
            var cluster = !string.IsNullOrEmpty(clusterMode) && !clusterMode.Equals("localhost", StringComparison.OrdinalIgnoreCase);
            if (cluster)
            {
                return $"Mode: open is refused in cluster mode ({ClusterModeKey}={clusterMode}); set {Section}:Mode={ApiKeysMode}, or {Section}:AllowOpen=true to run without authentication";
            }

            if (!IPAddress.TryParse(host.BindAddress, out var bind) || !IPAddress.IsLoopback(bind))
            {
                return $"Mode: open is refused on the non-loopback address {host.BindAddress}; set {Section}:Mode={ApiKeysMode}, or {Section}:AllowOpen=true to run without authentication";
            }
        }

        return null;
    }
}
