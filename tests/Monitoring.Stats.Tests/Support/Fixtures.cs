using System.Text.Json;
using Xunit;

namespace Monitoring.Stats.Tests.Support;

/// <summary>Loads the scipy/sklearn fixtures written by Fixtures/generate_fixtures.py.</summary>
public static class Fixtures
{
    private static readonly FixtureFile File = new("stats_fixtures.json");

    /// <summary>Every case of one section.</summary>
    public static IEnumerable<JsonElement> Section(string section) => File.Section(section);

    /// <summary>One case of a section, by name.</summary>
    public static JsonElement Case(string section, string name) => File.Case(section, name);

    /// <summary>xunit theory data: the names of a section's cases.</summary>
    public static TheoryData<string> Names(string section) => File.Names(section);

    public static double[] Doubles(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    public static long[] Longs(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetInt64()).ToArray();

    public static string[] Strings(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetString()!).ToArray();

    public static double? NullableDouble(this JsonElement e, string property) =>
        e.GetProperty(property).ValueKind == JsonValueKind.Null ? null : e.GetProperty(property).GetDouble();
}
