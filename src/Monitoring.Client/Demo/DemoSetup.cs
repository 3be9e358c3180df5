namespace Monitoring.Client.Demo;

/// <summary>
/// How the demo's models are set up, shared by the silo's <c>--demo</c> and the stand-alone <c>monitoring demo</c> client:
/// one-minute windows so a newcomer sees them close, a rolling reference of three windows, and credit-risk's reference
/// pinned shortly before its drift begins (a rolling reference would otherwise absorb the drift within three windows).
/// </summary>
public static class DemoSetup
{
    /// <summary>Window length of every demo model.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>How late a record may arrive and still count in its window.</summary>
    public static readonly TimeSpan AllowedLateness = TimeSpan.FromSeconds(10);

    /// <summary>Windows in the rolling reference.</summary>
    public const int RollingWindows = 3;

    /// <summary>Smallest window judged for drift.</summary>
    public const int MinimumSampleSize = 100;

    /// <summary>How long before the drift credit-risk's reference is pinned.</summary>
    public static readonly TimeSpan PinBeforeDrift = TimeSpan.FromSeconds(15);

    /// <summary>The demo's models.</summary>
    public static IReadOnlyList<string> Models { get; } = [DemoTraffic.CreditRiskModel, DemoTraffic.ChurnModel, DemoTraffic.EtaModel];

    /// <summary>
    /// The windows credit-risk's reference is pinned to: those that started between the demo's start (rounded down to a
    /// window) and <paramref name="now"/> (rounded down, so only closed windows are read).
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset To) PinRange(DateTimeOffset start, DateTimeOffset now)
    {
        var window = Window.Ticks;
        return (new DateTimeOffset(start.UtcTicks - (start.UtcTicks % window), TimeSpan.Zero),
                new DateTimeOffset(now.UtcTicks - (now.UtcTicks % window), TimeSpan.Zero));
    }
}
