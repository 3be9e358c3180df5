using Monitoring.Grains.Alerting;
using Monitoring.Storage;
using Xunit;

namespace Monitoring.Grains.Tests.Alerting;

/// <summary>The notifier's persistence writes what changed, by record instance, over a real SQLite document store.</summary>
public sealed class DocumentMirrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mirror-").FullName;
    private readonly CountingStore _store;

    public DocumentMirrorTests() => _store = new CountingStore(SqlDocumentStore.CreateSqlite(Path.Combine(_dir, "m.db")));

    public void Dispose()
    {
        _store.Inner.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Writes_new_and_replaced_records_deletes_removed_ones_and_skips_unchanged()
    {
        var mirror = new DocumentMirror(_store);
        var records = Enumerable.Range(0, 1000).ToDictionary(i => $"r{i:D4}", i => new Rec(i));

        Assert.Equal(1000, await mirror.WriteAsync(Collection(records)));
        Assert.Equal(0, await mirror.WriteAsync(Collection(records)));

        records["r0007"] = records["r0007"] with { V = -7 }; // replaced
        records.Remove("r0009");                              // removed
        records["r1000"] = new Rec(1000);                     // added
        records["r0011"] = new Rec(11);                       // an equal value but a new instance: written again
        Assert.Equal(4, await mirror.WriteAsync(Collection(records)));

        var stored = (await _store.ListAsync("recs")).ToDictionary(d => d.Id, d => d.Json);
        Assert.Equal(1000, stored.Count);
        Assert.Equal("{\"V\":-7}", stored["r0007"]);
        Assert.False(stored.ContainsKey("r0009"));
        Assert.Equal("{\"V\":1000}", stored["r1000"]);
    }

    [Fact]
    public async Task A_failed_write_is_retried_whole_by_the_next_write()
    {
        var mirror = new DocumentMirror(_store);
        var records = new Dictionary<string, Rec> { ["a"] = new(1), ["b"] = new(2) };
        await mirror.WriteAsync(Collection(records));

        records["a"] = new Rec(10);
        records.Remove("b");
        _store.FailNext = true;
        await Assert.ThrowsAsync<IOException>(() => mirror.WriteAsync(Collection(records)));

        Assert.Equal(2, await mirror.WriteAsync(Collection(records)));
        var stored = await _store.ListAsync("recs");
        Assert.Equal([new StoredDocument("recs", "a", "{\"V\":10}")], stored);
    }

    [Fact]
    public async Task Loaded_records_are_not_written_again()
    {
        var records = new Dictionary<string, Rec> { ["a"] = new(1), ["b"] = new(2) };
        await new DocumentMirror(_store).WriteAsync(Collection(records));

        var restarted = new DocumentMirror(_store);
        foreach (var d in await _store.ListAsync("recs"))
        {
            restarted.Loaded("recs", d.Id, records[d.Id]);
        }

        Assert.Equal(0, await restarted.WriteAsync(Collection(records)));
        records.Remove("a");
        Assert.Equal(1, await restarted.WriteAsync(Collection(records)));
        Assert.Single(await _store.ListAsync("recs"));
    }

    private static DocumentMirror.Collection Collection(Dictionary<string, Rec> records) =>
        new("recs", records.Select(kv => (kv.Key, (object)kv.Value)).ToList(), (_, r) => System.Text.Json.JsonSerializer.Serialize((Rec)r));

    private sealed record Rec(int V);

    private sealed class CountingStore(SqlDocumentStore inner) : IDocumentStore
    {
        public SqlDocumentStore Inner { get; } = inner;

        public bool FailNext { get; set; }

        public Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default) =>
            Inner.ListAsync(collection, cancellationToken);

        public Task WriteAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken = default)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("disk full");
            }

            return Inner.WriteAsync(writes, cancellationToken);
        }
    }
}
