using System.Text.Json;
using Xunit;

namespace Monitoring.Stats.Tests.Support;

/// <summary>Loads the statsmodels/sklearn/numpy fixtures written by Fixtures/generate_slice_fixtures.py.</summary>
public static class SliceFixtures
{
    private static readonly FixtureFile File = new("slice_fixtures.json");

    /// <summary>The document root.</summary>
    public static JsonElement Root => File.Root;

    /// <summary>Every case of one section.</summary>
    public static IEnumerable<JsonElement> Section(string section) => File.Section(section);

    /// <summary>One case of a section, by name.</summary>
    public static JsonElement Case(string section, string name) => File.Case(section, name);

    /// <summary>xunit theory data: the names of a section's cases.</summary>
    public static TheoryData<string> Names(string section) => File.Names(section);

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
