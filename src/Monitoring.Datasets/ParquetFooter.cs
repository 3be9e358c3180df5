using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Parquet.Meta;

namespace Monitoring.Datasets;

/// <summary>
/// Checks a Parquet file's footer before Parquet.Net reads the file, so that a corrupt footer is refused with a reason
/// instead of hanging the reader. Parquet.Net 6.1.0's Thrift reader treats the end of its input as the byte 0xFF
/// (<c>(byte)Stream.ReadByte()</c> of -1): a varint whose bytes run past the footer's end has its continuation bit set
/// forever, and its skip of an unknown struct field reads field headers only, so a corrupt footer (one flipped byte in
/// a row group, found by fuzzing) loops without end. The checks, in order: the magic bytes at both ends; the footer
/// length inside the file; the footer walked as Parquet.Net will read it (<see cref="ParquetFooterWalk"/>: declared
/// list sizes and binary lengths within the bytes left, list elements in all within the footer's length, nesting within
/// 64 levels, so the parse's steps and allocations are bounded by the footer's size); the footer parsed by Parquet.Net's
/// own Thrift code over a stream that throws at its end (the same parse, so "stays inside the footer" is exact, not a
/// model of it), which must end where the walk did; then the parsed metadata's sizes and offsets: every column chunk's
/// pages inside the data region before the footer, counts not negative.
/// </summary>
internal static class ParquetFooter
{
    /// <summary>Magic (4) + footer length (4) + magic (4): the smallest file that can hold a footer.</summary>
    private const int MinimumFileLength = 12;

    // Parquet.Net keeps its Thrift reader internal; the footer check calls FileMetaData.Read through reflection. The
    // version is pinned in Directory.Packages.props; if an upgrade renames these, every Parquet read fails loudly
    // (InvalidOperationException, and the Parquet tests) rather than running unchecked.
    private static readonly Lazy<Func<Stream, FileMetaData>> _parse = new(BindParser);

    /// <summary>
    /// Checks <paramref name="file"/> (the whole file) and returns its parsed metadata; throws
    /// <see cref="DatasetException"/> naming <paramref name="name"/> and the reason.
    /// </summary>
    public static FileMetaData Check(ReadOnlyMemory<byte> file, string name)
    {
        var span = file.Span;
        if (span.Length < MinimumFileLength || !span[..4].SequenceEqual(ParquetFile.Magic) || !span[^4..].SequenceEqual(ParquetFile.Magic))
        {
            throw Refuse(name, $"a Parquet file of {span.Length} bytes must start and end with the magic bytes PAR1");
        }

        var footerLength = BitConverter.ToInt32(span[^8..^4]);
        var footerStart = span.Length - 8L - footerLength;
        if (footerLength <= 0 || footerStart < 4)
        {
            throw Refuse(name, $"the footer length {footerLength} does not fit in a file of {span.Length} bytes");
        }

        var metadata = Parse(file.Slice((int)footerStart, footerLength), name);
        CheckSizes(metadata, footerStart, name);
        return metadata;
    }

    /// <summary>
    /// Walks <paramref name="footer"/> (the Thrift bytes alone) and, when the walk bounds it, parses it with Parquet.Net's
    /// own code; throws <see cref="DatasetException"/> naming <paramref name="name"/> and the reason.
    /// </summary>
    internal static FileMetaData Parse(ReadOnlyMemory<byte> footer, string name)
    {
        var walk = ParquetFooterWalk.Walk(footer.Span);
        if (walk.Outcome == FooterWalkOutcome.Refused)
        {
            throw Refuse(name, walk.Reason!);
        }

        var parse = _parse.Value;
        var stream = new FooterStream(footer);
        FileMetaData metadata;
        try
        {
            metadata = parse(stream);
        }
        catch (EndOfStreamException)
        {
            Agree(walk, FooterWalkOutcome.ParquetNetThrows, stream.Position);
            throw Refuse(name, $"the footer's Thrift metadata runs past the footer's end ({footer.Length} bytes)");
        }
        catch (Exception e)
        {
            // ThriftProtocolException, range, format and allocation errors of Parquet.Net's parse: all about the file.
            Agree(walk, FooterWalkOutcome.ParquetNetThrows, stream.Position);
            throw Refuse(name, $"{e.GetType().Name}: {e.Message}");
        }

        Agree(walk, FooterWalkOutcome.Completed, stream.Position);
        return metadata;
    }

