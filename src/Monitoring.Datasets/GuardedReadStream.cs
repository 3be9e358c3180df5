using System.Globalization;
using System.Runtime.CompilerServices;

namespace Monitoring.Datasets;

/// <summary>
/// A file in memory as Parquet.Net reads it, with hard bounds on the reading: a single-byte read past the end throws
/// (Parquet.Net's Thrift reader would take the -1 of <see cref="Stream.ReadByte"/> as 0xFF and loop on a page header
/// that runs past the end), every read counts against a budget of bytes (a page whose size points back at its own
/// header would be read again and again), every read observes a cancellation token (the read's deadline), each page
/// header is walked as Parquet.Net will read it before it does (<see cref="ParquetFooterWalk"/>: its skipped lists and
/// declared sizes bounded by the file's length, its nesting by 64 levels), and a single-byte read with too little stack
/// left throws (a page header of deeply nested lists, whose skip recurses), behind that walk.
/// </summary>
internal sealed class GuardedReadStream(ReadOnlyMemory<byte> bytes, long budget, CancellationToken cancellationToken) : Stream
{
    private long _position;
    private bool _pageHeaderNext;
    private long _pageHeaderElementsLeft = bytes.Length;
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => bytes.Length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int ReadByte()
    {
        if (_position >= bytes.Length)
        {
            throw new EndOfStreamException($"a page header runs past the end of the file at byte {_position}");
        }

        // Parquet.Net's Thrift reader skips an unknown list of lists by recursing once per level, reading a byte per level:
        // a page header of 50,000 nested lists overflows the stack, which kills the process. Refuse before that.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new InvalidDataException($"a page header nests deeper than the stack allows at byte {_position}");
        }

        Count(1);
        if (_pageHeaderNext)
        {
            _pageHeaderNext = false;
            WalkPageHeader();
        }

        return bytes.Span[(int)_position++];
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        _pageHeaderNext = false;
        var n = (int)Math.Clamp(bytes.Length - _position, 0, buffer.Length);
        Count(n);
        bytes.Span.Slice((int)_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken token) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken token = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => bytes.Length + offset,
        };
        if (target < 0)
        {
            throw new IOException($"a seek to byte {target}, before the start of the file");
        }

        _position = target;
        _pageHeaderNext = origin == SeekOrigin.Begin;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>
    /// Parquet.Net reads a page header, and only a page header, byte by byte right after seeking to it: walk it first as
    /// Parquet.Net will read it (<see cref="ParquetFooterWalk"/>), so that its unknown lists of booleans, which Parquet.Net
    /// skips step by step without reading, and its declared sizes are bounded by the file's length (shared by all its
    /// page headers) instead of only by the deadline.
    /// </summary>
    private void WalkPageHeader()
    {
        var at = _position.ToString(CultureInfo.InvariantCulture);
        var walk = ParquetFooterWalk.Walk(bytes.Span[(int)_position..], ParquetFooterFields.PageHeader, $"page header at byte {at}", "the file's end",
            $"the file's {bytes.Length} bytes can hold", ref _pageHeaderElementsLeft);
        if (walk.Outcome == FooterWalkOutcome.Refused)
        {
            throw new InvalidDataException(walk.Reason);
        }
    }

    private void Count(int n)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _read += n;
        if (_read > budget)
        {
            throw new IOException($"reading it took more than {budget} bytes of reads for a file of {bytes.Length} bytes (a page read again and again)");
        }
    }
}
