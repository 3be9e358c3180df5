using System.Text.Json;
using Xunit;

namespace Monitoring.Stats.Tests.Support;

/// <summary>Loads the statsmodels/sklearn/numpy fixtures written by Fixtures/generate_slice_fixtures.py.</summary>
public static class SliceFixtures
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "slice_fixtures.json"))));

    /// <summary>The document root.</summary>
    public static JsonElement Root => Document.Value.RootElement;

    /// <summary>Every case of one section.</summary>
    public static IEnumerable<JsonElement> Section(string section) => Root.GetProperty(section).EnumerateArray();

    /// <summary>One case of a section, by name.</summary>
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

    public static double Double(this JsonElement e, string property) => e.GetProperty(property).GetDouble();

    public static long Long(this JsonElement e, string property) => e.GetProperty(property).GetInt64();

    /// <summary>Asserts a nullable statistic: both null, or close within the statistic tolerance.</summary>
    public static void StatisticOrNull(this JsonElement e, string property, double? actual, string what)
    {
        var expected = e.NullableDouble(property);
        Assert.True(expected is null == actual is null, $"{what}: expected {(expected is null ? "null" : expected.Value.ToString("R"))}, got {(actual is null ? "null" : actual.Value.ToString("R"))}");
        if (expected is not null)
        {
            Close.Statistic(expected.Value, actual!.Value, what);
        }
    }
}
