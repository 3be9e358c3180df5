namespace Monitoring.Reports;

/// <summary>Marker for the reports assembly (charts and page components).</summary>
public static class ReportsAssembly
{
    /// <summary>The assembly's name, for component discovery.</summary>
    public static string Name => typeof(ReportsAssembly).Assembly.GetName().Name!;
}
