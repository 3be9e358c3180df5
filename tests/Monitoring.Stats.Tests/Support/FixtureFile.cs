using System.Text.Json;
using Xunit;

namespace Monitoring.Stats.Tests.Support;

/// <summary>One committed fixture file (Fixtures/*.json): named sections of cases, each case with a "name".</summary>
public sealed class FixtureFile(string fileName)
{
    private readonly Lazy<JsonDocument> _document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", fileName))));

    /// <summary>The document root.</summary>
    public JsonElement Root => _document.Value.RootElement;

    /// <summary>Every case of one section.</summary>
    public IEnumerable<JsonElement> Section(string section) => Root.GetProperty(section).EnumerateArray();

    /// <summary>One case of a section, by name.</summary>
    public JsonElement Case(string section, string name) =>
        Section(section).Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>xunit theory data: the names of a section's cases.</summary>
    public TheoryData<string> Names(string section)
    {
        var data = new TheoryData<string>();
        foreach (var c in Section(section))
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }
}
