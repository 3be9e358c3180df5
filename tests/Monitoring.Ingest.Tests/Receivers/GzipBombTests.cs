using System.Diagnostics;
using Monitoring.Ingest.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Monitoring.Ingest.Tests.Support.HttpOtlp;
using static Monitoring.Ingest.Tests.Support.Otlp;

namespace Monitoring.Ingest.Tests.Receivers;

/// <summary>Runs alone (it measures process-wide allocations).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial";
}

/// <summary>A gzip bomb on OTLP/HTTP is refused quickly, with memory bounded by the body cap.</summary>
[Collection(SerialCollection.Name)]
public sealed class GzipBombTests(ITestOutputHelper output) : IAsyncLifetime
{
    private OtlpTestServer _server = null!;

    public async Task InitializeAsync() => _server = await OtlpTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Gzip_bomb_is_refused_quickly_with_bounded_memory()
    {
        var before = await SeedAsync(_server);

        // ~10 MiB of gzip that would inflate to ~10 GiB: one member of 64 MiB of zeros, repeated (gzip allows
        // concatenated members).
        var member = Gzip(new byte[64 << 20], System.IO.Compression.CompressionLevel.SmallestSize);
        var copies = (10 << 20) / member.Length;
        var bomb = new byte[member.Length * copies];
        for (var i = 0; i < copies; i++)
        {
            member.CopyTo(bomb, i * member.Length);
        }

        Assert.True(bomb.Length > 9 << 20, $"bomb is {bomb.Length} bytes");
        Assert.True((long)copies * (64 << 20) >= 8L << 30, $"bomb inflates to only {copies * 64} MiB");
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();

        var response = await PostAsync(_server, bomb, Protobuf, "gzip");

        stopwatch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        output.WriteLine($"bomb {bomb.Length >> 20} MiB -> {copies * 64L >> 10} GiB: refused in {stopwatch.ElapsedMilliseconds} ms, {allocated >> 20} MiB allocated");
        var message = await FailureAsync(response, 413);
        Assert.Contains("after decompression", message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");

        // Inflating it all would allocate ~10 GiB; the cap keeps the server to about the 20 MiB buffer (doubling).
        Assert.True(allocated < 512L << 20, $"allocated {allocated >> 20} MiB");
        AssertIntact(_server, before);
    }
}
