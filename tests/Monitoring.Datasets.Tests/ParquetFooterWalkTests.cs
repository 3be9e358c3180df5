using System.Collections;
using System.Reflection;
using Parquet.Meta;
using PageHeader = Parquet.Meta.PageHeader;
using Type = System.Type;
using Parquet.Serialization;
using Xunit;

namespace Monitoring.Datasets.Tests;

/// <summary>
/// The footer walk that bounds Parquet.Net's footer parse (<see cref="ParquetFooterWalk"/>): crafted footers whose parse
/// would loop, allocate or recurse far beyond their size are refused at once naming the field; its field table is
/// Parquet.Net's own (every field Parquet.Net writes is walked as known, to the last byte); valid files still read.
/// Each crafted case runs on a worker task under the test's timeout, so a regression fails instead of hanging the run.
/// </summary>
public sealed class ParquetFooterWalkTests
{
    private const int TimeoutMs = 60_000;

    /// <summary>An unknown field (id 100) of FileMetaData: a list of booleans declaring 2^31 - 1 elements.</summary>
    internal static readonly byte[] HugeBoolList = BoolList(100, int.MaxValue);

    /// <summary>An unknown field (id 100): lists of one list each, nested 1,000 deep, around one i32.</summary>
    internal static readonly byte[] DeepLists = [0x09, .. ZigzagVarInt(100), .. Enumerable.Repeat((byte)0x19, 1_000), 0x15, 0x02];

