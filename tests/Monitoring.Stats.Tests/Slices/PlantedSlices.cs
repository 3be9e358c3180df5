using System.Text.Json;
using Monitoring.Stats.Slices;
using Monitoring.Stats.Tests.Support;

namespace Monitoring.Stats.Tests.Slices;

/// <summary>The planted-slice dataset of Fixtures/slice_fixtures.json as a <see cref="SliceDataset"/>.</summary>
public static class PlantedSlices
{
    private static readonly Lazy<SliceDataset> Lazy = new(() =>
    {
        var planted = Section;
        var dimensions = planted.GetProperty("dimensions").EnumerateArray()
            .Select(d => new SliceDimension(
                d.GetProperty("name").GetString()!,
                d.GetProperty("values").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString()).ToArray()))
            .ToArray();
        return new SliceDataset(planted.Doubles("scores"), planted.Doubles("labels"), dimensions, planted.Double("threshold"));
    });

    public static JsonElement Section => SliceFixtures.Root.GetProperty("planted");

    public static SliceDataset Dataset => Lazy.Value;

    /// <summary>The slice name as the fixture writes it.</summary>
    public static string Name(SliceKey key) => key.ToString();
}
