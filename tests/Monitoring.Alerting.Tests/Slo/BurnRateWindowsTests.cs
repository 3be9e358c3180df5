using Monitoring.Alerting.Slo;
using Xunit;

namespace Monitoring.Alerting.Tests.Slo;

public sealed class BurnRateWindowsTests
{
    [Fact]
    public void For30Days_GivesTheWorkbookFactorsExactly()
    {
        // factor = share x period / long window: 0.02 x 720h / 1h = 14.4; 0.05 x 720h / 6h = 6;
        // 0.10 x 720h / 24h = 3; 0.10 x 720h / 72h = 1.
        var c = BurnRateWindows.For(TimeSpan.FromDays(30));

        Assert.Equal([14.4, 6.0, 3.0, 1.0], c.Select(x => x.Factor));
        Assert.Equal([SloSeverity.Page, SloSeverity.Page, SloSeverity.Ticket, SloSeverity.Ticket], c.Select(x => x.Severity));
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(3)], c.Select(x => x.LongWindow));
        Assert.Equal([TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(6)], c.Select(x => x.ShortWindow));
    }

    [Fact]
    public void For28Days_ScalesTheFactorsAsSlothDoes()
    {
        // 28d = 672h: 0.02 x 672 / 1 = 13.44; 0.05 x 672 / 6 = 5.6; 0.10 x 672 / 24 = 2.8; 0.10 x 672 / 72 = 0.9333...
        var c = BurnRateWindows.For(TimeSpan.FromDays(28));

        Assert.Equal(13.44, c[0].Factor);
        Assert.Equal(5.6, c[1].Factor);
        Assert.Equal(2.8, c[2].Factor);
        Assert.Equal(14.0 / 15.0, c[3].Factor, 12);
    }

    [Fact]
    public void PageFactor_NeedsAnObjectiveAbove93Point06Percent()
    {
        // 14.4 x (1 - o) <= 1  <=>  o >= 1 - 1/14.4 = 0.930555...
        var page = BurnRateWindows.For(TimeSpan.FromDays(30))[0];

        Assert.Equal(93.0556m, Math.Round(page.MinObjectivePercent, 4));
        Assert.False(page.IsReachable(90m));
        Assert.False(page.IsReachable(93.05m));
        Assert.True(page.IsReachable(93.06m));
        Assert.True(page.IsReachable(99.9m));
    }

    [Fact]
    public void For_APeriodShorterThanThreeDays_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BurnRateWindows.For(TimeSpan.FromDays(2)));
    }
}
