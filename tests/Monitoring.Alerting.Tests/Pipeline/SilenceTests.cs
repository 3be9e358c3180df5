using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Silences;
using Xunit;

namespace Monitoring.Alerting.Tests.Pipeline;

public sealed class SilenceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    private static Silence Make(string matchers, int fromHours = 0, int toHours = 2, IRecurringSchedule? schedule = null) => new()
    {
        Id = "s1",
        Matchers = Matchers.ParseList(matchers),
        StartsAt = T0.AddHours(fromHours),
        EndsAt = T0.AddHours(toHours),
        CreatedBy = "oncall",
        Comment = "deploy",
        Schedule = schedule,
    };

    private sealed class EvenHours : IRecurringSchedule
    {
        public bool Contains(DateTimeOffset instant) => instant.Hour % 2 == 0;

        public string Description => "even hours";
    }

    [Fact]
    public void Silence_MutesMatchingAlerts_OnlyWhileActive()
    {
        var set = SilenceSet.Empty.With(Make("{model=\"m\", severity=~\"page|ticket\"}", 1, 3));
        var alert = LabelSet.Of("model", "m", "severity", "page");
        Assert.Empty(set.MutedBy(alert, T0));                       // pending
        Assert.Equal(["s1"], set.MutedBy(alert, T0.AddHours(1)));   // active
        Assert.Empty(set.MutedBy(alert, T0.AddHours(3)));           // expired (end exclusive)
        Assert.Empty(set.MutedBy(LabelSet.Of("model", "m", "severity", "info"), T0.AddHours(2)));
    }

    [Fact]
    public void RecurringSilence_MutesOnlyInsideItsSchedule()
    {
        var set = SilenceSet.Empty.With(Make("{model=\"m\"}", 0, 48, new EvenHours()));
        var alert = LabelSet.Of("model", "m");
        Assert.NotEmpty(set.MutedBy(alert, T0.AddHours(2)));
        Assert.Empty(set.MutedBy(alert, T0.AddHours(3)));
    }

    [Theory]
    [InlineData("{model=~\".*\"}", "must not match the empty string")]
    [InlineData("{model!=\"x\"}", "must not match the empty string")]
    public void SilenceThatWouldMuteEverything_IsRefused(string matchers, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => SilenceSet.Empty.With(Make(matchers)));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Silence_EndingBeforeItStarts_IsRefused() =>
        Assert.Contains("endsAt", Assert.Throws<ArgumentException>(() => SilenceSet.Empty.With(Make("{a=\"b\"}", 2, 1))).Message, StringComparison.Ordinal);

    [Fact]
    public void Expire_EndsTheSilenceNow()
    {
        var set = SilenceSet.Empty.With(Make("{a=\"b\"}", 0, 10));
        Assert.True(set.TryExpire("s1", T0.AddHours(1), out var expired));
        Assert.Empty(expired.MutedBy(LabelSet.Of("a", "b"), T0.AddHours(1)));
        Assert.False(expired.TryExpire("s1", T0.AddHours(2), out _));
        Assert.Empty(expired.Prune(T0.AddHours(200), TimeSpan.FromHours(120)).All);
    }
}
