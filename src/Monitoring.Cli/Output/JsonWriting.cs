using System.Text.Json;

namespace Monitoring.Cli.Output;

/// <summary>Helpers shared by the commands' JSON writers.</summary>
internal static class JsonWriting
{
    /// <summary>Writes a number, or null when it is missing or not finite (JSON has no NaN or infinity).</summary>
    public static void NumberOrNull(this Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
