using System.Text.Json;
using Xunit;

namespace Monitoring.Stats.Tests.Support;

/// <summary>Loads the numpy/scipy/sklearn/statsmodels fixtures written by Fixtures/generate_rollout_fixtures.py.</summary>
public static class RolloutFixtures
{
    private static readonly FixtureFile File = new("rollout_fixtures.json");

    /// <summary>One case of a section, by name.</summary>
    public static JsonElement Case(string section, string name) => File.Case(section, name);

    /// <summary>xunit theory data: the names of a section's cases.</summary>
    public static TheoryData<string> Names(string section) => File.Names(section);
}
