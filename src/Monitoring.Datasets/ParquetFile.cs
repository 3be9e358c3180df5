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

    /// <summary>Reads a Parquet stream; <paramref name="name"/> names it in errors.</summary>
    public static async Task<TabularFile> ReadAsync(Stream stream, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            var result = await ParquetSerializer.DeserializeUntypedAsync(stream, cancellationToken: cancellationToken);
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
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Parquet.Net reports corrupt files with exceptions of its own (ThriftProtocolException, found by fuzzing) as
            // well as IO, format, range and overflow errors; whatever it throws on a file is about the file.
            throw new DatasetException($"{name}: not a readable Parquet file ({e.GetType().Name}: {e.Message}).");
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
