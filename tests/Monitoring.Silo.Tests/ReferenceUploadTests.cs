using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Monitoring.Client;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Kernels;
using Parquet.Serialization;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>`monitoring reference set` (the built CLI) uploading CSV and Parquet files to a real silo.</summary>
public sealed class ReferenceUploadTests : SiloTest
{
    [Fact]
    public async Task CsvReference_FixesExactDecileEdges()
    {
        var ages = Enumerable.Range(0, 1000).Select(i => 18 + ((i * 37) % 60) + (i % 7 / 10.0)).ToArray();
        var file = Path.Combine(Data, "train.csv");
        var csv = new StringBuilder("age,plan,score\n");
        for (var i = 0; i < ages.Length; i++)
        {
            csv.Append(ages[i].ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(i % 3 == 0 ? "gold" : "basic").Append(',').Append((i % 10) / 10.0).Append('\n');
        }

        await File.WriteAllTextAsync(file, csv.ToString());
        var run = await CliProcess.RunAsync("reference", "set", "--server", Silo.Api.ToString(), "--model", "ref-csv", "--file", file, "--score-column", "score");

        Assert.True(run.ExitCode == 0, run.Error);
        var reference = (await Api.GetJsonAsync("/api/models/default/ref-csv/reference")).GetProperty("reference");
        Assert.Equal("upload:train.csv", reference.GetProperty("source").GetString());
        var age = reference.GetProperty("numeric").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "age");
        var expected = ReferenceBinning.DecileEdges(RadixSort.SortedCopy(ages)).Edges.ToArray();
        Assert.Equal(expected, age.GetProperty("edges").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        Assert.Contains(reference.GetProperty("numeric").EnumerateArray(), f => f.GetProperty("name").GetString() == "ml.prediction.score");
        Assert.Contains(reference.GetProperty("categorical").EnumerateArray(), f => f.GetProperty("name").GetString() == "plan");
    }

    [Fact]
    public async Task ParquetReference_IsReadLikeCsv()
    {
        var rows = Enumerable.Range(0, 500).Select(i => new TrainRow { Income = 1000.0 + (i * 13 % 997), Country = i % 2 == 0 ? "US" : "BR" }).ToList();
        var file = Path.Combine(Data, "train.parquet");
        await using (var stream = File.Create(file))
        {
            await ParquetSerializer.SerializeAsync(rows, stream);
        }

        var run = await CliProcess.RunAsync("reference", "set", "--server", Silo.Api.ToString(), "--model", "ref-parquet", "--file", file);

        Assert.True(run.ExitCode == 0, run.Error);
        var reference = (await Api.GetJsonAsync("/api/models/default/ref-parquet/reference")).GetProperty("reference");
        var income = reference.GetProperty("numeric").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "Income");
        Assert.Equal(500, income.GetProperty("count").GetInt64());
        var expected = ReferenceBinning.DecileEdges(RadixSort.SortedCopy(rows.Select(r => r.Income).ToArray())).Edges.ToArray();
        Assert.Equal(expected, income.GetProperty("edges").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        Assert.Equal(2, reference.GetProperty("categorical").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "Country").GetProperty("categories").GetInt32());
    }

    [Fact]
    public async Task ReferenceWithTextInANumericFeature_IsRefusedNamingRowAndColumn()
    {
        Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, [Traffic.Prediction("typed", "t1", DateTimeOffset.UtcNow, 30, "US", 0.5)]);
        using var response = await Api.Http.PutAsync("/api/models/default/typed/reference?source=bad.csv", new StringContent("age,country\n31,US\nold,DE\n", Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("row 3, column 'age'", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParquetReferenceWhoseFooterRunsPastItsEnd_IsRefusedWith400NamingTheFileAndReason()
    {
        // The corrupt footer that made Parquet.Net loop forever (tests/Monitoring.Datasets.Tests/Fixtures): the upload
        // must answer, and answer 400 naming the file and what is wrong with it.
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "footer-runs-past-its-end.parquet"));
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/vnd.apache.parquet");

        using var response = await Api.Http.PutAsync("/api/models/default/corrupt-parquet/reference?source=corrupt.parquet", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("corrupt.parquet: not a readable Parquet file (the footer's Thrift metadata runs past the footer's end (507 bytes))", body, StringComparison.Ordinal);
    }

    public sealed class TrainRow
    {
        public double Income { get; set; }

        public string Country { get; set; } = string.Empty;
    }
}
