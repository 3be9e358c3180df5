using System.Diagnostics;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Storage.Tests.Support;
using Xunit;

namespace Monitoring.Storage.Tests;

/// <summary>A SQLite log killed mid-write keeps every acknowledged record exactly once.</summary>
public sealed class SqliteDurabilityTests : IAsyncLifetime
{
    private readonly SqliteBackend _backend = new();

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Every_acknowledged_record_survives_a_process_kill_exactly_once()
    {
        var acked = new List<(int Worker, int First, int Count)>();
        var stderr = new System.Text.StringBuilder();
        var info = new ProcessStartInfo(DotnetHost(), $"\"{typeof(Program).Assembly.Location}\" durability-probe \"{_backend.DatabasePath}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using (var probe = Process.Start(info)!)
        {
            probe.ErrorDataReceived += (_, e) =>
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            };
            probe.BeginErrorReadLine();
            var deadline = Stopwatch.StartNew();
            while (acked.Count < 200 && deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                var line = await probe.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(90));
                if (line is null)
                {
                    break;
                }

                var parts = line.Split(' ');
                if (parts is ["ACK", var worker, var first, var count])
                {
                    acked.Add((int.Parse(worker), int.Parse(first), int.Parse(count)));
                }
            }

            // Killed while writers are mid-append: no graceful shutdown, no flush.
            probe.Kill(entireProcessTree: true);
            await probe.WaitForExitAsync();
        }

        Assert.True(acked.Count >= 200, $"probe acknowledged only {acked.Count} batches; stderr: {stderr}");

        await using var log = DurableEventLog.CreateSqlite(_backend.DatabasePath);
        var byModel = new Dictionary<ModelKey, List<LoggedEvent>>();
        foreach (var model in new[] { new ModelKey("durability", "model-0"), new ModelKey("durability", "model-1") })
        {
            var read = new List<LoggedEvent>();
            await foreach (var logged in log.ReadAsync(model, 0))
            {
                read.Add(logged);
            }

            byModel[model] = read;
            Assert.Equal(Enumerable.Range(1, read.Count).Select(i => (long)i), read.Select(e => e.Sequence));
        }

        var stored = byModel.Values.SelectMany(r => r).Select(e => e.Event.PredictionId!).ToList();
        Assert.Equal(stored.Count, stored.Distinct().Count());
        var storedSet = stored.ToHashSet();
        foreach (var (worker, first, count) in acked)
        {
            for (var i = first; i < first + count; i++)
            {
                Assert.Contains($"w{worker}-{i}", storedSet);
            }
        }

        // Records written but not yet acknowledged may be there too; nothing else may.
        Assert.All(stored, id => Assert.Matches("^w[0-3]-[0-9]+$", id));
        var reopenedAppend = await log.AppendAsync(new ModelKey("durability", "model-0"), [TestEvents.Prediction("after-restart", 1)]);
        Assert.Equal(byModel[new ModelKey("durability", "model-0")].Count + 1, reopenedAppend.Appended[0].Sequence);
        Assert.NotNull(await log.FindAsync(new ModelKey("durability", "model-1"), EventKind.Prediction, "w1-0"));
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
