using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitoring.Stats.Slices;
using Xunit;

namespace Monitoring.Cli.Tests.Slices;

/// <summary><c>monitoring slices --reference</c>: each slice's scores against the same slice of a reference file.</summary>
public sealed class SlicesPredictionDriftTests : IDisposable
{
    private static readonly string[] Countries = ["US", "DE", "BR"];
    private readonly string _dir = Directory.CreateTempSubdirectory("monitoring-slices-drift-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ShiftedSlice_IsTheOnlyDriftedOne_AndMatchesTheStatisticsCore()
    {
        var rng = new Random(41);
        var reference = Rows(rng, 3000, shiftBrazil: false, labels: false);
        var current = Rows(rng, 1500, shiftBrazil: true, labels: true);
        var referencePath = Write("reference.csv", "p,country\n", reference.Select(r => $"{F(r.Score)},{r.Country}"));
        var currentPath = Write("current.csv", "p,y,country\n", current.Select(r => $"{F(r.Score)},{r.Label},{r.Country}"));

        var run = await CliProcess.RunAsync("slices", "--file", currentPath, "--score-column", "p", "--label-column", "y",
            "--segments", "country", "--reference", referencePath, "--format", "json");

        Assert.True(run.ExitCode == 0, run.StandardError);
        var doc = JsonDocument.Parse(run.StandardOutput).RootElement;
        var summary = doc.GetProperty("prediction_drift");
        Assert.Equal(3000, summary.GetProperty("reference_scored_rows").GetInt32());
        Assert.Equal(["country=BR"], summary.GetProperty("drifted_slices").EnumerateArray().Select(e => e.GetString()!).ToList());

        var slices = doc.GetProperty("dimensions")[0].GetProperty("slices").EnumerateArray().ToList();
        var values = slices.Select(s => s.GetProperty("value").GetString()!).ToList();
        var expected = SlicePredictionDrift.Compare(values.Select(v => (Bins(current, v), (long[]?)Bins(reference, v))).ToArray());
        for (var i = 0; i < values.Count; i++)
        {
            var d = slices[i].GetProperty("prediction_drift");
            Assert.Equal(expected[i].Count, d.GetProperty("count").GetInt64());
            Assert.Equal(expected[i].ReferenceCount, d.GetProperty("reference_count").GetInt64());
            Assert.Equal(expected[i].Psi!.Value, d.GetProperty("psi").GetDouble(), 12);
            Assert.Equal(expected[i].AdjustedPValue!.Value, d.GetProperty("chi_square").GetProperty("p_value_adjusted").GetDouble(), 12);
            Assert.Equal(values[i] == "BR", d.GetProperty("drifted").GetBoolean());
        }

        var table = await CliProcess.RunAsync("slices", "--file", currentPath, "--score-column", "p", "--label-column", "y",
            "--segments", "country", "--reference", referencePath);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("Prediction drift per slice", table.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"country=BR\s.*drifted", table.StandardOutput);
    }

    [Fact]
    public async Task ReferenceWithoutTheSegmentColumn_NamesFileAndColumn()
    {
        var currentPath = Write("current.csv", "p,y,country\n", ["0.2,1,BR", "0.7,0,US"]);
        var referencePath = Write("train.csv", "p,device\n", ["0.2,ios"]);

        var run = await CliProcess.RunAsync("slices", "--file", currentPath, "--score-column", "p", "--label-column", "y",
            "--segments", "country", "--reference", referencePath);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("train.csv", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("'country'", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
    }

    private static List<(double Score, int Label, string Country)> Rows(Random rng, int n, bool shiftBrazil, bool labels) =>
        Enumerable.Range(0, n).Select(i =>
        {
            var country = Countries[i % 3];
            var score = Math.Round(shiftBrazil && country == "BR" ? 0.5 + (0.5 * rng.NextDouble()) : 0.6 * rng.NextDouble(), 6);
            return (score, rng.NextDouble() < score ? 1 : 0, country);
        }).ToList();

    private static long[] Bins(IEnumerable<(double Score, int Label, string Country)> rows, string country)
    {
        var bins = new long[SlicePredictionDrift.BinCount];
        foreach (var r in rows.Where(r => r.Country == country))
        {
            bins[SlicePredictionDrift.BinOf(r.Score)]++;
        }

        return bins;
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private string Write(string name, string header, IEnumerable<string> lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, header + string.Join('\n', lines) + "\n", Encoding.UTF8);
        return path;
    }
}
