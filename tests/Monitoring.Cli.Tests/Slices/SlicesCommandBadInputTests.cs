using Xunit;

namespace Monitoring.Cli.Tests.Slices;

/// <summary>Bad input to <c>monitoring slices</c>: one line naming file, row and column, exit code 2, no stack trace.</summary>
public sealed class SlicesCommandBadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monitoring-slices-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task MissingFile_NamesTheFile()
    {
        var run = await Slices(Path.Combine(_dir, "nope.csv"));

        AssertInputError(run, "nope.csv", "not found");
    }

    [Fact]
    public async Task HeaderOnly_SaysThereAreNoRows()
    {
        var run = await Slices(Write("empty.csv", "p,y,country\n"));

        AssertInputError(run, "empty.csv", "no data rows");
    }

    [Fact]
    public async Task ScoreNotANumber_NamesFileRowAndColumn()
    {
        var run = await Slices(Write("bad.csv", "p,y,country\n0.2,1,BR\nhigh,0,US\n"));

        AssertInputError(run, "bad.csv: row 3, column 'p'", "'high' is not a number");
    }

    [Fact]
    public async Task ScoreOutOfRange_NamesFileRowAndColumn()
    {
        var run = await Slices(Write("bad.csv", "p,y,country\n0.2,1,BR\n0.3,0,US\n1.5,0,US\n"));

        AssertInputError(run, "bad.csv: row 4, column 'p'", "outside [0, 1]");
    }

    [Fact]
    public async Task LabelNotZeroOrOne_NamesFileRowAndColumn()
    {
        var run = await Slices(Write("bad.csv", "p,y,country\n0.2,yes,BR\n"));

        AssertInputError(run, "bad.csv: row 2, column 'y'", "'yes' is not 0 or 1");
    }

    [Fact]
    public async Task MissingSegmentColumn_NamesColumnAndFile()
    {
        var run = await Slices(Write("data.csv", "p,y,country\n0.2,1,BR\n"), "country,device");

        AssertInputError(run, "data.csv", "'device'");
    }

    [Fact]
    public async Task MissingScoreColumn_NamesColumnAndFile()
    {
        var file = Write("data.csv", "score,y,country\n0.2,1,BR\n");
        var run = await CliProcess.RunAsync("slices", "--file", file, "--score-column", "p", "--label-column", "y", "--segments", "country");

        AssertInputError(run, "data.csv", "--score-column 'p'");
    }

    [Fact]
    public async Task SegmentIsTheLabel_IsRejected()
    {
        var run = await Slices(Write("data.csv", "p,y,country\n0.2,1,BR\n"), "country,y");

        AssertInputError(run, "'y'", "score or label column");
    }

    [Fact]
    public async Task NoScoredRow_SaysSo()
    {
        var run = await Slices(Write("data.csv", "p,y,country\n,1,BR\n0.3,,US\n"));

        AssertInputError(run, "data.csv", "no row has both a score");
    }

    [Fact]
    public async Task RaggedRow_NamesTheRow()
    {
        var run = await Slices(Write("data.csv", "p,y,country\n0.2,1,BR\n0.3,0\n"));

        AssertInputError(run, "data.csv: row 3", "fields");
    }

    [Fact]
    public async Task ThresholdOutOfRange_IsAnInputError()
    {
        var file = Write("data.csv", "p,y,country\n0.2,1,BR\n");
        var run = await CliProcess.RunAsync("slices", "--file", file, "--score-column", "p", "--label-column", "y", "--segments", "country", "--threshold", "1.5");

        AssertInputError(run, "--threshold", "outside [0, 1]");
    }

    [Fact]
    public async Task UnknownMetric_IsAUsageError()
    {
        var file = Write("data.csv", "p,y,country\n0.2,1,BR\n");
        var run = await CliProcess.RunAsync("slices", "--file", file, "--score-column", "p", "--label-column", "y", "--segments", "country", "--metric", "kappa");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("kappa", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingSegmentsOption_IsAUsageError()
    {
        var file = Write("data.csv", "p,y,country\n0.2,1,BR\n");
        var run = await CliProcess.RunAsync("slices", "--file", file, "--score-column", "p", "--label-column", "y");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--segments", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TinyFile_ReportsWithoutWorstSlices()
    {
        var run = await Slices(Write("tiny.csv", "p,y,country\n0.9,1,BR\n0.2,0,BR\n0.7,0,US\n0.4,1,\n"), format: "json");

        Assert.True(run.ExitCode == 0, run.StandardError);
        using var doc = System.Text.Json.JsonDocument.Parse(run.StandardOutput);
        Assert.Equal(0, doc.RootElement.GetProperty("worst_slices").GetProperty("slices").GetArrayLength());
        var values = doc.RootElement.GetProperty("dimensions")[0].GetProperty("slices").EnumerateArray().Select(s => s.GetProperty("value").GetString()!).ToArray();
        Assert.Equal(["BR", "(null)", "US"], values);
    }

    private Task<CliProcess.Result> Slices(string file, string segments = "country", string format = "table") =>
        CliProcess.RunAsync("slices", "--file", file, "--score-column", "p", "--label-column", "y", "--segments", segments, "--format", format);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static void AssertInputError(CliProcess.Result run, string where, string why)
    {
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.StandardError}");
        Assert.Contains(where, run.StandardError, StringComparison.Ordinal);
        Assert.Contains(why, run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.StandardOutput);
    }
}
