namespace Monitoring.Reports.Components.Layout;

/// <summary>The navigation entries of the page frame.</summary>
public enum NavSection
{
    /// <summary>None highlighted (error pages).</summary>
    None,

    /// <summary>Models overview and model pages.</summary>
    Models,

    /// <summary>Incidents.</summary>
    Incidents,

    /// <summary>Rules and SLOs.</summary>
    Rules,

    /// <summary>Silences.</summary>
    Silences,
}
