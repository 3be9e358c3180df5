using System.Net;
using System.Text.Json;
using Monitoring.Abstractions.Reports;
using Monitoring.Cli.Drift;
using Monitoring.Cli.Slices;
using Monitoring.Datasets;
using Monitoring.Reports.Components.Shared;
using Monitoring.Reports.Rendering;
using Monitoring.Stats.Drift;

namespace Monitoring.Cli.Report;

/// <summary>Arguments of <c>monitoring report</c>.</summary>
/// <param name="Server">API address of the silo.</param>
/// <param name="Tenant">Tenant of the model.</param>
/// <param name="Model">Model id.</param>
/// <param name="Window">One window's start (ISO 8601), or null for the newest in the range.</param>
/// <param name="From">Range start, or null.</param>
/// <param name="To">Range end, or null.</param>
/// <param name="OutPath">The HTML file to write.</param>
/// <param name="ReferencePath">Offline: the reference CSV or Parquet file (with <paramref name="CurrentPath"/>; no silo then).</param>
/// <param name="CurrentPath">Offline: the current CSV or Parquet file.</param>
/// <param name="Categorical">Offline: columns forced categorical.</param>
/// <param name="ScoreColumn">Offline: binary classifier score column of the current file (with <paramref name="LabelColumn"/>).</param>
/// <param name="LabelColumn">Offline: 0/1 label column of the current file.</param>
/// <param name="Segments">Offline: segment columns of the slice report (with the score and label columns), as <c>monitoring slices --segments</c>.</param>
public sealed record ReportOptions(
    string Server, string Tenant, string Model, string? Window, string? From, string? To, string OutPath,
    string? ReferencePath = null, string? CurrentPath = null, IReadOnlySet<string>? Categorical = null, string? ScoreColumn = null, string? LabelColumn = null,
    IReadOnlyList<string>? Segments = null);

/// <summary>
/// <c>monitoring report</c>: one self-contained HTML file (inline CSS, PNG charts as data URIs, no script, no external
/// reference) of a model's window, read from a running silo's JSON API, or offline from a reference and a current file
/// analysed as <c>monitoring drift</c> does (<see cref="DriftAnalyzer"/>) and, with <c>--segments</c>, sliced as
/// <c>monitoring slices</c> does (<see cref="SlicesAnalyzer"/>), rendered with the silo's own page sections
/// (<see cref="ReportDocumentBuilder"/>). Exit 0 written, 2 input or server error.
/// </summary>
public static class ReportCommand
{
    /// <summary>Most windows read for the trend charts of a range (the newest ones).</summary>
    public const int MaxTrendWindows = 96;

