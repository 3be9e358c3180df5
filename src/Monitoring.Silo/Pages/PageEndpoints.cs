using Microsoft.AspNetCore.Mvc;
using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.Reports;
using Monitoring.Reports.Components.Alerting;
using Monitoring.Reports.Components.Errors;
using Monitoring.Reports.Components.Incidents;
using Monitoring.Reports.Components.Model;
using Monitoring.Reports.Components.Overview;
using Monitoring.Reports.Components.Shared;
using Monitoring.Reports.Components.Slices;
using Monitoring.Reports.Components.Versions;
using Monitoring.Reports.Components.Window;
using Monitoring.Reports.Charts;
using Monitoring.Reports.Rendering;
using Monitoring.Grains.Alerting;
using Monitoring.Grains.Rollouts;
using Monitoring.Silo.Api;
using Monitoring.Silo.Hosting;

namespace Monitoring.Silo.Pages;

/// <summary>
/// The HTML pages on the API port: <c>/</c>, <c>/models/{tenant}/{model}</c>, <c>.../windows/{start}</c>,
/// <c>.../slices</c>, <c>/incidents</c>, <c>/incidents/{id}</c> (with <c>GET|POST /incidents/{id}/ack</c> and
/// <c>POST /incidents/{id}/resolve</c>), <c>/rules</c>, <c>/silences</c>. Each handler reads through the same readers
/// as the JSON API (<see cref="ModelReads"/>, the alerting grains, <see cref="AlertingReads"/>), builds a typed page
/// model and renders the Razor component for it (Monitoring.Reports); unknown things are a 404 page, bad query values
/// a 400 page naming the parameter. A GET never changes anything.
/// </summary>
internal static class PageEndpoints
{
    /// <summary>Closed windows a model page lists (and its charts span).</summary>
    public const int ModelPageWindows = ModelPage.ListedWindows;

    /// <summary>Windows the slice page's picker offers.</summary>
    public const int SliceWindowChoices = 48;

    /// <summary>Windows of history an incident's metric chart spans before the incident's window.</summary>
    public const int IncidentHistoryWindows = 24;

