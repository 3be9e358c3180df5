namespace Monitoring.Reports.Components.Shared;

/// <summary>
/// The pages' URLs, site-relative, every path segment percent-encoded (a model id may hold '/', which becomes %2F and
/// is read back by <see cref="PathValue"/>). Window starts are ISO 8601 in the path, colons kept: readable and shareable.
/// </summary>
public static class Links
{
    /// <summary>The models overview.</summary>
    public const string Overview = "/";

    /// <summary>A model's page.</summary>
    public static string Model(string tenant, string model) => $"/models/{Segment(tenant)}/{Segment(model)}";

    /// <summary>A model's page sorted by a column.</summary>
    public static string Model(string tenant, string model, string sort, string dir) => $"{Model(tenant, model)}?sort={Uri.EscapeDataString(sort)}&dir={Uri.EscapeDataString(dir)}";

    /// <summary>One window's page (start as the report's ISO 8601 text).</summary>
    public static string Window(string tenant, string model, string windowStart) => $"{Model(tenant, model)}/windows/{Segment(windowStart)}";

    /// <summary>One feature's reference-vs-window chart of a closed window, as an SVG image.</summary>
    public static string FeatureChart(string tenant, string model, string windowStart, string feature) =>
        $"{Window(tenant, model, windowStart)}/features/{Segment(feature)}/distribution.svg";

    /// <summary>A model's slice report, optionally of one window.</summary>
    public static string Slices(string tenant, string model, string? windowStart = null) =>
        $"{Model(tenant, model)}/slices" + (windowStart is null ? string.Empty : "?window=" + Uri.EscapeDataString(windowStart));

    /// <summary>A model's versions page, optionally comparing two.</summary>
    public static string Versions(string tenant, string model, string? baseline = null, string? candidate = null) =>
        $"{Model(tenant, model)}/versions" + (baseline is null || candidate is null ? string.Empty : $"?baseline={Uri.EscapeDataString(baseline)}&candidate={Uri.EscapeDataString(candidate)}");

    /// <summary>The JSON of a model's versions.</summary>
    public static string VersionsJson(string tenant, string model) => $"/api/models/{Segment(tenant)}/{Segment(model)}/versions";

    /// <summary>The JSON of a comparison of two versions.</summary>
    public static string CompareJson(string tenant, string model, string baseline, string candidate) =>
        $"{VersionsJson(tenant, model)}/compare?baseline={Uri.EscapeDataString(baseline)}&candidate={Uri.EscapeDataString(candidate)}";

    /// <summary>The JSON of one window's report.</summary>
    public static string WindowJson(string tenant, string model, string windowStart) => $"/api/models/{Segment(tenant)}/{Segment(model)}/windows/{Segment(windowStart)}";

    /// <summary>The JSON list of a model's closed windows.</summary>
    public static string WindowsJson(string tenant, string model) => $"/api/models/{Segment(tenant)}/{Segment(model)}/windows";

    /// <summary>The JSON of a model's description.</summary>
    public static string ModelJson(string tenant, string model) => $"/api/models/{Segment(tenant)}/{Segment(model)}";

    /// <summary>An incident's page.</summary>
    public static string Incident(string id) => $"/incidents/{Segment(id)}";

    /// <summary>The silences page.</summary>
    public const string Silences = "/silences";

    /// <summary>Where a silence's Expire form posts.</summary>
    public static string ExpireSilence(string id) => $"/silences/{Segment(id)}/expire";

    /// <summary>The incidents list, optionally of one state.</summary>
    public static string Incidents(string? state = null) => state is null ? "/incidents" : "/incidents?state=" + Uri.EscapeDataString(state);

    /// <summary>
    /// A path segment: percent-encoded like <see cref="Uri.EscapeDataString(string)"/> except ':' (legal in a path
    /// segment after the first, and it keeps ISO 8601 times readable).
    /// </summary>
    public static string Segment(string value) => Uri.EscapeDataString(value).Replace("%3A", ":", StringComparison.Ordinal);

    /// <summary>
    /// A route value as the model id it encodes: Kestrel decodes every escape in the path except %2F (so that a '/'
    /// inside a segment stays inside it), which is decoded here.
    /// </summary>
    public static string PathValue(string routeValue) =>
        routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A URL from data (a runbook or report link) if it may be a link: http(s) absolute, or a site-relative path; never
    /// <c>javascript:</c>, <c>data:</c> or any other scheme, and never a scheme-relative <c>//host</c>.
    /// </summary>
    public static string? SafeUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        if (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal))
        {
            return url;
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) ? u.AbsoluteUri : null;
    }

    /// <summary>
    /// A link on this system as a site-relative path: an absolute URL under <paramref name="externalUrl"/> loses that
    /// prefix (pages never link to an absolute URL of their own site, so they work behind any host name).
    /// </summary>
    public static string? Local(string? url, string externalUrl)
    {
        if (SafeUrl(url) is not { } safe)
        {
            return null;
        }

        var root = externalUrl.TrimEnd('/');
        return safe.StartsWith(root + "/", StringComparison.OrdinalIgnoreCase) ? safe[root.Length..] : safe;
    }
}
