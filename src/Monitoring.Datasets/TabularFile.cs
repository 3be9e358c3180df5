using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Monitoring.Datasets;

/// <summary>
/// A table read whole into columns (from CSV, or from Parquet as invariant-culture strings): RFC 4180 (quoted fields may hold commas, quotes and newlines), a header row,
/// every row with as many fields as the header, empty cell = null. Row numbers in errors are 1-based file rows counting
/// the header as row 1.
/// </summary>
public sealed class TabularFile
{
    private readonly Dictionary<string, string?[]> _columns;

    /// <summary>Creates a table from columns already read (e.g. from Parquet).</summary>
    public TabularFile(string path, IReadOnlyList<string> header, Dictionary<string, string?[]> columns, int rows)
    {
        Path = path;
        Header = header;
        _columns = columns;
        RowCount = rows;
    }

    /// <summary>The file as given on the command line.</summary>
    public string Path { get; }

    /// <summary>Column names in file order.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Data rows (header excluded).</summary>
    public int RowCount { get; }

    /// <summary>The cells of one column, null for empty cells.</summary>
    public IReadOnlyList<string?> Column(string name) => _columns[name];

    /// <summary>Whether the file has this column.</summary>
    public bool HasColumn(string name) => _columns.ContainsKey(name);

    /// <summary>Reads a CSV file; every problem is reported as a <see cref="DatasetException"/> naming the file and row.</summary>
    public static TabularFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new DatasetException($"{path}: file not found.");
        }

        try
        {
            using var stream = File.OpenRead(path);
            return Read(stream, path);
        }
        catch (IOException e)
        {
            throw new DatasetException($"{path}: cannot read the file: {e.Message}");
        }
        catch (UnauthorizedAccessException)
        {
            throw new DatasetException($"{path}: permission denied.");
        }
    }

    /// <summary>Reads CSV from a stream; <paramref name="name"/> names it in errors.</summary>
    public static TabularFile Read(Stream stream, string name)
    {
        var path = name;

        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = true,
            DetectColumnCountChanges = false,
            BadDataFound = args => throw new DatasetException(
                $"{path}: row {args.Context.Parser?.RawRow}: malformed quoting in field '{Truncate(args.Field)}'."),
        };

        try
        {
            using var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
            using var parser = new CsvParser(reader, config);
            if (!parser.Read())
            {
                throw new DatasetException($"{path}: the file is empty; expected a header row naming the columns.");
            }

            var header = parser.Record!.Select(h => h.Trim()).ToArray();
            ValidateHeader(path, header);
            var cells = header.Select(_ => new List<string?>()).ToArray();
            var rows = 0;
            while (parser.Read())
            {
                var record = parser.Record!;
                if (record.Length == 1 && record[0].Length == 0 && header.Length > 1)
                {
                    continue; // blank line
                }

                if (record.Length != header.Length)
                {
                    throw new DatasetException($"{path}: row {parser.RawRow}: has {record.Length} fields but the header has {header.Length}.");
                }

                for (var i = 0; i < record.Length; i++)
                {
                    cells[i].Add(record[i].Length == 0 ? null : record[i]);
                }

                rows++;
            }

            var columns = new Dictionary<string, string?[]>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                columns[header[i]] = cells[i].ToArray();
            }

            return new TabularFile(path, header, columns, rows);
        }
        catch (CsvHelperException e) when (e is not null)
        {
            throw new DatasetException($"{path}: row {e.Context?.Parser?.RawRow}: malformed CSV ({e.GetType().Name}).");
        }
    }

    private static void ValidateHeader(string path, string[] header)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i].Length == 0)
            {
                throw new DatasetException($"{path}: row 1 (header): column {i + 1} has no name; the first row must name every column.");
            }

            if (!seen.Add(header[i]))
            {
                throw new DatasetException($"{path}: row 1 (header): column '{header[i]}' appears more than once.");
            }
        }
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : string.Concat(s.AsSpan(0, 40), "...");
}
