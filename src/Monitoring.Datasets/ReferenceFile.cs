using System.Globalization;

namespace Monitoring.Datasets;

/// <summary>One column of a reference file, typed: numbers (empty cells as NaN) or text (empty cells as null).</summary>
/// <param name="Name">The feature it becomes (after renames).</param>
/// <param name="Numbers">Numeric values, or null.</param>
/// <param name="Texts">Text values, or null.</param>
public sealed record ReferenceColumnData(string Name, double[]? Numbers, string?[]? Texts);

/// <summary>
/// Reads a reference file uploaded for a model (CSV with a header row, or Parquet, told apart by Parquet's magic bytes)
/// and types its columns the way the model sees them.
/// </summary>
public static class ReferenceFile
{
    /// <summary>Reads the whole upload; throws <see cref="DatasetException"/> for an empty body, a bad file or no data rows.</summary>
    public static async Task<TabularFile> ReadAsync(Stream body, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            throw new DatasetException("the request body is empty; send the reference file (CSV with a header row, or Parquet)");
        }

        buffer.Position = 0;
        var isParquet = buffer.Length >= 4 && buffer.GetBuffer().AsSpan(0, 4).SequenceEqual(ParquetFile.Magic);
        var table = isParquet ? await ParquetFile.ReadAsync(buffer, name, cancellationToken) : TabularFile.Read(buffer, name);
        return table.RowCount == 0 ? throw new DatasetException($"{name}: the reference has a header but no data rows") : table;
    }

    /// <summary>
    /// Types every column: a column becomes numeric when every non-empty cell is a finite number, unless it is forced
    /// categorical (<paramref name="categorical"/>), is the predicted class, or the model already knows the feature as
    /// categorical (<paramref name="schemaKinds"/>: feature -> "numeric" | "categorical"). A column the model knows as
    /// numeric must parse as numbers: the first cell that does not is reported by row and column.
    /// </summary>
    /// <param name="table">The file.</param>
    /// <param name="renames">Column -> feature (e.g. the score column -> ml.prediction.score).</param>
    /// <param name="categorical">Columns to read as text whatever they hold.</param>
    /// <param name="schemaKinds">The model's inferred schema.</param>
    public static IReadOnlyList<ReferenceColumnData> Columns(
        TabularFile table, IReadOnlyDictionary<string, string> renames, IReadOnlySet<string> categorical, IReadOnlyDictionary<string, string> schemaKinds)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = new List<ReferenceColumnData>();
        foreach (var header in table.Header)
        {
            var feature = renames.GetValueOrDefault(header, header);
            var cells = table.Column(header);
            var kind = schemaKinds.GetValueOrDefault(feature);
            var wantText = categorical.Contains(header) || feature == "ml.prediction.class" || kind == "categorical";
            var badRow = -1;
            if (!wantText && TryNumbers(cells, out var numbers, out badRow))
            {
                columns.Add(new ReferenceColumnData(feature, numbers, null));
            }
            else if (!wantText && kind == "numeric")
            {
                throw new DatasetException($"{table.Path}: row {badRow + 2}, column '{header}': '{cells[badRow]}' is not a number, but the model's feature '{feature}' is numeric");
            }
            else
            {
                columns.Add(new ReferenceColumnData(feature, null, [.. cells]));
            }
        }

        return columns;
    }

    private static bool TryNumbers(IReadOnlyList<string?> cells, out double[] numbers, out int badRow)
    {
        numbers = new double[cells.Count];
        for (var i = 0; i < cells.Count; i++)
        {
            if (cells[i] is null)
            {
                numbers[i] = double.NaN;
            }
            else if (!double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || double.IsInfinity(numbers[i]))
            {
                badRow = i;
                return false;
            }
        }

        badRow = -1;
        return true;
    }
}
