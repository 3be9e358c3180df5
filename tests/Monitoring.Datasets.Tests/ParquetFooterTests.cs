using Parquet.Serialization;
using Xunit;

namespace Monitoring.Datasets.Tests;

/// <summary>
/// The footer check in front of Parquet.Net (<see cref="ParquetFile"/>): a corrupt footer is refused naming the file
/// and the reason, and the one that made Parquet.Net 6.1.0 loop forever is refused without reaching it.
/// </summary>
public sealed class ParquetFooterTests
{
    private const string HangFixture = "footer-runs-past-its-end.parquet";

    [Fact(Timeout = 60_000)]
    public async Task Parquet_whose_footer_runs_past_its_end_is_refused_instead_of_hanging()
    {
        // The fuzz finding: byte 421 of the footer of a one-row file inverted turns a row group's i64 field header into
        // an unknown list field; skipping it reads past the footer's end, where Parquet.Net's Thrift reader sees 0xFF
        // forever (a varint that never ends). Without the footer check this read never returns.
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", HangFixture));

        using var stream = new MemoryStream(bytes);
        var e = await Assert.ThrowsAsync<DatasetException>(() => ParquetFile.ReadAsync(stream, HangFixture));

        Assert.Equal($"{HangFixture}: not a readable Parquet file (the footer's Thrift metadata runs past the footer's end (507 bytes)).", e.Message);
    }

    [Fact]
    public async Task The_hang_fixture_is_a_valid_file_with_one_footer_byte_inverted()
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", HangFixture));
        var valid = OneRowFile();
        var footer = BitConverter.ToInt32(valid, valid.Length - 8);
        valid[valid.Length - 8 - footer + 421] ^= 0xFF;

        Assert.Equal(valid, bytes);
    }

    [Theory]
    [InlineData(411, 0x01, "the footer's row count -2 is negative")]
    [InlineData(749, 0x01, "row group 0 has a negative row count -2")]
    [InlineData(426, 0x20, "row group 0, column chunk 0: its pages (offsets 1, ")]
    [InlineData(491, 0x10, "row group 0, column chunk 1: its pages (offsets -11, ")]
    public async Task Parquet_whose_footer_metadata_points_outside_the_file_is_refused_naming_the_part(int fileByte, int xor, string reason)
    {
        var bytes = OneRowFile();
        bytes[fileByte] ^= (byte)xor;

        using var stream = new MemoryStream(bytes);
        var e = await Assert.ThrowsAsync<DatasetException>(() => ParquetFile.ReadAsync(stream, "bad.parquet"));

        Assert.StartsWith($"bad.parquet: not a readable Parquet file ({reason}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    [InlineData(0)]
    [InlineData(828)]
    public async Task Parquet_whose_footer_length_does_not_fit_is_refused_before_it_is_read(int footerLength)
    {
        var bytes = OneRowFile();
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8), footerLength);

        using var stream = new MemoryStream(bytes);
        var e = await Assert.ThrowsAsync<DatasetException>(() => ParquetFile.ReadAsync(stream, "bad.parquet"));

        Assert.Equal($"bad.parquet: not a readable Parquet file (the footer length {footerLength} does not fit in a file of {bytes.Length} bytes).", e.Message);
    }

    [Fact]
    public async Task Parquet_read_past_its_deadline_is_refused_naming_the_deadline()
    {
        // The second line behind the footer check: every read Parquet.Net makes observes the deadline.
        using var stream = new MemoryStream(OneRowFile());

        var e = await Assert.ThrowsAsync<DatasetException>(() => ParquetFile.ReadAsync(stream, "slow.parquet", TimeSpan.Zero));

        Assert.Equal("slow.parquet: not a readable Parquet file (reading it did not finish within 0 s).", e.Message);
    }

    [Fact]
    public async Task Valid_parquet_passes_the_footer_check()
    {
        using var stream = new MemoryStream(OneRowFile());

        var table = await ParquetFile.ReadAsync(stream, "good.parquet");

        Assert.Equal(1, table.RowCount);
        Assert.Equal(["0.5"], table.Column(nameof(DatasetFuzzTests.Row.Score)));
    }

    private static byte[] OneRowFile()
    {
        using var stream = new MemoryStream();
        ParquetSerializer.SerializeAsync([new DatasetFuzzTests.Row { Score = 0.5, Country = "DE", Count = 1, Flag = true, At = DateTime.UnixEpoch }], stream).GetAwaiter().GetResult();
        return stream.ToArray();
    }
}
