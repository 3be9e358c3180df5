using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Monitoring.Abstractions.Events;
using Monitoring.Storage.Database;
using Monitoring.Storage.Tests.Support;
using Xunit;

namespace Monitoring.Storage.Tests;

/// <summary>The SQLite planner's choices for the event log's lookups (it has no statistics to go by).</summary>
public sealed class SqliteQueryPlanTests : IAsyncLifetime
{
    private readonly SqliteBackend _backend = new();

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(400)]
    public async Task Batch_prediction_lookup_seeks_the_prediction_index_rather_than_scanning_the_model(int ids)
    {
        await using (var log = _backend.CreateEventLog())
        {
            await log.AppendAsync(TestEvents.NewModel(), TestEvents.Predictions("p", 0, 10)); // creates the schema
        }

        await using var connection = new SqliteConnection($"Data Source={_backend.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqliteDatabase.FindManySql;
        command.Parameters.AddWithValue("@model", "m");
        command.Parameters.AddWithValue("@kind", (int)EventKind.Prediction);
        command.Parameters.AddWithValue("@ids", JsonSerializer.Serialize(Enumerable.Range(0, ids).Select(i => "p" + i.ToString(CultureInfo.InvariantCulture))));

        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.Contains(plan, step => step.StartsWith("SEARCH events USING INDEX events_prediction (model_key=? AND kind=? AND prediction_id=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN events", StringComparison.Ordinal) || step.Contains("PRIMARY KEY", StringComparison.Ordinal));
    }
}
