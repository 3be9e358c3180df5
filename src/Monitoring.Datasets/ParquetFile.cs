using System.Globalization;
using Parquet.Schema;
using Parquet.Serialization;

namespace Monitoring.Datasets;

/// <summary>
/// Reads a Parquet file into a <see cref="TabularFile"/>: every top-level primitive column becomes a column of
/// invariant-culture strings (numbers round-trip, booleans "true"/"false", timestamps ISO 8601), nulls stay null.
/// </summary>
public static class ParquetFile
{
    /// <summary>The 4-byte magic that starts (and ends) every Parquet file.</summary>
    public static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>How long reading one file may take (<see cref="ReadAsync(Stream, string, TimeSpan, CancellationToken)"/>'s default).</summary>
    public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Parquet.Net may read a file's bytes this many times over (plus <see cref="ReadBudgetSlack"/>) before the read is
    /// refused: it reads each column chunk once, so only a corrupt file (a page pointing back at itself) comes near.
    /// </summary>
    public const int ReadBudgetFactor = 8;

    /// <summary>Bytes of reads allowed on top of <see cref="ReadBudgetFactor"/> times the file's length.</summary>
    public const int ReadBudgetSlack = 1 << 20;

    /// <summary>Reads a Parquet stream; <paramref name="name"/> names it in errors.</summary>
    public static Task<TabularFile> ReadAsync(Stream stream, string name, CancellationToken cancellationToken = default) =>
        ReadAsync(stream, name, DefaultReadTimeout, cancellationToken);

    /// <summary>
    /// Reads a Parquet stream whole, then checks its footer (<see cref="ParquetFooter"/>) before Parquet.Net sees it; the
    /// read itself is bounded by <paramref name="timeout"/> and a read budget. Every problem with the file, including
    /// the timeout, is a <see cref="DatasetException"/> naming <paramref name="name"/> and the reason.
    /// </summary>
    public static async Task<TabularFile> ReadAsync(Stream stream, string name, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ReadOnlyMemory<byte> bytes;
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            bytes = buffer.AsMemory((int)memory.Position);
        }
        else
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancellationToken);
            bytes = copy.ToArray();
        }

        ParquetFooter.Check(bytes, name);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout <= TimeSpan.Zero)
        {
            deadline.Cancel(); // CancelAfter(0) cancels later, on a timer thread
        }
        else
        {
            deadline.CancelAfter(timeout);
        }

        try
        {
            await using var guarded = new GuardedReadStream(bytes, ReadBudgetFactor * (long)bytes.Length + ReadBudgetSlack, deadline.Token);
            var result = await ParquetSerializer.DeserializeUntypedAsync(guarded, cancellationToken: deadline.Token);
            var header = result.Schema.Fields.Where(f => f is DataField).Select(f => f.Name).ToArray();
            if (header.Length == 0)
            {
                throw new DatasetException($"{name}: the Parquet file has no top-level primitive columns.");
            }

            var rows = result.Data.Count;
            var columns = header.ToDictionary(h => h, _ => new string?[rows], StringComparer.Ordinal);
            for (var r = 0; r < rows; r++)
            {
                var row = result.Data[r];
                foreach (var h in header)
                {
                    columns[h][r] = row.TryGetValue(h, out var v) ? Format(v) : null;
                }
            }

            return new TabularFile(name, header, columns, rows);
        }
        catch (DatasetException)
        {
            throw;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DatasetException($"{name}: not a readable Parquet file (reading it did not finish within {timeout.TotalSeconds:0.###} s).");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Parquet.Net reports corrupt files with exceptions of its own (ThriftProtocolException, found by fuzzing) as
            // well as IO, format, range and overflow errors; whatever it throws on a file is about the file.
            // Parquet.Net wraps a column's read errors ("failed to read column 'x'"): the cause is the inner exception.
            var causes = string.Join(": ", Causes(e).Select(c => $"{c.GetType().Name}: {c.Message}"));
            throw new DatasetException($"{name}: not a readable Parquet file ({causes}).");
        }
    }

    private static IEnumerable<Exception> Causes(Exception e)
    {
        for (Exception? c = e; c is not null; c = c.InnerException)
        {
            yield return c;
        }
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        string s => s.Length == 0 ? null : s,
        bool b => b ? "true" : "false",
        double d => double.IsNaN(d) ? null : d.ToString("R", CultureInfo.InvariantCulture),
        float f => float.IsNaN(f) ? null : f.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateTime t => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
