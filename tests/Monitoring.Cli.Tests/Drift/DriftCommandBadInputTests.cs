using System.Text.Json;
using Xunit;

namespace Monitoring.Cli.Tests.Drift;

/// <summary>Bad input: a clear one-line message naming file, row and column, a non-zero exit, never a stack trace.</summary>
public sealed class DriftCommandBadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monitoring-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task MissingFile_NamesTheFile()
    {
        var good = Write("ok.csv", "a\n1\n");
        var missing = Path.Combine(_dir, "nope.csv");
        var run = await CliProcess.RunAsync("drift", "--reference", missing, "--current", good);

        AssertInputError(run, "nope.csv", "not found");
    }

    [Fact]
    public async Task EmptyFile_SaysAHeaderIsExpected()
    {
        var empty = Write("empty.csv", string.Empty);
        var good = Write("ok.csv", "a\n1\n");
        var run = await CliProcess.RunAsync("drift", "--reference", empty, "--current", good);

        AssertInputError(run, "empty.csv", "header");
    }

    [Fact]
    public async Task HeaderOnlyReference_SaysTheReferenceIsEmpty()
    {
        var reference = Write("ref.csv", "a,b\n");
        var current = Write("cur.csv", "a,b\n1,x\n");
        var run = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current);

        AssertInputError(run, "ref.csv", "no data rows");
    }

    [Fact]
    public async Task ColumnOnlyInCurrent_NamesColumnAndFile()
    {
        var reference = Write("ref.csv", "a\n1\n");
        var current = Write("cur.csv", "a,extra\n1,2\n");
        var run = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current);

        AssertInputError(run, "cur.csv", "'extra'");
    }

    [Fact]
    public async Task ColumnOnlyInReference_NamesColumnAndFile()
    {
        var reference = Write("ref.csv", "a,gone\n1,2\n");
        var current = Write("cur.csv", "a\n1\n");
        var run = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current);

        AssertInputError(run, "ref.csv", "'gone'");
    }

    [Fact]
    public async Task UnparseableScore_NamesRowAndColumn()
    {
        var reference = Write("ref.csv", "a,p,y\n1,0.2,0\n");
        var current = Write("cur.csv", "a,p,y\n1,0.2,0\n2,high,1\n");
        var run = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current, "--score-column", "p", "--label-column", "y");

        AssertInputError(run, "cur.csv: row 3, column 'p'", "'high'");
    }

    [Fact]
    public async Task ScoreOutsideUnitInterval_NamesRowAndColumn()
    {
        var reference = Write("ref.csv", "a,p,y\n1,0.2,0\n");
        var current = Write("cur.csv", "a,p,y\n1,1.5,0\n");
        var run = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current, "--score-column", "p", "--label-column", "y");

        AssertInputError(run, "row 2, column 'p'", "outside [0, 1]");
    }

    [Fact]
    public async Task LabelNotZeroOrOne_NamesRowAndColumn()
    {
        var reference = Write("ref.csv", "a,p,y\n1,0.2,0\n");
        var current = Write("cur.csv", "a,p,y\n1,0.2,0\n2,0.3,yes\n");
        var run = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current, "--score-column", "p", "--label-column", "y");

        AssertInputError(run, "row 3, column 'y'", "not 0 or 1");
    }

    [Fact]
    public async Task RaggedRow_NamesTheRow()
    {
        var reference = Write("ref.csv", "a,b\n1,2\n3\n");
        var current = Write("cur.csv", "a,b\n1,2\n");
        var run = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current);

        AssertInputError(run, "ref.csv: row 3", "fields");
    }

    [Fact]
    public async Task ScoreWithoutLabel_IsRejected()
    {
        var reference = Write("ref.csv", "a,p\n1,0.2\n");
        var current = Write("cur.csv", "a,p\n1,0.2\n");
        var run = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current, "--score-column", "p");

        AssertInputError(run, "--score-column", "together");
    }

    [Fact]
    public async Task UnknownFormat_IsAUsageError()
    {
        var reference = Write("ref.csv", "a\n1\n");
        var run = await CliProcess.RunAsync("drift", "--reference", reference, "--current", reference, "--format", "xml");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("xml", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllOneClassLabels_ReportAucAsUndefinedWithoutFailing()
    {
        var rows = string.Concat(Enumerable.Range(0, 50).Select(i => $"{i},{(i % 10) / 10.0},1\n"));
        var reference = Write("ref.csv", "a,p,y\n" + rows);
        var current = Write("cur.csv", "a,p,y\n" + rows);
        var run = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current, "--score-column", "p", "--label-column", "y", "--format", "json");

        Assert.True(run.ExitCode == 0, run.StandardError);
        using var doc = JsonDocument.Parse(run.StandardOutput);
        var cls = doc.RootElement.GetProperty("classification");
        Assert.Equal(JsonValueKind.Null, cls.GetProperty("auc").ValueKind);
        Assert.Contains("one class", cls.GetProperty("auc_undefined_reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1.0, cls.GetProperty("precision").GetDouble());
        Assert.Equal(0.5, cls.GetProperty("recall").GetDouble());
    }

    [Fact]
    public async Task ColumnWithTextInOneFile_IsComparedAsCategorical()
    {
        var reference = Write("ref.csv", "a\n1\n2\n");
        var current = Write("cur.csv", "a\n1\nx\n");
        var run = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current, "--format", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.StandardOutput);
        var feature = doc.RootElement.GetProperty("features")[0];
        Assert.Equal("categorical", feature.GetProperty("kind").GetString());
        Assert.Equal("x", feature.GetProperty("new_categories")[0].GetString());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static void AssertInputError(CliProcess.Result run, string where, string why)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(where, run.StandardError, StringComparison.Ordinal);
        Assert.Contains(why, run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.StandardOutput);
    }
}
