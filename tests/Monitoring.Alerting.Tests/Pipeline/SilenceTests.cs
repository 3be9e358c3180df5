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
    public void TenantSilence_MutesOnlyItsTenantsAlerts_AndAnAlertWithoutTenantIsTheDefaultTenants()
    {
        var set = SilenceSet.Empty.With(Make("{alertname=\"X\"}") with { Tenant = "acme" });
        var now = T0.AddHours(1);

        Assert.Equal(["s1"], set.MutedBy(LabelSet.Of("alertname", "X", "tenant", "acme"), now));
        Assert.Empty(set.MutedBy(LabelSet.Of("alertname", "X", "tenant", "globex"), now));
        Assert.Empty(set.MutedBy(LabelSet.Of("alertname", "X"), now));

        var defaults = SilenceSet.Empty.With(Make("{alertname=\"X\"}") with { Tenant = "default" });
        Assert.Equal(["s1"], defaults.MutedBy(LabelSet.Of("alertname", "X"), now));
        Assert.Empty(defaults.MutedBy(LabelSet.Of("alertname", "X", "tenant", "acme"), now));
    }

    [Theory]
    [InlineData("{tenant=~\".*\", alertname=\"X\"}")]
    [InlineData("{tenant=\"globex\", alertname=\"X\"}")]
    [InlineData("{tenant!=\"acme\", alertname=\"X\"}")]
    public void TenantSilence_CannotBeWidenedByATenantMatcher(string matchers)
    {
        var set = SilenceSet.Empty.With(Make(matchers) with { Tenant = "acme" });

        Assert.Empty(set.MutedBy(LabelSet.Of("alertname", "X", "tenant", "globex"), T0.AddHours(1)));
    }

    [Fact]
    public void UnboundSilence_MutesEveryTenant()
    {
        var set = SilenceSet.Empty.With(Make("{alertname=\"X\"}"));

        Assert.Equal(["s1"], set.MutedBy(LabelSet.Of("alertname", "X", "tenant", "acme"), T0.AddHours(1)));
        Assert.Equal(["s1"], set.MutedBy(LabelSet.Of("alertname", "X", "tenant", "globex"), T0.AddHours(1)));
    }

    [Fact]
    public void TenantCallers_SeeAndExpireOnlyTheirOwnSilences_TheOperatorSeesAll()
    {
        var set = new SilenceSet([Make("{a=\"b\"}", 0, 10) with { Id = "acme-1", Tenant = "acme" }, Make("{a=\"b\"}", 0, 10) with { Id = "ops-1" }]);

        Assert.Equal(["acme-1"], set.VisibleTo("acme").Select(s => s.Id));
        Assert.Empty(set.VisibleTo("globex"));
        Assert.Equal(["acme-1", "ops-1"], set.VisibleTo(null).Select(s => s.Id));

        Assert.False(set.TryExpire("acme-1", T0.AddHours(1), out var unchanged, "globex"));
        Assert.Same(set, unchanged);
        Assert.False(set.TryExpire("ops-1", T0.AddHours(1), out _, "acme"));
        Assert.True(set.TryExpire("acme-1", T0.AddHours(1), out _, "acme"));
        Assert.True(set.TryExpire("acme-1", T0.AddHours(1), out _, null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public void Silence_WithAnUnusableTenant_IsRefused(string tenant) =>
        Assert.StartsWith("tenant:", Assert.Throws<ArgumentException>(() => SilenceSet.Empty.With(Make("{a=\"b\"}") with { Tenant = tenant })).Message, StringComparison.Ordinal);

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

public sealed class MaintenanceWindowTests
{
    private static readonly Silence Sunday = new()
    {
        Id = "m",
        Matchers = Matchers.ParseList("{model=\"m\"}"),
        StartsAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        EndsAt = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
        CreatedBy = "ops",
        Comment = "weekly maintenance",
        Schedule = TimeIntervalSchedule.Parse(["02:00-04:00"], ["sunday"], [], [], "Europe/Berlin"),
    };

    private static readonly LabelSet Alert = LabelSet.Of("model", "m");

    [Theory]
    // Spring forward, Sunday 2026-03-29: 02:00 CET does not exist; local 03:00-03:59 CEST is 01:00-01:59 UTC.
    [InlineData("2026-03-29T00:30:00Z", false)] // 01:30 CET
    [InlineData("2026-03-29T01:30:00Z", true)]  // 03:30 CEST
    [InlineData("2026-03-29T02:00:00Z", false)] // 04:00 CEST
    // Fall back, Sunday 2026-10-25: local 02:00-02:59 happens twice (CEST, then CET), then 03:00-03:59 CET.
    [InlineData("2026-10-24T23:59:00Z", false)] // 01:59 CEST
    [InlineData("2026-10-25T00:30:00Z", true)]  // 02:30 CEST
    [InlineData("2026-10-25T01:30:00Z", true)]  // 02:30 CET
    [InlineData("2026-10-25T02:30:00Z", true)]  // 03:30 CET
    [InlineData("2026-10-25T03:00:00Z", false)] // 04:00 CET
    // An ordinary Sunday and a Monday at the same local time.
    [InlineData("2026-06-07T01:00:00Z", true)]  // 03:00 CEST, Sunday
    [InlineData("2026-06-08T01:00:00Z", false)] // 03:00 CEST, Monday
    public void RecurringMaintenanceWindow_FollowsLocalTime_AcrossDaylightSavingChanges(string utc, bool muted)
    {
        var set = SilenceSet.Empty.With(Sunday);
        Assert.Equal(muted, set.MutedBy(Alert, DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture)).Count > 0);
    }

    [Theory]
    [InlineData("25:00-26:00", "recurrence")]
    [InlineData("02:00", "HH:MM-HH:MM")]
    public void BadSchedule_IsRejectedNamingTheField(string times, string reason) =>
        Assert.Contains(reason, Assert.Throws<FormatException>(() => TimeIntervalSchedule.Parse([times], [], [], [], null)).Message, StringComparison.Ordinal);
}
