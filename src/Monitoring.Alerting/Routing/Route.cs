using System.Text;
using Monitoring.Alerting.Labels;

namespace Monitoring.Alerting.Routing;

/// <summary>
/// The options in force at a route after inheritance (Alertmanager's <c>dispatch.RouteOpts</c>): receiver, grouping and
/// timers come from the nearest ancestor that sets them (root defaults <see cref="DefaultGroupWait"/>,
/// <see cref="DefaultGroupInterval"/>, <see cref="DefaultRepeatInterval"/>); time intervals are the route's own and are
/// not inherited, as in Alertmanager.
/// </summary>
/// <param name="Receiver">Receiver name.</param>
/// <param name="GroupBy">Label names that form a group, sorted (ordinal).</param>
/// <param name="GroupByAll">True for <c>group_by: ['...']</c>: every label groups, so each label set is its own group.</param>
/// <param name="GroupWait">Delay before a new group's first notification.</param>
/// <param name="GroupInterval">Delay between notifications of a group when alerts change.</param>
/// <param name="RepeatInterval">Delay before re-sending an unchanged group.</param>
/// <param name="MuteTimeIntervals">Time interval names during which this route sends nothing.</param>
/// <param name="ActiveTimeIntervals">Time interval names outside which this route sends nothing (empty = always active).</param>
public sealed record RouteOptions(
    string Receiver,
    IReadOnlyList<string> GroupBy,
    bool GroupByAll,
    TimeSpan GroupWait,
    TimeSpan GroupInterval,
    TimeSpan RepeatInterval,
    IReadOnlyList<string> MuteTimeIntervals,
    IReadOnlyList<string> ActiveTimeIntervals)
{
    /// <summary>Alertmanager's default group_wait.</summary>
    public static readonly TimeSpan DefaultGroupWait = TimeSpan.FromSeconds(30);

    /// <summary>Alertmanager's default group_interval.</summary>
    public static readonly TimeSpan DefaultGroupInterval = TimeSpan.FromMinutes(5);

    /// <summary>Alertmanager's default repeat_interval.</summary>
    public static readonly TimeSpan DefaultRepeatInterval = TimeSpan.FromHours(4);
}

/// <summary>
/// A node of the routing tree with Alertmanager 0.25's semantics (dispatch/route.go). Build one with
/// <see cref="AlertmanagerConfig.Load(string, string?)"/>.
/// </summary>
public sealed class Route
{
    private readonly List<Route> _routes = [];

    internal Route(Route? parent, RouteOptions options, IReadOnlyList<Matcher> matchers, bool @continue, string path)
    {
        Parent = parent;
        Options = options;
        Matchers = [.. matchers.OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Value, StringComparer.Ordinal).ThenBy(m => m.Type)];
        Continue = @continue;
        Path = path;
        Key = (parent is null ? string.Empty : parent.Key + "/") + FormatMatchers(Matchers);
    }

    /// <summary>The parent, or null for the root.</summary>
    public Route? Parent { get; }

    /// <summary>Effective options (after inheritance).</summary>
    public RouteOptions Options { get; }

    /// <summary>
    /// All matchers of the route (<c>matchers</c>, <c>match</c> and <c>match_re</c> together), sorted as Alertmanager
    /// sorts them: by name, then value, then operator (= != =~ !~).
    /// </summary>
    public IReadOnlyList<Matcher> Matchers { get; }

    /// <summary>True when siblings after this route are still tried once it matched.</summary>
    public bool Continue { get; }

    /// <summary>Child routes in configuration order.</summary>
    public IReadOnlyList<Route> Routes => _routes;

    /// <summary>Where the route is in the configuration, e.g. <c>route.routes[1].routes[0]</c>.</summary>
    public string Path { get; }

    /// <summary>
    /// Alertmanager's route key: the parent's key, <c>/</c>, and this route's sorted matchers as <c>{a="b",c=~"d"}</c>
    /// (no spaces). The root's is <c>{}</c>, a child's e.g. <c>{}/{severity="page"}</c>. Not unique in general.
    /// </summary>
    public string Key { get; }

    internal void Add(Route child) => _routes.Add(child);

    /// <summary>
    /// The matching leaf routes, depth-first and left to right: when this route matches, each child is tried in order,
    /// and a matching child stops its later siblings unless it has <c>continue: true</c>; when no child matches, this
    /// route itself is the match. Empty when this route's matchers do not match.
    /// </summary>
    public IReadOnlyList<Route> Match(LabelSet labels)
    {
        if (!Matchers.MatchesAll(labels))
        {
            return [];
        }
        var all = new List<Route>();
        foreach (var child in _routes)
        {
            var matches = child.Match(labels);
            all.AddRange(matches);
            if (matches.Count > 0 && !child.Continue)
            {
                break;
            }
        }
        if (all.Count == 0)
        {
            all.Add(this);
        }
        return all;
    }

    /// <summary>The labels that name an alert's group at this route: those in group_by, or all with <c>['...']</c>.</summary>
    public LabelSet GroupLabels(LabelSet labels) => Options.GroupByAll ? labels : labels.Only(Options.GroupBy);

    /// <summary>
    /// Alertmanager's aggregation group key: <c>{route key}:{group labels}</c>, e.g. <c>{}/{severity="page"}:{model="m1"}</c>
    /// (group labels printed as Prometheus prints a label set, <c>, </c>-separated).
    /// </summary>
    public string GroupKey(LabelSet labels) => Key + ":" + GroupLabels(labels);

    /// <summary>This route and all below it, depth-first.</summary>
    public IEnumerable<Route> Walk()
    {
        yield return this;
        foreach (var child in _routes)
        {
            foreach (var r in child.Walk())
            {
                yield return r;
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Path} {Key} -> {Options.Receiver}";

    // labels.Matchers.String() of Alertmanager 0.25: {name<op>"value",...}, values escaped as OpenMetrics does
    // (only backslash, newline and double quote).
    private static string FormatMatchers(IReadOnlyList<Matcher> matchers)
    {
        var sb = new StringBuilder("{");
        for (var i = 0; i < matchers.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            var m = matchers[i];
            sb.Append(m.Name).Append(Matcher.OperatorText(m.Type)).Append('"');
            foreach (var c in m.Value)
            {
                sb.Append(c switch
                {
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '"' => "\\\"",
                    _ => c.ToString(),
                });
            }
            sb.Append('"');
        }
        return sb.Append('}').ToString();
    }
}