    /// <summary>
    /// Parquet.Net's parse must end as the walk said it would (returned, or thrown, at the same byte): otherwise the walk
    /// no longer reads the footer as this Parquet.Net does, and its bounds prove nothing. That is a bug here (the field
    /// table is from another version), not a fault of the file, so it fails loudly, like a missing parser.
    /// </summary>
    private static void Agree(FooterWalkResult walk, FooterWalkOutcome outcome, long position)
    {
        if (walk.Outcome != outcome || walk.Position != position)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The footer walk ({walk.Outcome} at byte {walk.Position}: {walk.Reason}) disagrees with Parquet.Net {typeof(FileMetaData).Assembly.GetName().Version}'s footer parse ({outcome} at byte {position}); regenerate ParquetFooterFields (scripts/gen-parquet-footer-fields.py)."));
        }
    }

    private static void CheckSizes(FileMetaData metadata, long footerStart, string name)
    {
        if (metadata.NumRows < 0)
        {
            throw Refuse(name, $"the footer's row count {metadata.NumRows} is negative");
        }

        for (var g = 0; g < metadata.RowGroups.Count; g++)
        {
            var group = metadata.RowGroups[g];
            if (group.NumRows < 0)
            {
                throw Refuse(name, $"row group {g} has a negative row count {group.NumRows}");
            }

            for (var c = 0; c < group.Columns.Count; c++)
            {
                if (group.Columns[c].MetaData is not { } chunk)
                {
                    throw Refuse(name, $"row group {g}, column chunk {c} has no metadata");
                }

                var where = $"row group {g}, column chunk {c}";
                if (chunk.NumValues < 0 || chunk.NumValues > int.MaxValue || chunk.TotalCompressedSize < 0 || chunk.TotalUncompressedSize < 0)
                {
                    throw Refuse(name, $"{where} has a negative or oversized value count or size");
                }

                // Parquet.Net reads a chunk's pages from the smallest of its non-zero page offsets (0 means absent).
                long[] offsets = [.. new[] { chunk.DataPageOffset, chunk.DictionaryPageOffset ?? 0, chunk.IndexPageOffset ?? 0 }.Where(o => o != 0)];
                if (offsets.Length == 0)
                {
                    throw Refuse(name, $"{where} has no page offset");
                }

                var start = offsets.Min();
                if (offsets.Any(o => o < 4 || o >= footerStart) || start + chunk.TotalCompressedSize > footerStart)
                {
                    throw Refuse(name, string.Create(CultureInfo.InvariantCulture,
                        $"{where}: its pages (offsets {string.Join(", ", offsets)}, {chunk.TotalCompressedSize} bytes) are not inside the file's data (bytes 4 to {footerStart})"));
                }
            }
        }
    }

    private static DatasetException Refuse(string name, string reason) =>
        new($"{name}: not a readable Parquet file ({reason}).");

    private static Func<Stream, FileMetaData> BindParser()
    {
        var assembly = typeof(FileMetaData).Assembly;
        var readerType = assembly.GetType("Parquet.Meta.Proto.ThriftCompactProtocolReader");
        var read = readerType is null ? null : typeof(FileMetaData).GetMethod("Read", BindingFlags.Static | BindingFlags.NonPublic, [readerType]);
        var constructor = readerType?.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, [typeof(Stream)]);
        if (read is null || constructor is null)
        {
            throw new InvalidOperationException($"Parquet.Net {assembly.GetName().Version} no longer has the internal footer parser the footer check calls (FileMetaData.Read(ThriftCompactProtocolReader)); update ParquetFooter.");
        }

        return stream =>
        {
            try
            {
                return (FileMetaData)read.Invoke(null, [constructor.Invoke([stream])])!;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        };
    }

    /// <summary>The footer's bytes, read-only, throwing <see cref="EndOfStreamException"/> on any read or seek past its end.</summary>
    private sealed class FooterStream(ReadOnlyMemory<byte> bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position
        {
            get => _position;
            set => Seek(value, SeekOrigin.Begin);
        }

        public override int ReadByte() =>
            _position < bytes.Length ? bytes.Span[_position++] : throw new EndOfStreamException();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.Length > bytes.Length - _position)
            {
                throw new EndOfStreamException();
            }

            bytes.Span.Slice(_position, buffer.Length).CopyTo(buffer);
            _position += buffer.Length;
            return buffer.Length;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            var target = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => bytes.Length + offset,
            };
            if (target < 0 || target > bytes.Length)
            {
                throw new EndOfStreamException();
            }

            _position = (int)target;
            return target;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
