using System.Globalization;
using System.Text.Json;
using Parquet.Serialization;
using Xunit;

namespace Monitoring.Cli.Tests.Rollouts;

/// <summary>A Parquet prediction file is read like its CSV: the same comparison, figure for figure.</summary>
public sealed class RolloutCompareParquetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monitoring-rollout-parquet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>One row; the property names are the Parquet column names, spelled as in the CSV.</summary>
    public sealed class PredictionRow
    {
        public string id { get; set; } = string.Empty;
        public double score { get; set; }
        public double? label { get; set; }
        public string country { get; set; } = string.Empty;
        public string device { get; set; } = string.Empty;
        public double latency_ms { get; set; }
    }

    [Fact]
    public async Task ParquetBaseline_GivesTheSameReportAsItsCsv()
    {
        var lines = await File.ReadAllLinesAsync(CliProcess.FixturePath("rollout_baseline.csv"));
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(line =>
        {
            var cells = line.Split(',');
            string Cell(string name) => cells[Array.IndexOf(header, name)];
            return new PredictionRow
            {
                id = Cell("id"),
                score = double.Parse(Cell("score"), CultureInfo.InvariantCulture),
                label = Cell("label").Length == 0 ? null : double.Parse(Cell("label"), CultureInfo.InvariantCulture),
                country = Cell("country"),
                device = Cell("device"),
                latency_ms = double.Parse(Cell("latency_ms"), CultureInfo.InvariantCulture),
            };
        }).ToList();
        var parquet = Path.Combine(_dir, "baseline.parquet");
        await using (var stream = File.Create(parquet))
        {
            await ParquetSerializer.SerializeAsync(rows, stream);
        }

        string[] common = ["--candidate-file", CliProcess.FixturePath("rollout_slice.csv"), "--segments", "country,device", "--latency-column", "latency_ms", "--id-column", "id", "--format", "json"];
        var fromParquet = await CliProcess.RunAsync(["rollout", "compare", "--baseline-file", parquet, .. common]);
        var fromCsv = await CliProcess.RunAsync(["rollout", "compare", "--baseline-file", CliProcess.FixturePath("rollout_baseline.csv"), .. common]);

        Assert.True(fromParquet.ExitCode == 0, fromParquet.StandardError);
        Assert.True(fromCsv.ExitCode == 0, fromCsv.StandardError);
        var a = JsonDocument.Parse(fromParquet.StandardOutput).RootElement;
        var b = JsonDocument.Parse(fromCsv.StandardOutput).RootElement;
        Assert.Equal("rollback", a.GetProperty("verdict").GetProperty("decision").GetString());
        foreach (var section in new[] { "baseline_summary", "metrics", "slices", "latency", "shadow", "verdict", "prediction_shift" })
        {
            Assert.Equal(b.GetProperty(section).GetRawText(), a.GetProperty(section).GetRawText());
        }
    }

    [Fact]
    public async Task ParquetBaselineWhoseFooterRunsPastItsEnd_IsAnErrorNamingTheFile()
    {
        // The corrupt footer that made Parquet.Net 6.1.0 loop forever: the command must end, with the file and the reason.
        var file = CliProcess.FixturePath("footer-runs-past-its-end.parquet");

        var run = await CliProcess.RunAsync(["rollout", "compare", "--baseline-file", file, "--candidate-file", CliProcess.FixturePath("rollout_slice.csv"), "--format", "json"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"{file}: not a readable Parquet file (the footer's Thrift metadata runs past the footer's end (507 bytes))", run.StandardError, StringComparison.Ordinal);
    }
}
