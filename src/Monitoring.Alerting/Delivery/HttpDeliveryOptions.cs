namespace Monitoring.Alerting.Delivery;

/// <summary>Settings of the shared HTTP sender (<c>Monitoring:Alerting:Delivery</c>).</summary>
public sealed class HttpDeliveryOptions
{
    /// <summary>Default per-attempt timeout: Alertmanager's webhook default is 10 s as well (its <c>MinTimeout</c>).</summary>
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Most response-body characters read for an error message.</summary>
    public const int MaxErrorBodyChars = 2048;

    /// <summary>
    /// Allows loopback, private and link-local targets (a webhook inside the cluster, tests on 127.0.0.1). Metadata
    /// addresses stay refused. Default false.
    /// </summary>
    public bool AllowPrivateTargets { get; init; }

    /// <summary>Time allowed for one attempt, from connect to the end of the response headers and error body.</summary>
    public TimeSpan AttemptTimeout { get; init; } = DefaultAttemptTimeout;
}

/// <summary>A token bucket: <paramref name="PerSecond"/> sustained, bursts of <paramref name="Burst"/>.</summary>
/// <param name="PerSecond">Tokens added per second.</param>
/// <param name="Burst">Bucket size: requests that may go at once after a quiet period.</param>
public sealed record RateLimit(double PerSecond, int Burst)
{
    /// <summary>Slack incoming webhooks: "no more than one message per second" per webhook (api.slack.com/docs/rate-limits).</summary>
    public static readonly RateLimit Slack = new(1, 1);

    /// <summary>PagerDuty Events API v2: about 120 events per minute per integration key.</summary>
    public static readonly RateLimit PagerDuty = new(2, 10);
}

/// <summary>Where one delivery goes. <see cref="Url"/> and <see cref="Secrets"/> never appear in a log, an error or an exception.</summary>
/// <param name="Kind">Integration kind, the prefix of error messages (<c>slack</c>, <c>pagerduty</c>, ...).</param>
/// <param name="Name">A name safe to log, e.g. the receiver's name.</param>
/// <param name="Url">Target URL (itself a secret for Slack and webhooks).</param>
/// <param name="Secrets">Further secrets to redact from anything echoed back (routing keys, tokens).</param>
/// <param name="RateLimit">Per-target rate limit, or null for none.</param>
public sealed record DeliveryTarget(string Kind, string Name, Uri Url, IReadOnlyList<string> Secrets, RateLimit? RateLimit)
{
    /// <summary>Kind and name only: the URL and the secrets stay out of <c>ToString()</c>.</summary>
    public override string ToString() => $"{Kind} target for {Name}";
}
