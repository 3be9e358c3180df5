namespace Monitoring.Aggregation.Reports;

/// <summary>
/// The kinds of documents a model keeps in the report store, keyed by (model, kind, window start): the one contract
/// between the code that writes them (the model grain) and the code that reads them (the API's read service).
/// </summary>
public static class ReportKinds
{
    /// <summary>Closed windows' drift and data-quality reports.</summary>
    public const string Window = "window";

    /// <summary>Day roll-ups.</summary>
    public const string Day = "day";

    /// <summary>Stored window sketches (for pinned, rolling and seasonal references).</summary>
    public const string Sketch = "sketch";

    /// <summary>
    /// Reference profiles, keyed by version (window start = version; window end = when it was stored or superseded, so
    /// the retention sweep drops it a retention period later): windows still open when their reference is replaced are
    /// judged against it at close.
    /// </summary>
    public const string Reference = "reference";

    /// <summary>Per-window performance (realized from joined labels, and estimated).</summary>
    public const string Performance = "performance";

    /// <summary>Stored per-window performance sketches (with the log position they include).</summary>
    public const string PerformanceSketch = "perf.sketch";
}
