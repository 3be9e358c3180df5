using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;
using Monitoring.Client;
using Monitoring.Grains;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Silo.Tests.Resilience;

/// <summary>
/// A model's open window closes after a restart with no traffic and no request touching the model: the first silo
/// stops gracefully (SIGTERM) before the window is due; the second silo on the same data directory is sent nothing, and
/// the model's <c>window-close</c> reminder (kept in the SQLite reminders table) wakes the model, which closes the
/// window and stores its report. The close is awaited as the silo's log line; only then is the report read.
/// </summary>
public sealed class WindowCloseAfterRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Model = "quiet-model";
    private const int Records = 150;

    /// <summary>How long after the settings change the window is due: room for the first silo to stop before it.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(20);

    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-quiet-restart-").FullName;

    /// <summary>The model grains' Information lines (quiet by default): "Model ... activated", "Model ... closed window".</summary>
    private static readonly Dictionary<string, string> GrainLines = new() { ["Logging__LogLevel__Monitoring.Grains"] = "Information" };

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task OpenWindow_IsClosedAndStored_AfterAGracefulRestart_WithoutTrafficOrRequests()
    {
        var minute = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / minute.Ticks - 2) * minute.Ticks, TimeSpan.Zero);
        var end = start + minute;
        DateTimeOffset due;
        DateTimeOffset stopped;

        await using (var first = await SiloProcess.StartAsync(_data, environment: GrainLines))
        {
            using var api = new ApiClient(first.Api);
            // An hour of lateness: the window (ended a minute ago) stays open while the records arrive.
            await PutSettingsAsync(api, TimeSpan.FromHours(1));
            Traffic.SendAndAck(first.OtlpGrpc, OtlpProtocol.Grpc,
                Enumerable.Range(0, Records).Select(i => Traffic.Prediction(Model, $"p{i}", start.AddMilliseconds(i * 100), 40 + (i % 20), "US", 0.5)));
            Assert.Equal(Records, await api.PredictionsAsync(Model));

            // The first append registers the reminder in the background: wait until its row is in the table.
            await WaitForReminderRowAsync();

            // Now make the window due a little after this silo has gone, then stop it at once.
            due = DateTimeOffset.UtcNow + Margin;
            var lateness = TimeSpan.FromSeconds(Math.Ceiling((due - end).TotalSeconds));
            due = end + lateness;
            await PutSettingsAsync(api, lateness);
            Assert.Equal(0, await first.TerminateAsync());
            stopped = DateTimeOffset.UtcNow;
            output.WriteLine($"first silo stopped at {stopped:HH:mm:ss.fff}; window [{start:HH:mm:ss}, {end:HH:mm:ss}) due at {due:HH:mm:ss}");
            Assert.True(!first.Output.Contains($"Model default/{Model} closed window", StringComparison.Ordinal),
                "the first silo closed the window before it stopped (its shutdown took longer than the margin):\n" + first.Output);
        }

        Assert.Equal(1, CountReminderRows()); // what brings the model back: nothing else knows it

        // Restarted (on fresh ports: localhost membership is not kept, the reminders are), and sent nothing: the reminder wakes the model (within its one-minute period once the window is due).
        await using var second = await SiloProcess.StartAsync(_data, environment: GrainLines);
        var closedLine = $"Model default/{Model} closed window";
        try
        {
            await second.WaitForLineAsync(closedLine, Margin + TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            output.WriteLine("second silo:\n" + second.Output);
            throw;
        }

        output.WriteLine($"closed by the second silo at {DateTimeOffset.UtcNow:HH:mm:ss.fff}: {(DateTimeOffset.UtcNow - due).TotalSeconds:F0} s after it was due, {(DateTimeOffset.UtcNow - stopped).TotalSeconds:F0} s after the first silo stopped");
        var lines = second.Output.Split('\n');
        var closed = Array.FindIndex(lines, l => l.Contains(closedLine, StringComparison.Ordinal));
        Assert.Contains($"with {Records} predictions", lines[closed], StringComparison.Ordinal);
        var activated = Array.FindIndex(lines, l => l.Contains($"Model default/{Model} activated", StringComparison.Ordinal));
        Assert.InRange(activated, 0, closed - 1);
        Assert.DoesNotContain("were woken once", second.Output, StringComparison.Ordinal);

        // Only now read through the API: the report was stored by the close.
        using var reads = new ApiClient(second.Api);
        var report = await reads.GetJsonAsync($"/api/models/default/{Model}/windows/{start.ToUnixTimeSeconds()}");
        Assert.Equal(Records, report.GetProperty("volume").GetInt32());
        Assert.Equal(start.ToUnixTimeMilliseconds() * 1_000_000, report.GetProperty("window_start_unix_nano").GetInt64());
        var windows = await reads.GetJsonAsync($"/api/models/default/{Model}/windows");
        Assert.Contains(windows.EnumerateArray(), w => w.GetProperty("window_start_unix_nano").GetInt64() == start.ToUnixTimeMilliseconds() * 1_000_000);
    }

    private static async Task PutSettingsAsync(ApiClient api, TimeSpan lateness)
    {
        using var response = await api.PutJsonAsync($"/api/models/default/{Model}/settings",
            new { window_seconds = 60, allowed_lateness_seconds = (int)lateness.TotalSeconds, minimum_sample_size = 10 });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls the reminders table (a real condition) until the model's row is there, for up to 30 s.</summary>
    private async Task WaitForReminderRowAsync()
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (CountReminderRows() == 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the model registered no window-close reminder within 30 s of its first append");
            await Task.Delay(100); // between reads of a real condition, bounded by the deadline
        }
    }

    private int CountReminderRows()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "monitoring.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM reminders WHERE reminder_name = $name AND grain_id LIKE $grain";
        command.Parameters.AddWithValue("$name", ModelGrain.ReminderName);
        command.Parameters.AddWithValue("$grain", "%" + Model + "%");
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