    /// <summary>Runs the command and returns the process exit code.</summary>
    public static async Task<int> RunAsync(ReportOptions options, TimeProvider time, TextWriter output, TextWriter error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            if (options.Window is not null && (options.From is not null || options.To is not null))
            {
                throw new CliException("--window and --from/--to cannot be used together: give one window, or a range");
            }

            if (options.ReferencePath is not null || options.CurrentPath is not null)
            {
                return await OfflineAsync(options, time, output, ct);
            }

            if (!Uri.TryCreate(options.Server, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
            {
                throw new CliException($"--server '{options.Server}' is not an absolute http(s) URL");
            }

            var outPath = Path.GetFullPath(options.OutPath);
            using var http = Output.ServerClient.Create(server);
            var modelPath = $"/api/models/{Links.Segment(options.Tenant)}/{Links.Segment(options.Model)}";
            using (var known = await http.GetAsync(modelPath, ct))
            {
                if (known.StatusCode == HttpStatusCode.NotFound)
                {
                    throw new CliException($"--model: unknown model '{options.Model}' (tenant '{options.Tenant}') on {server}");
                }
                await EnsureAsync(known, "model", ct);
            }

            var windows = new List<WindowReport>();
            if (options.Window is { } start)
            {
                using var one = await http.GetAsync($"{modelPath}/windows/{Links.Segment(start)}", ct);
                if (one.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
                {
                    throw new CliException($"--window: {await ReasonAsync(one, ct)}");
                }
                windows.Add(await ReadAsync<WindowReport>(one, "window", ct));
            }
            else
            {
                var query = string.Join("&", new[] { ("from", options.From), ("to", options.To) }
                    .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
                using var list = await http.GetAsync($"{modelPath}/windows" + (query.Length == 0 ? string.Empty : "?" + query), ct);
                if (list.StatusCode == HttpStatusCode.BadRequest)
                {
                    throw new CliException(await ReasonAsync(list, ct));
                }
                var summaries = await ReadAsync<List<WindowStartOnly>>(list, "windows", ct);
                if (summaries.Count == 0)
                {
                    var range = options.From is null && options.To is null ? "yet" : $"between {options.From ?? "the start"} and {options.To ?? "now"}";
                    throw new CliException($"--from/--to: model '{options.Model}' has no closed window {range}: nothing to report");
                }
                foreach (var s in summaries.OrderByDescending(s => s.WindowStartUnixNano).Take(MaxTrendWindows))
                {
                    using var one = await http.GetAsync($"{modelPath}/windows/{Links.Segment(s.WindowStart)}", ct);
                    windows.Add(await ReadAsync<WindowReport>(one, "window", ct));
                }
            }

            var newest = windows.MaxBy(w => w.WindowStartUnixNano)!;
            PerformanceReport? performance = null;
            using (var perf = await http.GetAsync($"{modelPath}/windows/{Links.Segment(newest.WindowStart)}/performance", ct))
            {
                if (perf.IsSuccessStatusCode)
                {
                    performance = await ReadAsync<PerformanceReport>(perf, "performance", ct);
                }
            }

            var document = ReportDocumentBuilder.Build(options.Tenant, options.Model, server.AbsoluteUri, server, windows, performance, time.GetUtcNow());
            await WriteAsync(document, outPath, ct);
            await output.WriteLineAsync($"wrote {outPath}: {options.Model}, window {newest.WindowStart}, {newest.DriftedFeatures.Length} drifted feature(s), {windows.Count} window(s)");
            return 0;
        }
        catch (Exception e) when (e is CliException or DatasetException)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return CliException.ExitCode;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"error: --server: cannot reach the silo: {e.Message}");
            return CliException.ExitCode;
        }
    }

    private static async Task<int> OfflineAsync(ReportOptions options, TimeProvider time, TextWriter output, CancellationToken ct)
    {
        if (options.ReferencePath is null || options.CurrentPath is null)
        {
            throw new CliException("--reference and --current: an offline report needs both files");
        }

        if (options.Window is not null || options.From is not null || options.To is not null)
        {
            throw new CliException("--window/--from/--to select windows on a silo; an offline report covers the whole --current file");
        }

        var outPath = Path.GetFullPath(options.OutPath);
        var reference = TabularFile.Read(options.ReferencePath);
        var current = TabularFile.Read(options.CurrentPath);
        if (current.RowCount == 0)
        {
            throw new CliException($"--current: '{options.CurrentPath}' has no rows: nothing to report");
        }

        var drift = DriftAnalyzer.Analyze(reference, current,
            new DriftOptions(options.ReferencePath, options.CurrentPath, options.Categorical ?? new HashSet<string>(), options.ScoreColumn, options.LabelColumn, OutputFormat.Table), DriftPolicy.Default);
        var now = time.GetUtcNow();
        var window = OfflineWindow.From(options.Model, drift, options.ReferencePath, now);
        var source = $"reference {Path.GetFileName(options.ReferencePath)} ({drift.ReferenceRows} rows), current {Path.GetFileName(options.CurrentPath)} ({drift.CurrentRows} rows)";
        var performance = OfflineWindow.Performance(drift, window);
        if (options.Segments is { Count: > 0 } segments)
        {
            if (performance is null || options.ScoreColumn is null || options.LabelColumn is null)
            {
                throw new CliException("--segments: the slice report needs --score-column and --label-column too");
            }

            // The data of `monitoring slices --file current --reference reference`: per-slice prediction drift only when
            // the reference file has the score and segment columns (a drift reference often has features only).
            var sliceReference = segments.Prepend(options.ScoreColumn).All(reference.HasColumn) ? reference : null;
            var slices = SlicesAnalyzer.Analyze(current, new SlicesOptions(
                options.CurrentPath, options.ScoreColumn, options.LabelColumn, segments, performance.Binary?.Threshold ?? 0.5, new Stats.Slices.SliceOptions(), OutputFormat.Table,
                sliceReference is null ? null : options.ReferencePath), sliceReference);
            performance = performance with { Slices = OfflineSlices.From(slices) };
        }

        await WriteAsync(ReportDocumentBuilder.Build(options.Tenant, options.Model, source, null, [window], performance, now), outPath, ct);
        await output.WriteLineAsync($"wrote {outPath}: {options.Model}, {window.DriftedFeatures.Length} drifted feature(s) of {window.Features.Length}");
        return 0;
    }

    private static async Task WriteAsync(Monitoring.Reports.Components.Report.ReportDocumentModel document, string outPath, CancellationToken ct)
    {
        var html = await ReportDocumentBuilder.RenderAsync(document);
        try
        {
            await File.WriteAllTextAsync(outPath, html, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--out: cannot write '{outPath}': {e.Message}");
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"reading the {what} from the silo: {await ReasonAsync(response, ct)}");
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string what, CancellationToken ct)
    {
        await EnsureAsync(response, what, ct);
        try
        {
            return await response.Content.ReadFromJsonAsyncSafe<T>(ct) ?? throw new CliException($"reading the {what} from the silo: empty body");
        }
        catch (JsonException e)
        {
            throw new CliException($"reading the {what} from the silo: not the expected JSON ({e.Message})");
        }
    }

    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            var e = JsonDocument.Parse(text).RootElement;
            return $"{e.GetProperty("error").GetString()} ({(int)response.StatusCode})";
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"{(int)response.StatusCode}: {text}";
        }
    }

    private static async Task<T?> ReadFromJsonAsyncSafe<T>(this HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        return await JsonSerializer.DeserializeAsync<T>(stream, ReportJson.Options, ct);
    }

    /// <summary>The part of a window summary the report needs.</summary>
    private sealed record WindowStartOnly(string WindowStart, long WindowStartUnixNano);
}
