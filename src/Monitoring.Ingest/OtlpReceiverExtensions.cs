using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Monitoring.Abstractions.Limits;
using Monitoring.Ingest.Grpc;
using Monitoring.Ingest.Http;
using Monitoring.Ingest.Otlp;

namespace Monitoring.Ingest;

/// <summary>Registers and maps the OTLP logs receivers (gRPC <c>LogsService/Export</c> and OTLP/HTTP <c>POST /v1/logs</c>).</summary>
public static class OtlpReceiverExtensions
{
    /// <summary>
    /// Registers the receivers. The host must register an <see cref="IEventSink"/>; a <see cref="TimeProvider"/> is
    /// used when registered (else the system clock). Options are bound from <paramref name="configuration"/>'s section
    /// <see cref="OtlpReceiverOptions.SectionName"/> (when null, from the host's <see cref="IConfiguration"/> if any),
    /// then <paramref name="configure"/> runs; invalid values fail at startup.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">Root configuration, or null to use the one registered in the container.</param>
    /// <param name="configure">Optional overrides applied after binding.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddOtlpReceivers(
        this IServiceCollection services,
        IConfiguration? configuration = null,
        Action<OtlpReceiverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<OtlpReceiverOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(OtlpReceiverOptions.SectionName));
        }
        else
        {
            options.Configure<IServiceProvider>(static (value, provider) =>
                provider.GetService<IConfiguration>()?.GetSection(OtlpReceiverOptions.SectionName).Bind(value));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OtlpReceiverOptions>, OtlpReceiverOptionsValidator>());
        options.ValidateOnStart();
        services.AddLimits(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IngestTotals>();
        services.TryAddSingleton<IngestLogThrottle>();
        services.TryAddSingleton<OtlpConcurrencyLimiter>();
        services.TryAddSingleton<OtlpBufferBudget>();
        services.TryAddSingleton<OtlpLogsIngestor>();
        services.TryAddSingleton<OtlpHttpHandler>();
        services.TryAddSingleton<OtlpLogsGrpcService>();

        services.AddGrpc();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<OtlpLogsGrpcService>, OtlpLogsMethodProvider>());
        services.AddOptions<GrpcServiceOptions<OtlpLogsGrpcService>>()
            .Configure<IOptions<OtlpReceiverOptions>>(static (grpc, otlp) => grpc.MaxReceiveMessageSize = otlp.Value.MaxGrpcMessageBytes);
        return services;
    }

    /// <summary>
    /// Registers <see cref="LimitsOptions"/> bound from <see cref="LimitsOptions.SectionName"/> of
    /// <paramref name="configuration"/> (when null, of the host's <see cref="IConfiguration"/>), validated at startup.
    /// Safe to call more than once (the receivers call it; the silo calls it for the grains too).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">Root configuration, or null to use the one registered in the container.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddLimits(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(LimitsOptionsValidator)))
        {
            return services;
        }

        services.AddSingleton<LimitsOptionsValidator>();
        var limits = services.AddOptions<LimitsOptions>();
        if (configuration is not null)
        {
            limits.Bind(configuration.GetSection(LimitsOptions.SectionName));
        }
        else
        {
            limits.Configure<IServiceProvider>(static (value, provider) =>
                provider.GetService<IConfiguration>()?.GetSection(LimitsOptions.SectionName).Bind(value));
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>());
        limits.ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Maps the gRPC service <c>opentelemetry.proto.collector.logs.v1.LogsService</c> and the OTLP/HTTP endpoint
    /// <see cref="OtlpReceiverOptions.HttpLogsPath"/> (all methods; non-POST gets 405). gRPC needs an HTTP/2 endpoint
    /// (cleartext: an HTTP/2-only Kestrel endpoint); OTLP/HTTP works over HTTP/1.1 and HTTP/2.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <returns>A builder applying conventions (e.g. <c>RequireHost</c>) to both endpoints.</returns>
    public static IEndpointConventionBuilder MapOtlpReceivers(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var grpc = endpoints.MapGrpcService<OtlpLogsGrpcService>();
        var handler = endpoints.ServiceProvider.GetRequiredService<OtlpHttpHandler>();
        var http = endpoints.Map(OtlpReceiverOptions.HttpLogsPath, handler.HandleAsync).WithDisplayName("OTLP/HTTP logs");
        return new CompositeConventionBuilder(grpc, http);
    }

    private sealed class CompositeConventionBuilder(params IEndpointConventionBuilder[] builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}

/// <summary>Fails options resolution (and so startup) when <see cref="OtlpReceiverOptions.Validate"/> finds problems.</summary>
internal sealed class OtlpReceiverOptionsValidator : IValidateOptions<OtlpReceiverOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OtlpReceiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>Fails options resolution (and so startup) when <see cref="LimitsOptions.Validate"/> finds problems.</summary>
internal sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