    [Fact(Timeout = TimeoutMs)]
    public async Task Parquet_whose_footer_has_a_list_of_booleans_larger_than_the_footer_is_refused_at_once()
    {
        // Parquet.Net skips an unknown list of booleans element by element without reading a byte: 2^31 - 1 steps for
        // these 9 bytes. The walk refuses the declared size before the parse starts.
        var e = await RefusedAsync(WithFieldsBeforeTheFooterEnd(OneRowFile(), HugeBoolList));

        Assert.Equal("bad.parquet: not a readable Parquet file (the footer's unknown field 100 of FileMetaData is a list of 2147483647 elements in 1 bytes: it runs past the footer's end).", e.Message);
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task Parquet_whose_footer_lists_declare_more_elements_in_all_than_it_has_bytes_is_refused()
    {
        // Each list fits the bytes left on its own, but Parquet.Net's skip reads none of their elements, so n such lists
        // ask for about n times the footer's length in steps: quadratic in the footer's size. The walk counts declared
        // elements against the footer's length: the second list here is over.
        var lists = Enumerable.Range(0, 200).SelectMany(i => BoolList(100 + i, 1_000)).ToArray();
        var file = FileWithFooter([.. lists, 0x00]);

        var e = await RefusedAsync(file);

        Assert.Equal("bad.parquet: not a readable Parquet file (the footer's lists declare more elements in all than its 1201 bytes can hold (at unknown field 101 of FileMetaData, a list of 1000)).", e.Message);
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task Parquet_whose_footer_nests_lists_deeper_than_the_limit_is_refused()
    {
        // Parquet.Net's skip of a list of lists recurses once per level (a stack overflow, which no catch survives, for
        // a deep enough footer); the walk stops at 64 levels.
        var e = await RefusedAsync(WithFieldsBeforeTheFooterEnd(OneRowFile(), DeepLists));

        Assert.Equal($"bad.parquet: not a readable Parquet file (the footer nests lists and structs deeper than {ParquetFooterWalk.MaxDepth} levels (at unknown field 100 of FileMetaData)).", e.Message);
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task Parquet_whose_page_header_nests_lists_deeper_than_the_limit_is_refused_instead_of_crashing()
    {
        // The same recursion in a page header, which Parquet.Net parses from the file's data as it reads the column: an
        // unknown field of lists nested 200,000 deep at the start of the first page header (a 200 KB file). Unguarded,
        // Parquet.Net 6.1.0 overflows the stack (50,000 levels did on an 8 MB stack), which ends the test process. The page
        // header's walk refuses it; GuardedReadStream's stack check stands behind that walk.
        var file = OneRowFile();
        byte[] nested = [0x09, .. ZigzagVarInt(100), .. Enumerable.Repeat((byte)0x19, 200_000), 0x15, 0x02];
        var e = await RefusedAsync([.. file.AsSpan(0, 4), .. nested, .. file.AsSpan(4)]);

        Assert.Equal($"bad.parquet: not a readable Parquet file (InvalidDataException: failed to read column 'Score': InvalidDataException: the page header at byte 4 nests lists and structs deeper than {ParquetFooterWalk.MaxDepth} levels (at unknown field 100 of PageHeader)).", e.Message);
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task Parquet_whose_page_header_has_a_list_of_booleans_larger_than_the_file_is_refused_at_once()
    {
        // The bool-list skip in a page header (13 s of Parquet.Net's steps per 2^31 - 1 elements, bounded before only by
        // the read deadline): each page header is walked where Parquet.Net starts reading it.
        var file = OneRowFile();
        byte[] crafted = [.. file.AsSpan(0, 4), .. HugeBoolList, .. file.AsSpan(4)];

        var e = await RefusedAsync(crafted);

        Assert.Equal($"bad.parquet: not a readable Parquet file (InvalidDataException: failed to read column 'Score': InvalidDataException: the page header at byte 4's unknown field 100 of PageHeader is a list of 2147483647 elements in {crafted.Length - 4 - HugeBoolList.Length} bytes: it runs past the file's end).", e.Message);
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task Parquet_whose_footer_nests_lists_up_to_the_limit_reads_as_before()
    {
        // 60 levels of unknown lists around one i32 (the field is skipped, the file reads): the limit refuses only deeper ones.
        byte[] nested = [0x09, .. ZigzagVarInt(100), .. Enumerable.Repeat((byte)0x19, ParquetFooterWalk.MaxDepth - 4), 0x15, 0x02];
        using var stream = new MemoryStream(WithFieldsBeforeTheFooterEnd(OneRowFile(), nested));

        var table = await Task.Run(() => ParquetFile.ReadAsync(stream, "good.parquet"));

        Assert.Equal(["0.5"], table.Column(nameof(DatasetFuzzTests.Row.Score)));
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task Parquet_whose_footer_declares_a_huge_known_list_is_refused_before_Parquet_Net_allocates_it()
    {
        // FileMetaData.RowGroups (field 4) of 2^31 - 1 row groups: Parquet.Net would allocate new List<RowGroup>(2^31 - 1) first.
        var e = await RefusedAsync(FileWithFooter([0x49, 0xFC, .. VarInt(int.MaxValue), 0x00]));

        Assert.Equal("bad.parquet: not a readable Parquet file (the footer's FileMetaData.RowGroups is a list of 2147483647 elements in 1 bytes: it runs past the footer's end).", e.Message);
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task Parquet_whose_footer_declares_a_huge_string_is_refused_before_Parquet_Net_allocates_it()
    {
        // FileMetaData.CreatedBy (field 6) of 2^31 - 1 bytes: Parquet.Net allocates the declared length before reading.
        var e = await RefusedAsync(FileWithFooter([0x68, .. VarInt(int.MaxValue), 0x00]));

        Assert.Equal("bad.parquet: not a readable Parquet file (the footer's FileMetaData.CreatedBy is a binary value of 2147483647 bytes in 1 bytes: it runs past the footer's end).", e.Message);
    }

    [Theory(Timeout = TimeoutMs)]
    [InlineData(new byte[] { 0x0B, 0xC8, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x55 }, "Map")] // an unknown map of 2^31 - 1 entries
    [InlineData(new byte[] { 0x09, 0xC8, 0x01, 0x1B, 0x00 }, "Map")] // an unknown list of one (empty) map
    [InlineData(new byte[] { 0x0A, 0xC8, 0x01, 0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07 }, "Set")] // an unknown set of 2^31 - 1 i32
    public async Task Parquet_whose_footer_has_an_unknown_map_or_set_is_refused_by_Parquet_Net_at_its_header(byte[] field, string type)
    {
        // Parquet.Net does not skip maps or sets: it throws at the first one, whatever its size, so the walk leaves the
        // error to it (and checks that the parse stopped where the walk did).
        var e = await RefusedAsync(WithFieldsBeforeTheFooterEnd(OneRowFile(), field));

        Assert.Equal($"bad.parquet: not a readable Parquet file (ThriftProtocolException: Invalid data in Thrift header. File is most likely corrupt (unexpected data type {type}).).", e.Message);
    }

    [Fact]
    public void Walk_of_a_huge_bool_list_stops_at_its_header()
    {
        byte[] footer = [.. HugeBoolList, 0x00];

        var walk = ParquetFooterWalk.Walk(footer);

        Assert.Equal(FooterWalkOutcome.Refused, walk.Outcome);
        Assert.Equal(HugeBoolList.Length, walk.Position);
    }

    [Fact]
    public void Every_field_Parquet_Net_writes_is_walked_as_a_known_field_to_the_last_byte()
    {
        // Every property of every struct FileMetaData reaches set (lists of two), written by Parquet.Net's own writer:
        // the walk must know every field (none skipped as unknown) and end on the last byte, and Parquet.Net's parse must
        // end there too (ParquetFooter checks that) and read the values back.
        var reached = new SortedSet<string>(StringComparer.Ordinal);
        var metadata = (FileMetaData)Populate(typeof(FileMetaData), reached);
        var footer = Write(metadata);
        var pageHeader = Write(Populate(typeof(PageHeader), reached));
        long elementsLeft = pageHeader.Length;

        var walk = ParquetFooterWalk.Walk(footer);
        var parsed = ParquetFooter.Parse(footer, "all-fields");
        var pageWalk = ParquetFooterWalk.Walk(pageHeader, ParquetFooterFields.PageHeader, "page header", "the end", "", ref elementsLeft);

        Assert.Equal(new FooterWalkResult(FooterWalkOutcome.Completed, footer.Length, null, 0), walk);
        Assert.Equal(new FooterWalkResult(FooterWalkOutcome.Completed, pageHeader.Length, null, 0), pageWalk);
        Assert.Equal(reached, new SortedSet<string>(ParquetFooterFields.All.Select(s => s.Name), StringComparer.Ordinal));
        Assert.Equal(footer, Write(parsed));
    }

    [Fact]
    public async Task Valid_parquet_files_walk_to_their_footer_end()
    {
        var bytes = OneRowFile();
        var length = BitConverter.ToInt32(bytes, bytes.Length - 8);

        var walk = ParquetFooterWalk.Walk(bytes.AsSpan(bytes.Length - 8 - length, length));
        using var stream = new MemoryStream(bytes);
        var table = await ParquetFile.ReadAsync(stream, "good.parquet");

        Assert.Equal(new FooterWalkResult(FooterWalkOutcome.Completed, length, null, 0), walk);
        Assert.Equal(1, table.RowCount);
    }

    [Fact]
    public async Task Parquet_of_many_row_groups_reads_through_the_page_header_walks()
    {
        // Every page header (ten row groups of five columns) is walked before Parquet.Net reads it, all against one
        // element budget of the file's length: a valid file reads whole.
        var rows = Enumerable.Range(0, 5_000).Select(i => new DatasetFuzzTests.Row
        {
            Score = i / 8.0, Country = (i % 3) switch { 0 => "DE", 1 => "FR", _ => "US" }, Count = i, Flag = i % 2 == 0, At = DateTime.UnixEpoch.AddSeconds(i),
        }).ToArray();
        using var stream = new MemoryStream();
        await ParquetSerializer.SerializeAsync(rows, stream, new Parquet.ParquetOptions { RowGroupSize = 500 });
        var metadata = ParquetFooter.Check(stream.ToArray(), "many.parquet");
        stream.Position = 0;

        var table = await ParquetFile.ReadAsync(stream, "many.parquet");

        Assert.Equal(10, metadata.RowGroups.Count);
        Assert.Equal(5_000, table.RowCount);
        Assert.Equal(rows.Select(r => r.Country), table.Column(nameof(DatasetFuzzTests.Row.Country)));
        Assert.Equal(rows.Select(r => r.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), table.Column(nameof(DatasetFuzzTests.Row.Count)));
    }

    /// <summary>Inserts Thrift fields of FileMetaData before its stop byte (the footer's last) and fixes the footer length.</summary>
    internal static byte[] WithFieldsBeforeTheFooterEnd(byte[] file, byte[] fields)
    {
        var length = BitConverter.ToInt32(file, file.Length - 8);
        var stop = file.Length - 9;
        byte[] result = [.. file.AsSpan(0, stop), .. fields, .. file.AsSpan(stop)];
        BitConverter.TryWriteBytes(result.AsSpan(result.Length - 8), length + fields.Length);
        return result;
    }

    /// <summary>An unknown field <paramref name="id"/> of FileMetaData: a list of booleans of <paramref name="size"/> (its elements not included).</summary>
    internal static byte[] BoolList(int id, int size) => [0x09, .. ZigzagVarInt(id), 0xF1, .. VarInt(size)];

    /// <summary>A file of no data: the magic, <paramref name="footer"/>, its length, the magic.</summary>
    private static byte[] FileWithFooter(byte[] footer) => [.. "PAR1"u8, .. footer, .. BitConverter.GetBytes(footer.Length), .. "PAR1"u8];

    internal static byte[] VarInt(uint value)
    {
        var bytes = new List<byte>();
        for (; value >= 0x80; value >>= 7)
        {
            bytes.Add((byte)(value | 0x80));
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    internal static byte[] VarInt(int value) => VarInt((uint)value);

    private static byte[] ZigzagVarInt(int id) => VarInt((uint)(id << 1));

    private static async Task<DatasetException> RefusedAsync(byte[] file)
    {
        using var stream = new MemoryStream(file);
        return await Assert.ThrowsAsync<DatasetException>(() => Task.Run(() => ParquetFile.ReadAsync(stream, "bad.parquet")));
    }

    private static byte[] OneRowFile()
    {
        using var stream = new MemoryStream();
        ParquetSerializer.SerializeAsync([new DatasetFuzzTests.Row { Score = 0.5, Country = "DE", Count = 1, Flag = true, At = DateTime.UnixEpoch }], stream).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    /// <summary>An instance of a Parquet.Net footer struct with every property set, recursively; <paramref name="reached"/> collects the structs.</summary>
    private static object Populate(Type type, ISet<string> reached)
    {
        reached.Add(type.Name);
        var value = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            property.SetValue(value, Sample(property.PropertyType, reached));
        }

        return value;
    }

    private static object Sample(Type type, ISet<string> reached)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
        {
            var values = Enum.GetValues(t);
            return values.GetValue(Math.Min(1, values.Length - 1))!;
        }

        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(t)!;
            list.Add(Sample(t.GetGenericArguments()[0], reached));
            list.Add(Sample(t.GetGenericArguments()[0], reached));
            return list;
        }

        return t switch
        {
            _ when t == typeof(bool) => true,
            _ when t == typeof(sbyte) => (sbyte)-3,
            _ when t == typeof(short) => (short)300,
            _ when t == typeof(int) => 70_000,
            _ when t == typeof(long) => 5_000_000_000L,
            _ when t == typeof(double) => 1.5,
            _ when t == typeof(string) => "text",
            _ when t == typeof(byte[]) => new byte[] { 1, 2, 3 },
            _ when t.IsClass && t.Namespace == typeof(FileMetaData).Namespace => Populate(t, reached),
            _ => throw new NotSupportedException($"no sample value for {t.FullName}"),
        };
    }

    /// <summary>Parquet.Net's own Thrift writer (internal: reached by reflection, as ParquetFooter reaches its reader).</summary>
    private static byte[] Write(object value)
    {
        var writerType = typeof(FileMetaData).Assembly.GetType("Parquet.Meta.Proto.ThriftCompactProtocolWriter", throwOnError: true)!;
        var writer = writerType.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, [typeof(Stream)])!;
        var write = value.GetType().GetMethod("Write", BindingFlags.Instance | BindingFlags.NonPublic, [writerType])!;
        using var stream = new MemoryStream();
        write.Invoke(value, [writer.Invoke([stream])]);
        return stream.ToArray();
    }
}
