using System.Text.Json;
using Xunit;

namespace Monitoring.Stats.Tests.Support;

/// <summary>Loads the scipy/sklearn fixtures written by Fixtures/generate_fixtures.py.</summary>
public static class Fixtures
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "stats_fixtures.json"))));

    /// <summary>Every case of one section, by name.</summary>
    public static IEnumerable<JsonElement> Section(string section) => Document.Value.RootElement.GetProperty(section).EnumerateArray();

    /// <summary>One case of a section.</summary>
    public static JsonElement Case(string section, string name) =>
        Section(section).Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>xunit theory data: the names of a section's cases.</summary>
    public static TheoryData<string> Names(string section)
    {
        var data = new TheoryData<string>();
        foreach (var c in Section(section))
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    public static double[] Doubles(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    public static long[] Longs(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetInt64()).ToArray();

    public static string[] Strings(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetString()!).ToArray();

    public static double? NullableDouble(this JsonElement e, string property) =>
        e.GetProperty(property).ValueKind == JsonValueKind.Null ? null : e.GetProperty(property).GetDouble();
}
