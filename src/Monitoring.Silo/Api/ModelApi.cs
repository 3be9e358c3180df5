using Monitoring.Reports.Rendering;
using Monitoring.Silo.Auth;
using Monitoring.Silo.Pages;

namespace Monitoring.Silo.Api;

/// <summary>
/// The read and reference API (JSON; OpenAPI document at <c>/openapi/v1.json</c>), one endpoint group per resource:
/// models and settings (<see cref="ModelEndpoints"/>), references (<see cref="ReferenceEndpoints"/>), windows
/// (<see cref="WindowEndpoints"/>), performance (<see cref="PerformanceEndpoints"/>). Every group reads through
/// <see cref="ModelReads"/>. Errors are <c>{"error": "...", "field": "..."}</c> with 404 for an unknown model and 400
/// for a bad query. The runbooks that alerts link to are served as HTML beside it (<see cref="RunbookEndpoints"/>), and so are the
/// pages people read (<see cref="PageEndpoints"/>).
/// </summary>
public static class ModelApi
{
    /// <summary>Registers what the endpoints need (the read service, the runbooks).</summary>
    public static IServiceCollection AddModelApi(this IServiceCollection services) =>
        services.AddSingleton<ModelReads>().AddRunbooks().AddSingleton<PageRenderer>().AddSingleton<PageCharts>()
            .AddDefaultRolloutOptions();

    /// <summary>Default guardrails for hosts that do not bind <c>Monitoring:Rollouts</c> (the silo does: <see cref="Rollouts.RolloutServices"/>).</summary>
    private static IServiceCollection AddDefaultRolloutOptions(this IServiceCollection services)
    {
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton(services, new Grains.Rollouts.RolloutOptions());
        return services;
    }

    /// <summary>Maps the API under <c>/api</c>, the runbooks under <c>/runbooks</c>, the pages, and <c>/healthz</c>.</summary>
    public static void MapModelApi(this IEndpointRouteBuilder app)
    {
        // Auth (api-keys mode): GET and HEAD need scope read, every other method admin; /healthz is open.
        var api = app.MapGroup("/api").WithTags("models").RequireAccess(Access.ReadOrAdminByMethod);
        ModelEndpoints.Map(api);
        ReferenceEndpoints.Map(api);
        WindowEndpoints.Map(api);
        PerformanceEndpoints.Map(api);
        RolloutEndpoints.Map(api);
        AlertingEndpoints.Map(app.MapGroup("/api").WithTags("alerting").RequireAccess(Access.ReadOrAdminByMethod));
        var pages = app.MapGroup(string.Empty).RequireAccess(Access.ReadOrAdminByMethod);
        RunbookEndpoints.Map(pages);
        PageEndpoints.Map(pages);
        app.MapGet("/healthz", () => Results.Text("ok")).ExcludeFromDescription().RequireAccess(Access.Open);
    }
}
