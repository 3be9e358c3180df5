using Monitoring.Abstractions.Alerts;
using Monitoring.Reports.Components.Shared;

namespace Monitoring.Reports.Components.Incidents;

/// <summary>The incidents list (<c>/incidents?state=</c>).</summary>
/// <param name="Incidents">Incidents, newest first.</param>
/// <param name="State">The state filter, null for all.</param>
public sealed record IncidentsPage(IReadOnlyList<IncidentView> Incidents, string? State);

/// <summary>One incident (<c>/incidents/{id}</c>, and <c>/incidents/{id}/ack</c>, which notifications link to).</summary>
public sealed record IncidentPage
{
    /// <summary>The incident.</summary>
    public required IncidentView Incident { get; init; }

    /// <summary>The site's external URL: links under it are shown site-relative.</summary>
    public required string ExternalUrl { get; init; }

    /// <summary>Whether the page was asked for as the acknowledgement link (puts the form first).</summary>
    public bool AckRequested { get; init; }

    /// <summary>The evidence's window as a page of this site (tenant, model and window start), when known.</summary>
    public string? WindowPage { get; init; }

    /// <summary>The metric over time with the threshold and the incident marked.</summary>
    public ChartSvg? MetricChart { get; init; }

    /// <summary>The reference-vs-window distribution of the feature the alert is about.</summary>
    public ChartSvg? FeatureChart { get; init; }
}