    /// <summary>How long clients (Slack's and PagerDuty's image proxies, browsers) may keep an incident's chart PNG.</summary>
    public const int IncidentChartMaxAgeSeconds = 300;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", OverviewAsync).ExcludeFromDescription();
        app.MapGet("/models/{tenant}/{model}", ModelAsync).ExcludeFromDescription();
        app.MapGet("/models/{tenant}/{model}/windows/{start}", WindowAsync).ExcludeFromDescription();
        app.MapGet("/models/{tenant}/{model}/slices", SlicesAsync).ExcludeFromDescription();
        app.MapGet("/models/{tenant}/{model}/versions", VersionsAsync).ExcludeFromDescription();
        app.MapGet("/models/{tenant}/{model}/windows/{start}/features/{feature}/distribution.svg", FeatureChartAsync).ExcludeFromDescription();
        app.MapGet("/incidents", IncidentsAsync).ExcludeFromDescription();
        app.MapGet("/incidents/{id}", IncidentAsync).ExcludeFromDescription();
        app.MapGet("/incidents/{id}/ack", AckFormAsync).ExcludeFromDescription();
        app.MapGet("/incidents/{id}/chart.png", IncidentChartAsync).ExcludeFromDescription();
        app.MapPost("/incidents/{id}/ack", AckAsync).ExcludeFromDescription().DisableAntiforgery();
        app.MapPost("/incidents/{id}/resolve", ResolveAsync).ExcludeFromDescription().DisableAntiforgery();
        app.MapGet("/rules", RulesAsync).ExcludeFromDescription();
        app.MapGet("/silences", SilencesAsync).ExcludeFromDescription();
        app.MapPost("/silences/{id}/expire", ExpireSilenceAsync).ExcludeFromDescription().DisableAntiforgery();
    }

    private static async Task<IResult> OverviewAsync(HttpContext context, [FromServices] ModelReads reads, [FromServices] IGrainFactory grains, [FromServices] PageRenderer pages, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var models = await reads.ModelsAsync(ct);
        var open = AlertingReads.Visible(await AlertingReads.Notifier(grains).ListIncidentsAsync(null), context).Where(i => i.State != "resolved").ToList();
        var byModel = open.ToLookup(i => ModelHealthBuilder.ModelOf(i));
        var rows = await Task.WhenAll(models.Select(async key =>
        {
            var d = await reads.Grain(key).DescribeAsync();
            var (last, performance) = await LatestAsync(reads, key, d, ct);
            return ModelHealthBuilder.From(key.Tenant, key.Model, last, performance, byModel[(key.Tenant, key.Model)]);
        }));
        return await RenderAsync<OverviewView, OverviewPage>(pages, new OverviewPage(ModelHealth.WorstFirst(rows), open.Count, time.GetUtcNow()));
    }

    /// <summary>The last closed window's report and the performance of the last few closed windows.</summary>
    private static async Task<(WindowReport? Last, IReadOnlyList<PerformanceReport> Performance)> LatestAsync(ModelReads reads, ModelKey key, ModelDescription d, CancellationToken ct)
    {
        if (LastClosedStart(d) is not { } lastStart)
        {
            return (null, []);
        }

        // The newest closed window by start (windows of an earlier length may end later than the last of this length).
        var window = WindowNanos(d);
        var last = reads.WindowsAsync(key, ReportKinds.Window, lastStart - (4 * window), lastStart + 1, ct);
        var performance = reads.PerformanceAsync(key, lastStart - (4 * window), lastStart + 1);
        return ((await last).LastOrDefault(), await performance);
    }

    private static async Task<IResult> ModelAsync(string tenant, string model, [FromServices] ModelReads reads, [FromServices] IGrainFactory grains, [FromServices] PageRenderer pages, [FromServices] PageCharts charts,
        CancellationToken ct, string? sort = null, string? dir = null)
    {
        if (await KnownAsync(reads, tenant, model, ct) is not { } key)
        {
            return await UnknownModelAsync(pages, tenant, model);
        }

        if (!FeatureSort.TryParse(sort, dir, out var order, out var field, out var reason))
        {
            return await BadRequestAsync(pages, field, reason);
        }

        var d = await reads.Grain(key).DescribeAsync();
        IReadOnlyList<WindowReport> windows = [];
        IReadOnlyList<PerformanceReport> performance = [];
        if (LastClosedStart(d) is { } lastStart)
        {
            var from = lastStart - ((ModelPageWindows - 1) * WindowNanos(d));
            var w = reads.WindowsAsync(key, ReportKinds.Window, from, lastStart + 1, ct);
            var p = reads.PerformanceAsync(key, from, lastStart + 1);
            (windows, performance) = (await w, await p);
        }

        var byStart = performance.ToDictionary(p => p.WindowStartUnixNano);
        var latest = windows.Count > 0 ? windows[^1] : null;
        var all = (await AlertingReads.Notifier(grains).ListIncidentsAsync(null)).Where(i => ModelHealthBuilder.ModelOf(i) == (key.Tenant, key.Model)).ToList();
        var incidents = all.Where(i => i.State != "resolved").ToList();
        var page = new ModelPage
        {
            Tenant = key.Tenant,
            Model = key.Model,
            Description = d,
            Windows = [.. windows.Reverse().Select(r => new WindowRow(r, byStart.GetValueOrDefault(r.WindowStartUnixNano)))],
            Features = latest is null ? [] : order.Apply(latest.Features.Select(f => Row(key, latest, f)), r => r.Feature),
            Sort = order,
            Incidents = incidents,
            DriftCharts = charts.DriftOverTime(windows, all),
            PerformanceChart = charts.PerformanceOverTime(performance, all),
            VolumeChart = charts.VolumeOverTime(windows, all),
        };
        return await RenderAsync<ModelView, ModelPage>(pages, page);
    }

    private static async Task<IResult> WindowAsync(string tenant, string model, string start, [FromServices] ModelReads reads, [FromServices] PageRenderer pages, [FromServices] PageCharts charts,
        CancellationToken ct, string? sort = null, string? dir = null)
    {
        if (await KnownAsync(reads, tenant, model, ct) is not { } key)
        {
            return await UnknownModelAsync(pages, tenant, model);
        }

        if (!ApiResults.TryTime(start, out var s))
        {
            return await BadRequestAsync(pages, "start", "expected the window start as ISO 8601, Unix seconds or Unix nanoseconds");
        }

        if (!FeatureSort.TryParse(sort, dir, out var order, out var field, out var reason))
        {
            return await BadRequestAsync(pages, field, reason);
        }

        if (await reads.WindowAsync(key, ReportKinds.Window, s, ct) is not { } report)
        {
            return await NotFoundAsync(pages, "start", $"no closed window of {key.GrainKey} starts at {UnixNanos.ToIso(s)}");
        }

        var length = report.WindowEndUnixNano - report.WindowStartUnixNano;
        var previous = reads.WindowAsync(key, ReportKinds.Window, s - length, ct);
        var next = reads.WindowAsync(key, ReportKinds.Window, s + length, ct);
        var performance = (await reads.PerformanceAsync(key, s, s + 1)).FirstOrDefault();
        var page = new WindowPage
        {
            Tenant = key.Tenant,
            Model = key.Model,
            Report = report,
            Performance = performance,
            Features = order.Apply(report.Features.Select(f => Row(key, report, f)), r => r.Feature),
            Sort = order,
            Previous = (await previous)?.WindowStart,
            Next = (await next)?.WindowStart,
            ReliabilityChart = performance is null ? null : charts.Reliability(performance),
        };
        return await RenderAsync<WindowView, WindowPage>(pages, page);
    }

    private static async Task<IResult> VersionsAsync(string tenant, string model, [FromServices] ModelReads reads, [FromServices] PageRenderer pages, [FromServices] RolloutOptions rollouts,
        CancellationToken ct, string? baseline = null, string? candidate = null)
    {
        if (await KnownAsync(reads, tenant, model, ct) is not { } key)
        {
            return await UnknownModelAsync(pages, tenant, model);
        }

        var versions = await reads.Grain(key).GetVersionsAsync();
        if ((baseline is null) != (candidate is null))
        {
            return await BadRequestAsync(pages, baseline is null ? "baseline" : "candidate", "give both versions to compare, or neither");
        }

        if (baseline is not null && baseline == candidate)
        {
            return await BadRequestAsync(pages, "candidate", "must differ from the baseline");
        }

        foreach (var (field, version) in new[] { ("baseline", baseline), ("candidate", candidate) })
        {
            if (version is not null && versions.Versions.All(v => v.Version != version))
            {
                return await NotFoundAsync(pages, field, $"{key.GrainKey} has no version '{version}'");
            }
        }

        var pair = baseline is not null ? (baseline, candidate!) : VersionsPage.DefaultPair(versions);
        var report = pair is var (b, c) ? await reads.Grain(key).CompareVersionsAsync(b, c, long.MinValue, long.MaxValue, rollouts.GuardrailsOf(key)) : null;
        var page = new VersionsPage { Tenant = key.Tenant, Model = key.Model, Versions = versions, Baseline = pair?.Item1, Candidate = pair?.Item2, Report = report };
        return await RenderAsync<VersionsView, VersionsPage>(pages, page);
    }

    private static async Task<IResult> SlicesAsync(string tenant, string model, [FromServices] ModelReads reads, [FromServices] PageRenderer pages, [FromServices] PageCharts charts, CancellationToken ct, string? window = null)
    {
        if (await KnownAsync(reads, tenant, model, ct) is not { } key)
        {
            return await UnknownModelAsync(pages, tenant, model);
        }

        long? chosen = null;
        if (!string.IsNullOrEmpty(window))
        {
            if (!ApiResults.TryTime(window, out var w))
            {
                return await BadRequestAsync(pages, "window", "expected a window start as ISO 8601, Unix seconds or Unix nanoseconds");
            }

            chosen = w;
        }

        var d = await reads.Grain(key).DescribeAsync();
        var length = WindowNanos(d);
        var newest = d.OpenWindows.Length > 0 ? UnixNanos.FromDateTimeOffset(DateTimeOffset.Parse(d.OpenWindows[^1].Start, System.Globalization.CultureInfo.InvariantCulture)) : LastClosedStart(d) ?? 0;
        var recent = await reads.PerformanceAsync(key, newest - ((SliceWindowChoices - 1) * length), newest + 1);
        PerformanceReport? shown;
        if (chosen is { } c)
        {
            shown = recent.FirstOrDefault(p => p.WindowStartUnixNano == c) ?? (await reads.PerformanceAsync(key, c, c + 1)).FirstOrDefault();
            if (shown is null)
            {
                return await NotFoundAsync(pages, "window", $"no window of {key.GrainKey} with predictions starts at {UnixNanos.ToIso(c)}");
            }
        }
        else
        {
            // The newest window with labels (slices compare accuracy), else the newest closed one, else the newest.
            var lastClosed = LastClosedStart(d);
            shown = recent.LastOrDefault(p => p.Labeled > 0) ?? recent.LastOrDefault(p => p.WindowStartUnixNano <= lastClosed) ?? recent.LastOrDefault();
        }

        var open = d.OpenWindows.Select(o => o.Start).ToHashSet(StringComparer.Ordinal);
        var choices = recent.Reverse().Select(p => new WindowChoice(p.WindowStart, p.Predictions, p.Labeled, IsOpen(p))).ToList();
        if (shown is not null && choices.All(x => x.Start != shown.WindowStart))
        {
            choices.Insert(0, new WindowChoice(shown.WindowStart, shown.Predictions, shown.Labeled, IsOpen(shown)));
        }

        bool IsOpen(PerformanceReport p) => open.Contains(p.WindowStart) || (LastClosedStart(d) is not { } c || p.WindowStartUnixNano > c);

        var page = new SlicesPage
        {
            Tenant = key.Tenant,
            Model = key.Model,
            Windows = choices,
            Window = shown?.WindowStart,
            Performance = shown,
            WorstChart = shown?.Slices is { WorstSlices.Length: > 0 } ? charts.SliceComparison(shown, null) : null,
            Dimensions = shown?.Slices is { } slices ? [.. slices.Dimensions.Select(x => new SliceDimensionRow(x, charts.SliceComparison(shown, x.Name)))] : [],
        };
        return await RenderAsync<SlicesView, SlicesPage>(pages, page);
    }

    /// <summary>
    /// A drift table row: the feature's distribution chart as an image URL, not inline. Drawing 50 charts with the page
    /// took 650 ms on a cold cache (docs/bench/pages.md), over the 200 ms budget; as images the page renders in a few
    /// milliseconds, the browser fetches the charts in parallel (lazily, as they scroll into view), and each is drawn
    /// once: a closed window's report never changes, so its charts are cached here and in the browser.
    /// </summary>
    private static FeatureRow Row(ModelKey key, WindowReport report, FeatureReport feature) =>
        new(feature, null, feature.Distribution is null ? null : Links.FeatureChart(key.Tenant, key.Model, report.WindowStart, feature.Name));

    private static async Task<IResult> FeatureChartAsync(string tenant, string model, string start, string feature, [FromServices] ModelReads reads, CancellationToken ct)
    {
        var name = Links.PathValue(feature);
        if (await reads.KnownAsync(tenant, model, ct) is not { } key || !ApiResults.TryTime(start, out var s)
            || await reads.WindowAsync(key, ReportKinds.Window, s, ct) is not { } report
            || report.Features.FirstOrDefault(f => f.Name == name) is not { Distribution: not null } f)
        {
            return Results.NotFound();
        }

        return new SvgImage(Monitoring.Reports.Charts.ReportCharts.FeatureDistribution(f, new Monitoring.Reports.Charts.ChartSize(480, 240)).Svg);
    }

    private static readonly string[] IncidentStates = ["triggered", "acknowledged", "resolved"];

    private static async Task<IResult> IncidentsAsync(HttpContext context, [FromServices] IGrainFactory grains, [FromServices] PageRenderer pages, string? state = null)
    {
        if (state is not null && !IncidentStates.Contains(state))
        {
            return await BadRequestAsync(pages, "state", $"expected triggered, acknowledged or resolved, not '{state}'");
        }

        var incidents = AlertingReads.Visible(await AlertingReads.Notifier(grains).ListIncidentsAsync(state), context);
        return await RenderAsync<IncidentListView, IncidentsPage>(pages, new IncidentsPage(incidents, state));
    }

    private static Task<IResult> IncidentAsync(string id, [FromServices] IGrainFactory grains, [FromServices] ModelReads reads, [FromServices] PageRenderer pages, [FromServices] PageCharts charts, [FromServices] AlertingRuntime alerting, CancellationToken ct) =>
        ShowIncidentAsync(id, ackRequested: false, grains, reads, pages, charts, alerting, ct);

    private static Task<IResult> AckFormAsync(string id, [FromServices] IGrainFactory grains, [FromServices] ModelReads reads, [FromServices] PageRenderer pages, [FromServices] PageCharts charts, [FromServices] AlertingRuntime alerting, CancellationToken ct) =>
        ShowIncidentAsync(id, ackRequested: true, grains, reads, pages, charts, alerting, ct);

    private static async Task<IResult> ShowIncidentAsync(string id, bool ackRequested, IGrainFactory grains, ModelReads reads, PageRenderer pages, PageCharts charts, AlertingRuntime alerting, CancellationToken ct)
    {
        if (await AlertingReads.Notifier(grains).GetIncidentAsync(id) is not { } incident)
        {
            return await NotFoundAsync(pages, "id", $"no incident '{id}'");
        }

        var (windowPage, metric, feature) = await IncidentChartsAsync(incident, reads, ChartSize.Inline, ct);
        return await RenderAsync<IncidentDetailView, IncidentPage>(pages, new IncidentPage
        {
            Incident = incident,
            ExternalUrl = alerting.ExternalUrl,
            AckRequested = ackRequested,
            WindowPage = windowPage,
            MetricChart = metric is null ? null : charts.Chart(metric),
            FeatureChart = feature is null ? null : charts.FeatureDistribution(feature),
        });
    }

    /// <summary>
    /// An incident's window page, its metric chart (the metric over the windows around it, threshold and incident marked)
    /// and the judged feature's report (for its distribution chart), read as the incident page reads them.
    /// </summary>
    private static async Task<(string? WindowPage, ChartImage? Metric, FeatureReport? Feature)> IncidentChartsAsync(IncidentView incident, ModelReads reads, ChartSize? size, CancellationToken ct)
    {
        if (ModelHealthBuilder.ModelOf(incident) is not var (tenant, model) || !ApiResults.TryKey(tenant, model, out var key, out _)
            || incident.Evidence?.WindowStart is not { } ws || !ApiResults.TryTime(ws, out var start))
        {
            return (null, null, null);
        }

        var windowPage = Links.Window(tenant, model, ws);
        if (await reads.WindowAsync(key, ReportKinds.Window, start, ct) is not { } report)
        {
            return (windowPage, null, null);
        }

        var length = report.WindowEndUnixNano - report.WindowStartUnixNano;
        var from = start - (IncidentHistoryWindows * length);
        var windows = reads.WindowsAsync(key, ReportKinds.Window, from, start + ((IncidentHistoryWindows / 4) * length), ct);
        var performance = reads.PerformanceAsync(key, from, start + ((IncidentHistoryWindows / 4) * length));
        var metric = PageCharts.IncidentChart(incident, await windows, await performance, size);
        var feature = incident.Labels.GetValueOrDefault("feature") is { } name ? report.Features.FirstOrDefault(f => f.Name == name && f.Distribution is not null) : null;
        return (windowPage, metric, feature);
    }

    /// <summary>
    /// <c>GET /incidents/{id}/chart.png</c>: the incident's evidence chart as PNG for notifications that show images
    /// (Slack's image block and PagerDuty's images fetch it from the external URL): the metric over time with the
    /// threshold and the incident marked, else the judged feature's distribution; 404 when there is neither. Drawn once
    /// per content (the chart cache) and cacheable for a few minutes (new windows extend the line).
    /// </summary>
    private static async Task<IResult> IncidentChartAsync(string id, [FromServices] IGrainFactory grains, [FromServices] ModelReads reads, CancellationToken ct)
    {
        if (await AlertingReads.Notifier(grains).GetIncidentAsync(id) is not { } incident)
        {
            return Results.NotFound();
        }

        var (_, metric, feature) = await IncidentChartsAsync(incident, reads, null, ct);
        var chart = metric ?? (feature is null ? null : ReportCharts.FeatureDistribution(feature));
        return chart is null ? Results.NotFound() : new PngImage(chart.Png(), IncidentChartMaxAgeSeconds);
    }

    private static Task<IResult> AckAsync(string id, HttpRequest request, [FromServices] IGrainFactory grains, [FromServices] PageRenderer pages, [FromServices] MonitoringHostOptions host) =>
        ActAsync(id, request, pages, host, by => AlertingReads.Notifier(grains).AcknowledgeAsync(id, by));

    private static Task<IResult> ResolveAsync(string id, HttpRequest request, [FromServices] IGrainFactory grains, [FromServices] PageRenderer pages, [FromServices] MonitoringHostOptions host) =>
        ActAsync(id, request, pages, host, by => AlertingReads.Notifier(grains).ResolveAsync(id, by));

    /// <summary>
    /// A form's POST: refused when another site sent it (the browser's <c>Sec-Fetch-Site</c> or <c>Origin</c> says so;
    /// a drive-by page must not ack incidents in an on-call engineer's browser), then the action, then 303 to the
    /// incident's page (post/redirect/get: a reload does not post again).
    /// </summary>
    private static async Task<IResult> ActAsync(string id, HttpRequest request, PageRenderer pages, MonitoringHostOptions host, Func<string, Task<IncidentView?>> act)
    {
        if (CrossSite(request, host) is { } reason)
        {
            return await RenderAsync<ErrorView, ErrorPage>(pages, new ErrorPage(StatusCodes.Status403Forbidden, "Forbidden", "origin", reason), StatusCodes.Status403Forbidden);
        }

        var by = "web";
        if (request.HasFormContentType && (await request.ReadFormAsync()).TryGetValue("by", out var v) && !string.IsNullOrWhiteSpace(v))
        {
            by = v.ToString().Trim();
        }

        return await act(by) is { } incident ? new SeeOther(Links.Incident(incident.Id)) : await NotFoundAsync(pages, "id", $"no incident '{id}'");
    }

    /// <summary>The silences page's Expire form: refused cross-site like the incident forms, then 303 back to the page.</summary>
    private static async Task<IResult> ExpireSilenceAsync(string id, HttpRequest request, [FromServices] IGrainFactory grains, [FromServices] PageRenderer pages, [FromServices] MonitoringHostOptions host)
    {
        if (CrossSite(request, host) is { } reason)
        {
            return await RenderAsync<ErrorView, ErrorPage>(pages, new ErrorPage(StatusCodes.Status403Forbidden, "Forbidden", "origin", reason), StatusCodes.Status403Forbidden);
        }

        return await AlertingReads.Notifier(grains).ExpireSilenceAsync(id, Auth.Caller.TenantOf(request.HttpContext))
            ? new SeeOther(Links.Silences)
            : await NotFoundAsync(pages, "id", $"no active or pending silence '{id}'");
    }

    /// <summary>Why a POST is cross-site, or null when it is not (or the client is not a browser that says).</summary>
    internal static string? CrossSite(HttpRequest request, MonitoringHostOptions host)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none" ? null : $"the form was sent from another site (Sec-Fetch-Site: {site})";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null; // not a browser form (curl, a script): the same as the JSON API
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var o))
        {
            return "the request's Origin is not this site";
        }

        var external = new Uri(host.EffectiveExternalUrl);
        var sameHost = string.Equals(o.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || string.Equals(o.Authority, external.Authority, StringComparison.OrdinalIgnoreCase);
        return sameHost ? null : "the form was sent from another site (Origin does not match this site)";
    }

    private static async Task<IResult> RulesAsync([FromServices] AlertingRuntime runtime, [FromServices] ModelReads reads, [FromServices] IGrainFactory grains, [FromServices] PageRenderer pages, CancellationToken ct) =>
        await RenderAsync<RulesListView, RulesPage>(pages, new RulesPage(AlertingReads.Rules(runtime), await AlertingReads.AlertsAsync(reads, grains, ct)));

    private static async Task<IResult> SilencesAsync(HttpContext context, [FromServices] IGrainFactory grains, [FromServices] PageRenderer pages) =>
        await RenderAsync<SilencesListView, SilencesPage>(pages, new SilencesPage(await AlertingReads.Notifier(grains).ListSilencesAsync(Auth.Caller.TenantOf(context))));

    private static long? LastClosedStart(ModelDescription d) =>
        d.LastClosedWindowEnd is { } end && ApiResults.TryTime(end, out var e) ? e - WindowNanos(d) : null;

    private static long WindowNanos(ModelDescription d) => (long)(d.Settings.WindowSeconds * UnixNanos.PerSecond);

    private static async Task<ModelKey?> KnownAsync(ModelReads reads, string tenant, string model, CancellationToken ct) =>
        await reads.KnownAsync(tenant, model, ct);

    private static async Task<IResult> RenderAsync<TView, TModel>([FromServices] PageRenderer pages, TModel model, int status = StatusCodes.Status200OK)
        where TView : Microsoft.AspNetCore.Components.IComponent =>
        new HtmlPage(await pages.RenderAsync<TView, TModel>(model), status);

    private static Task<IResult> UnknownModelAsync(PageRenderer pages, string tenant, string model) =>
        NotFoundAsync(pages, "model", $"unknown model '{tenant}/{Links.PathValue(model)}': no records received for it");

    private static Task<IResult> NotFoundAsync(PageRenderer pages, string field, string message) =>
        RenderAsync<ErrorView, ErrorPage>(pages, new ErrorPage(StatusCodes.Status404NotFound, "Not found", field, message), StatusCodes.Status404NotFound);

    private static Task<IResult> BadRequestAsync(PageRenderer pages, string field, string message) =>
        RenderAsync<ErrorView, ErrorPage>(pages, new ErrorPage(StatusCodes.Status400BadRequest, "Bad request", field, message), StatusCodes.Status400BadRequest);

    /// <summary>303 See Other: after a form's POST, the browser GETs the incident page.</summary>
    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
