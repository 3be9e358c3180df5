namespace Monitoring.Alerting.Tests.Routing;

/// <summary>The YAML fixtures under Routing/Configs, copied next to the test assembly.</summary>
internal static class ConfigFiles
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Routing", "Configs");

    public static string PathOf(string name) => Path.Combine(Directory, name);
}
