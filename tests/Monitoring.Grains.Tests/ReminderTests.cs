using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Xunit;
using static Monitoring.Grains.Tests.TestModels;

namespace Monitoring.Grains.Tests;

/// <summary>
/// A model with records has a persistent window-close reminder (in the silo's SQLite reminder table), so it is woken
/// after a restart or a failover without anything waking every model; a model asked about but never sent records has none.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReminderTests(ClusterFixture fixture)
{
    private IReminderTable Table => fixture.Cluster.Primary is InProcessSiloHandle silo
        ? silo.SiloHost.Services.GetRequiredService<IReminderTable>()
        : throw new InvalidOperationException("in-process silo expected");

    [Fact]
    public async Task ModelWithRecords_RegistersItsWindowCloseReminder_OnceAndSpreadWithinAMinute()
    {
        var (_, grain) = TestModels.New(fixture, "reminded-");
        await grain.AppendAsync([Prediction("p1", ClusterFixture.Time.GetUtcNow(), 0.3)]);
        var first = await RegisteredAsync(grain.GetGrainId());

        await grain.AppendAsync([Prediction("p2", ClusterFixture.Time.GetUtcNow(), 0.4)]);
        var second = await Table.ReadRow(grain.GetGrainId(), ModelGrain.ReminderName);

        Assert.NotNull(first);
        Assert.Equal(ModelGrain.ReminderPeriod, first.Period);
        Assert.Equal(first.ETag, second!.ETag); // registered once, not rewritten on every append
    }

    /// <summary>
    /// The row once the grain's registration has written it: the grain registers in the background (appends never wait
    /// for the reminder service), so the first read may come before it. Polls the table (a real condition) for at most
    /// 30 s; null if it never appears.
    /// </summary>
    private async Task<ReminderEntry?> RegisteredAsync(GrainId grain)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await Table.ReadRow(grain, ModelGrain.ReminderName) is not null || DateTime.UtcNow > deadline)
            {
                return await Table.ReadRow(grain, ModelGrain.ReminderName);
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task ModelNeverSentRecords_HasNoReminder()
    {
        var (_, grain) = TestModels.New(fixture, "unknown-");
        Assert.False(await grain.ExistsAsync());
        Assert.Null(await Table.ReadRow(grain.GetGrainId(), ModelGrain.ReminderName));
    }

    [Fact]
    public void ReminderPhases_AreSpreadOverThePeriod()
    {
        var phases = Enumerable.Range(0, 200).Select(i => TimeSpan.FromTicks(ModelGrain.ReminderPhaseTicks($"default/model-{i}"))).ToList();
        Assert.All(phases, p => Assert.InRange(p, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1) + ModelGrain.ReminderPeriod));
        Assert.True(phases.Distinct().Count() > 190, "phases collide");
        Assert.True(phases.Count(p => p < TimeSpan.FromSeconds(31)) is > 60 and < 140, "phases are not spread over the minute");
    }
}
