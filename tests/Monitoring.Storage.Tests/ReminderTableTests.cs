using Monitoring.Storage.Reminders;
using Monitoring.Storage.Tests.Support;
using Orleans;
using Orleans.Runtime;
using Xunit;

namespace Monitoring.Storage.Tests;

/// <summary>The Orleans reminder table over the project's database, run once per backend by the concrete subclasses.</summary>
public abstract class ReminderTableTests : BackendTest
{
    /// <summary>A reminder table of <paramref name="serviceId"/> over this test's database.</summary>
    protected abstract SqlReminderTable NewTable(string serviceId);

    private static ReminderEntry Entry(string key, string name, TimeSpan period) => new()
    {
        GrainId = GrainId.Create("model", key),
        ReminderName = name,
        StartAt = new DateTime(2026, 12, 7, 1, 0, 0, DateTimeKind.Utc),
        Period = period,
    };

    [Fact]
    public async Task Upsert_ReadsBack_AndEachUpsertChangesTheETag()
    {
        var table = Own(NewTable("svc"));
        await table.StartAsync();
        var entry = Entry("default/a", "window-close", TimeSpan.FromMinutes(1));

        var first = await table.UpsertRow(entry);
        var read = await table.ReadRow(entry.GrainId, "window-close");

        Assert.NotNull(read);
        Assert.Equal(entry.GrainId, read.GrainId);
        Assert.Equal(entry.StartAt, read.StartAt);
        Assert.Equal(TimeSpan.FromMinutes(1), read.Period);
        Assert.Equal(first, read.ETag);
        var second = await table.UpsertRow(Entry("default/a", "window-close", TimeSpan.FromMinutes(2)));
        Assert.NotEqual(first, second);
        Assert.Equal(TimeSpan.FromMinutes(2), (await table.ReadRow(entry.GrainId, "window-close"))!.Period);
        Assert.Null(await table.ReadRow(entry.GrainId, "other"));
    }

    [Fact]
    public async Task Remove_OnlyWithTheCurrentETag()
    {
        var table = Own(NewTable("svc"));
        var entry = Entry("default/b", "window-close", TimeSpan.FromMinutes(1));
        var stale = await table.UpsertRow(entry);
        var current = await table.UpsertRow(entry);

        Assert.False(await table.RemoveRow(entry.GrainId, "window-close", stale!));
        Assert.False(await table.RemoveRow(entry.GrainId, "window-close", "not-a-version"));
        Assert.True(await table.RemoveRow(entry.GrainId, "window-close", current!));
        Assert.Null(await table.ReadRow(entry.GrainId, "window-close"));
    }

    [Fact]
    public async Task RingRanges_AreHalfOpen_AndWrap_AndServicesAreApart()
    {
        var table = Own(NewTable("svc"));
        var other = Own(NewTable("other-service"));
        var entries = Enumerable.Range(0, 40).Select(i => Entry($"default/m{i}", "window-close", TimeSpan.FromMinutes(1))).ToList();
        foreach (var e in entries)
        {
            await table.UpsertRow(e);
        }

        await other.UpsertRow(Entry("default/elsewhere", "window-close", TimeSpan.FromMinutes(1)));
        var hashes = entries.Select(e => e.GrainId.GetUniformHashCode()).Order().ToArray();
        var (begin, end) = (hashes[9], hashes[29]);

        var inside = await table.ReadRows(begin, end);
        var wrapped = await table.ReadRows(end, begin);

        Assert.Equal(hashes.Where(h => h > begin && h <= end), inside.Reminders.Select(r => r.GrainId.GetUniformHashCode()).Order());
        Assert.Equal(hashes.Where(h => h > end || h <= begin), wrapped.Reminders.Select(r => r.GrainId.GetUniformHashCode()).Order());
        Assert.Equal(40, (await table.ReadRows(0u, 0u)).Reminders.Count);
        Assert.Single((await table.ReadRows(entries[3].GrainId)).Reminders);
        Assert.Single((await other.ReadRows(0u, 0u)).Reminders);
    }
}

/// <summary>The reminder table on SQLite.</summary>
public sealed class SqliteReminderTableTests : ReminderTableTests
{
    /// <inheritdoc />
    protected override Task<IStorageBackend> CreateBackendAsync() => Task.FromResult<IStorageBackend>(new SqliteBackend());

    /// <inheritdoc />
    protected override SqlReminderTable NewTable(string serviceId) => SqlReminderTable.CreateSqlite(((SqliteBackend)Backend).DatabasePath, serviceId);
}

/// <summary>The reminder table on PostgreSQL (a private server started by the collection fixture).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresReminderTableTests(PostgresFixture fixture) : ReminderTableTests
{
    /// <inheritdoc />
    protected override async Task<IStorageBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(fixture.Server);

    /// <inheritdoc />
    protected override SqlReminderTable NewTable(string serviceId) => SqlReminderTable.CreatePostgres(((PostgresBackend)Backend).ConnectionString, serviceId);
}
