using Monitoring.Alerting.Pipeline;
using Xunit;

namespace Monitoring.Alerting.Tests.Pipeline;

/// <summary>Table of Alertmanager's TestDedupStageNeedsUpdate cases, plus acknowledgement.</summary>
public sealed class DedupStageTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Repeat = TimeSpan.FromHours(4);

    private static HashSet<string> S(string csv) => [.. csv.Split(',', StringSplitOptions.RemoveEmptyEntries)];

    private static NotificationLogEntry Entry(string firing, string resolved, string acked = "", double hoursAgo = 1) =>
        new("{}:{}", "r", S(firing), S(resolved), S(acked), Now.AddHours(-hoursAgo));

    private static FlushSet Flush(string firing, string resolved, string acked = "") => new(S(firing), S(resolved), S(acked));

    public static TheoryData<NotificationLogEntry?, FlushSet, bool, string?> Cases => new()
    {
        { null, Flush("a", ""), true, "first notification" },
        { null, Flush("", "a"), true, null },
        { Entry("a", ""), Flush("a,b", ""), true, "new alerts added" },
        { Entry("", "a"), Flush("b", ""), true, "first notification" },
        { Entry("a", ""), Flush("", "a"), false, "all alerts resolved" }, // sent even without send_resolved
        { Entry("", "a"), Flush("", "a"), true, null },
        { Entry("a,b", ""), Flush("a", "b"), true, "some alerts resolved" },
        { Entry("a,b", ""), Flush("a", "b"), false, null },
        { Entry("a", "", hoursAgo: 5), Flush("a", ""), true, "repeat interval elapsed" },
        { Entry("a", "", hoursAgo: 4), Flush("a", ""), true, "repeat interval elapsed" },
        { Entry("a", "", hoursAgo: 3), Flush("a", ""), true, null },
        { Entry("a,b", ""), Flush("a,b", "", "a"), true, "alerts acknowledged" },
        { Entry("a", "", "a", hoursAgo: 50), Flush("a", "", "a"), true, null }, // acknowledged: never repeats
        { Entry("a,b", "", "a", hoursAgo: 5), Flush("a,b", "", "a"), true, "repeat interval elapsed" }, // b is not acknowledged
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void NeedsUpdate_GivesAlertmanagersReasons(NotificationLogEntry? entry, FlushSet flush, bool sendResolved, string? reason) =>
        Assert.Equal(reason, DedupStage.NeedsUpdate(entry, flush, sendResolved, Repeat, Now));
}
