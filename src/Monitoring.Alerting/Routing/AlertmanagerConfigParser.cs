using System.Globalization;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Time;
using Monitoring.Alerting.TimeIntervals;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Alerting.Routing;

/// <summary>
/// Reads the YAML node tree (so every error carries a line) into the typed configuration, then checks the
/// cross-references Alertmanager checks (config/config.go <c>Config.UnmarshalYAML</c>).
/// </summary>
internal sealed class AlertmanagerConfigParser(string baseDirectory)
{
    // Fields each section of Alertmanager's schema has that we accept without using (warned), so that an existing
    // Alertmanager file carries over; any other field is an error, as in Alertmanager's strict YAML.
    private static readonly string[] IgnoredTopLevel = ["templates", "tracing", "event_recorder"];

    private static readonly string[] IgnoredGlobal =
    [
        "http_config", "jira_api_url", "smtp_from", "smtp_hello", "smtp_smarthost", "smtp_auth_username", "smtp_auth_password",
        "smtp_auth_password_file", "smtp_auth_secret", "smtp_auth_secret_file", "smtp_auth_identity", "smtp_require_tls",
        "smtp_tls_config", "smtp_force_implicit_tls", "slack_app_token", "slack_app_token_file", "slack_app_url",
        "opsgenie_api_url", "opsgenie_api_key", "opsgenie_api_key_file", "wechat_api_url", "wechat_api_secret",
        "wechat_api_secret_file", "wechat_api_corp_id", "victorops_api_url", "victorops_api_key", "victorops_api_key_file",
        "telegram_api_url", "telegram_bot_token", "telegram_bot_token_file", "webex_api_url", "rocketchat_api_url",
        "rocketchat_token", "rocketchat_token_file", "rocketchat_token_id", "rocketchat_token_id_file",
        "mattermost_webhook_url", "mattermost_webhook_url_file",
    ];

    private static readonly string[] UnsupportedIntegrationKeys =
    [
        "discord_configs", "email_configs", "incidentio_configs", "opsgenie_configs", "wechat_configs", "pushover_configs",
        "victorops_configs", "sns_configs", "telegram_configs", "webex_configs", "msteams_configs", "msteamsv2_configs",
        "jira_configs", "rocketchat_configs", "mattermost_configs",
    ];

    private static readonly string[] IgnoredSlack =
    [
        "http_config", "app_token", "app_token_file", "app_url", "color", "title", "title_link", "pretext", "text",
        "message_text", "fields", "short_fields", "footer", "fallback", "callback_id", "icon_emoji", "icon_url", "image_url",
        "thumb_url", "link_names", "mrkdwn_in", "actions", "update_message", "timeout",
    ];

    private static readonly string[] IgnoredPagerDuty =
        ["http_config", "client", "client_url", "description", "details", "images", "links", "source", "class", "component", "group", "timeout"];

    private static readonly string[] IgnoredWebhook = ["http_config", "payload"];

    private static readonly string[] RouteFields =
    [
        "receiver", "group_by", "group_wait", "group_interval", "repeat_interval", "match", "match_re", "matchers", "continue",
        "mute_time_intervals", "active_time_intervals", "routes",
    ];

    /// <summary>Deepest YAML nesting accepted (a route tree 30 levels deep fits): deeper input would exhaust the stack of the node loader.</summary>
    public const int MaxNesting = 64;

    /// <summary>Most YAML aliases accepted: the loader shares aliased nodes, but a reader walking them could multiply the work.</summary>
    public const int MaxAliases = 100;

    private readonly List<string> _warnings = [];

    public AlertmanagerConfig Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            CheckNestingAndAliases(yaml);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            var reason = e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message;
            throw new AlertmanagerConfigException("(file)", (int)e.Start.Line, (int)e.Start.Column, "invalid YAML: " + reason);
        }
        catch (ArgumentException e)
        {
            // YamlMappingNode refuses a repeated key with an ArgumentException and no position.
            throw new AlertmanagerConfigException("(file)", 0, 0, "invalid YAML: " + e.Message);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 18.1's scanner throws this instead of a YamlException on an unclosed flow collection (found by
            // fuzzing: "matchers: [seve[[[...rity=page]"), as RuleFileParser also notes.
            throw new AlertmanagerConfigException("(file)", 0, 0, "invalid YAML: the YAML reader gave up (an unclosed [ or {, or a misplaced *alias)");
        }
        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            throw new AlertmanagerConfigException("(file)", 0, 0, "empty configuration: no routes provided");
        }
        if (stream.Documents.Count > 1)
        {
            throw Error("(file)", stream.Documents[1].RootNode, "expected one YAML document");
        }

        var root = stream.Documents[0].RootNode;
        YamlNode? globalNode = null, routeNode = null, receiversNode = null, inhibitNode = null, timeNode = null, muteNode = null;
        ForEachField(Mapping(root, "(file)"), string.Empty, ["global", "route", "receivers", "inhibit_rules", "time_intervals", "mute_time_intervals"], IgnoredTopLevel, (key, value, path) =>
        {
            switch (key)
            {
                case "global": globalNode = value; break;
                case "route": routeNode = value; break;
                case "receivers": receiversNode = value; break;
                case "inhibit_rules": inhibitNode = value; break;
                case "time_intervals": timeNode = value; break;
                case "mute_time_intervals": muteNode = value; break;
                default: break;
            }
        });

        var global = ParseGlobal(globalNode);
        var receivers = ParseReceivers(receiversNode, global);
        var intervals = new Dictionary<string, NamedTimeInterval>(StringComparer.Ordinal);
        ParseTimeIntervals(muteNode, "mute_time_intervals", intervals);
        ParseTimeIntervals(timeNode, "time_intervals", intervals);
        var inhibitRules = ParseInhibitRules(inhibitNode);

        if (routeNode is null || IsNull(routeNode))
        {
            throw new AlertmanagerConfigException("route", routeNode is null ? 0 : Line(routeNode), 0, "no routes provided");
        }
        var rootSpec = ParseRoute(routeNode, "route");
        if (rootSpec.Receiver is null)
        {
            throw Error("route.receiver", routeNode, "root route must specify a default receiver");
        }
        if (rootSpec.Matchers.Count > 0)
        {
            throw Error(rootSpec.MatchersPath!, rootSpec.MatchersNode!, "root route must not have any matchers");
        }
        if (rootSpec.MuteTimeIntervals is { Count: > 0 })
        {
            throw Error("route.mute_time_intervals", rootSpec.MuteNode!, "root route must not have any mute time intervals");
        }
        if (rootSpec.ActiveTimeIntervals is { Count: > 0 })
        {
            throw Error("route.active_time_intervals", rootSpec.ActiveNode!, "root route must not have any active time intervals");
        }
        var receiverNames = receivers.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        CheckReferences(rootSpec, receiverNames, intervals);

        var route = Build(rootSpec, null);
        return new AlertmanagerConfig(global, route, receivers, inhibitRules, intervals, _warnings);
    }

    // ---- global ----

    private GlobalConfig ParseGlobal(YamlNode? node)
    {
        var resolveTimeout = GlobalConfig.DefaultResolveTimeout;
        Secret? slackUrl = null;
        YamlNode? slackUrlNode = null, slackFileNode = null;
        var pagerDutyUrl = GlobalConfig.DefaultPagerDutyUrl;
        if (node is null || IsNull(node))
        {
            return new GlobalConfig(resolveTimeout, null, pagerDutyUrl);
        }
        ForEachField(Mapping(node, "global"), "global", ["resolve_timeout", "slack_api_url", "slack_api_url_file", "pagerduty_url"], IgnoredGlobal, (key, value, path) =>
        {
            switch (key)
            {
                case "resolve_timeout": resolveTimeout = Duration(value, path); break;
                case "slack_api_url": slackUrlNode = value; slackUrl = SecretUrl(value, path); break;
                case "slack_api_url_file": slackFileNode = value; break;
                case "pagerduty_url": pagerDutyUrl = HttpUrl(value, path); break;
                default: break;
            }
        });
        if (slackUrlNode is not null && slackFileNode is not null)
        {
            throw Error("global.slack_api_url_file", slackFileNode, "at most one of slack_api_url & slack_api_url_file must be configured");
        }
        if (slackFileNode is not null)
        {
            slackUrl = SecretFile(slackFileNode, "global.slack_api_url_file");
        }
        return new GlobalConfig(resolveTimeout, slackUrl, pagerDutyUrl);
    }

    // ---- receivers ----

    private List<Receiver> ParseReceivers(YamlNode? node, GlobalConfig global)
    {
        var result = new List<Receiver>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (item, path) in Items(node, "receivers"))
        {
            string? name = null;
            YamlNode? nameNode = null;
            var slack = new List<SlackReceiverConfig>();
            var pagerDuty = new List<PagerDutyReceiverConfig>();
            var webhooks = new List<WebhookReceiverConfig>();
            var unsupported = new List<string>();
            ForEachField(Mapping(item, path), path, ["name", "slack_configs", "pagerduty_configs", "webhook_configs", .. UnsupportedIntegrationKeys], ["labels"], (key, value, fieldPath) =>
            {
                switch (key)
                {
                    case "name": nameNode = value; name = Str(value, fieldPath); break;
                    case "slack_configs": slack.AddRange(Items(value, fieldPath).Select(x => ParseSlack(x.Node, x.Path, global))); break;
                    case "pagerduty_configs": pagerDuty.AddRange(Items(value, fieldPath).Select(x => ParsePagerDuty(x.Node, x.Path, global))); break;
                    case "webhook_configs": webhooks.AddRange(Items(value, fieldPath).Select(x => ParseWebhook(x.Node, x.Path))); break;
                    default:
                        unsupported.Add(key);
                        _warnings.Add($"{fieldPath} (line {Line(value)}): {key} is not supported here; this receiver sends nothing through it");
                        break;
                }
            });
            if (string.IsNullOrEmpty(name))
            {
                throw Error(path + ".name", nameNode ?? item, "missing name in receiver");
            }
            if (!seen.Add(name))
            {
                throw Error(path + ".name", nameNode!, $"notification config name \"{name}\" is not unique");
            }
            result.Add(new Receiver(name, slack, pagerDuty, webhooks, unsupported, path));
        }
        return result;
    }

    private SlackReceiverConfig ParseSlack(YamlNode node, string path, GlobalConfig global)
    {
        Secret? url = null;
        YamlNode? urlNode = null, fileNode = null;
        string? channel = null, username = null;
        var sendResolved = SlackReceiverConfig.DefaultSendResolved;
        ForEachField(Mapping(node, path), path, ["api_url", "api_url_file", "channel", "username", "send_resolved"], IgnoredSlack, (key, value, fieldPath) =>
        {
            switch (key)
            {
                case "api_url": urlNode = value; url = SecretUrl(value, fieldPath); break;
                case "api_url_file": fileNode = value; break;
                case "channel": channel = Str(value, fieldPath); break;
                case "username": username = Str(value, fieldPath); break;
                case "send_resolved": sendResolved = Bool(value, fieldPath); break;
                default: break;
            }
        });
        if (urlNode is not null && fileNode is not null)
        {
            throw Error(path + ".api_url_file", fileNode, "at most one of api_url & api_url_file must be configured");
        }
        if (fileNode is not null)
        {
            url = SecretFile(fileNode, path + ".api_url_file");
        }
        url ??= global.SlackApiUrl ?? throw Error(path, node, "no global Slack API URL set either inline or in a file (set api_url, api_url_file or global.slack_api_url)");
        return new SlackReceiverConfig(url, channel, username, sendResolved, path);
    }

    private PagerDutyReceiverConfig ParsePagerDuty(YamlNode node, string path, GlobalConfig global)
    {
        Secret? key = null;
        YamlNode? keyNode = null, fileNode = null;
        Uri? url = null;
        var severity = PagerDutyReceiverConfig.DefaultSeverity;
        var sendResolved = PagerDutyReceiverConfig.DefaultSendResolved;
        ForEachField(Mapping(node, path), path, ["routing_key", "routing_key_file", "service_key", "service_key_file", "url", "severity", "send_resolved"], IgnoredPagerDuty, (name, value, fieldPath) =>
        {
            switch (name)
            {
                case "routing_key": keyNode = value; key = Secret.FromValue(Str(value, fieldPath)); break;
                case "routing_key_file": fileNode = value; break;
                case "service_key" or "service_key_file":
                    throw Error(fieldPath, value, "PagerDuty Events API v1 (service_key) is not supported here; use routing_key or routing_key_file (Events API v2)");
                case "url": url = HttpUrl(value, fieldPath); break;
                case "severity": severity = Str(value, fieldPath); break;
                case "send_resolved": sendResolved = Bool(value, fieldPath); break;
                default: break;
            }
        });
        if (keyNode is not null && fileNode is not null)
        {
            throw Error(path + ".routing_key_file", fileNode, "at most one of routing_key & routing_key_file must be configured");
        }
        if (fileNode is not null)
        {
            key = SecretFile(fileNode, path + ".routing_key_file");
        }
        if (key is null || key.Reveal().Length == 0)
        {
            throw Error(path, node, "missing routing_key or routing_key_file in PagerDuty config");
        }
        return new PagerDutyReceiverConfig(key, url ?? global.PagerDutyUrl, severity, sendResolved, path);
    }

    private WebhookReceiverConfig ParseWebhook(YamlNode node, string path)
    {
        Secret? url = null;
        YamlNode? urlNode = null, fileNode = null;
        var maxAlerts = 0;
        TimeSpan? timeout = null;
        var sendResolved = WebhookReceiverConfig.DefaultSendResolved;
        ForEachField(Mapping(node, path), path, ["url", "url_file", "max_alerts", "timeout", "send_resolved"], IgnoredWebhook, (key, value, fieldPath) =>
        {
            switch (key)
            {
                case "url": urlNode = value; url = SecretUrl(value, fieldPath); break;
                case "url_file": fileNode = value; break;
                case "max_alerts": maxAlerts = NonNegativeInt(value, fieldPath); break;
                case "timeout": timeout = Duration(value, fieldPath); break;
                case "send_resolved": sendResolved = Bool(value, fieldPath); break;
                default: break;
            }
        });
        if (urlNode is not null && fileNode is not null)
        {
            throw Error(path + ".url_file", fileNode, "at most one of url & url_file must be configured");
        }
        if (fileNode is not null)
        {
            url = SecretFile(fileNode, path + ".url_file");
        }
        if (url is null)
        {
            throw Error(path, node, "one of url or url_file must be configured");
        }
        return new WebhookReceiverConfig(url, maxAlerts, timeout, sendResolved, path);
    }

    // ---- inhibit rules ----

    private List<InhibitRule> ParseInhibitRules(YamlNode? node)
    {
        var rules = new List<InhibitRule>();
        foreach (var (item, path) in Items(node, "inhibit_rules"))
        {
            string? name = null;
            var source = new List<Matcher>();
            var target = new List<Matcher>();
            var equal = new List<string>();
            ForEachField(Mapping(item, path), path,
                ["name", "source_match", "source_match_re", "source_matchers", "target_match", "target_match_re", "target_matchers", "equal"], [],
                (key, value, fieldPath) =>
            {
                switch (key)
                {
                    case "name": name = Str(value, fieldPath); break;
                    case "source_match": source.AddRange(LegacyMatch(value, fieldPath, MatcherType.Equal)); break;
                    case "source_match_re": source.AddRange(LegacyMatch(value, fieldPath, MatcherType.Regex)); break;
                    case "source_matchers": source.AddRange(MatcherLines(value, fieldPath)); break;
                    case "target_match": target.AddRange(LegacyMatch(value, fieldPath, MatcherType.Equal)); break;
                    case "target_match_re": target.AddRange(LegacyMatch(value, fieldPath, MatcherType.Regex)); break;
                    case "target_matchers": target.AddRange(MatcherLines(value, fieldPath)); break;
                    case "equal":
                        foreach (var (n, p) in Items(value, fieldPath))
                        {
                            equal.Add(LabelName(n, p));
                        }
                        break;
                    default: break;
                }
            });
            rules.Add(new InhibitRule(name, source, target, equal, path));
        }
        return rules;
    }

    // ---- time intervals ----

    private void ParseTimeIntervals(YamlNode? node, string section, Dictionary<string, NamedTimeInterval> into)
    {
        foreach (var (item, path) in Items(node, section))
        {
            string? name = null;
            YamlNode? nameNode = null;
            var intervals = new List<TimeInterval>();
            ForEachField(Mapping(item, path), path, ["name", "time_intervals"], [], (key, value, fieldPath) =>
            {
                switch (key)
                {
                    case "name": nameNode = value; name = Str(value, fieldPath); break;
                    case "time_intervals": intervals.AddRange(Items(value, fieldPath).Select(x => ParseTimeInterval(x.Node, x.Path))); break;
                    default: break;
                }
            });
            if (string.IsNullOrEmpty(name))
            {
                throw Error(path + ".name", nameNode ?? item, "missing name in time interval");
            }
            if (!into.TryAdd(name, new NamedTimeInterval(name, intervals)))
            {
                throw Error(path + ".name", nameNode!, $"time interval \"{name}\" is not unique");
            }
        }
    }

    private TimeInterval ParseTimeInterval(YamlNode node, string path)
    {
        List<TimeRange>? times = null;
        List<InclusiveRange>? weekdays = null, days = null, months = null, years = null;
        var location = TimeZoneInfo.Utc;
        ForEachField(Mapping(node, path), path, ["times", "weekdays", "days_of_month", "months", "years", "location"], [], (key, value, fieldPath) =>
        {
            switch (key)
            {
                case "times":
                    times = [.. Items(value, fieldPath).Select(x => ParseTimeRange(x.Node, x.Path))];
                    break;
                case "weekdays": weekdays = Ranges(value, fieldPath, TimeIntervalSyntax.ParseWeekdays); break;
                case "days_of_month": days = Ranges(value, fieldPath, TimeIntervalSyntax.ParseDaysOfMonth); break;
                case "months": months = Ranges(value, fieldPath, TimeIntervalSyntax.ParseMonths); break;
                case "years": years = Ranges(value, fieldPath, TimeIntervalSyntax.ParseYears); break;
                case "location": location = Wrap(value, fieldPath, () => TimeIntervalSyntax.ParseLocation(Str(value, fieldPath))); break;
                default: break;
            }
        });
        return new TimeInterval { Times = times, Weekdays = weekdays, DaysOfMonth = days, Months = months, Years = years, Location = location };
    }

    private TimeRange ParseTimeRange(YamlNode node, string path)
    {
        string? start = null, end = null;
        ForEachField(Mapping(node, path), path, ["start_time", "end_time"], [], (key, value, fieldPath) =>
        {
            switch (key)
            {
                case "start_time": start = Str(value, fieldPath); break;
                case "end_time": end = Str(value, fieldPath); break;
                default: break;
            }
        });
        if (string.IsNullOrEmpty(start) || string.IsNullOrEmpty(end))
        {
            throw Error(path, node, "both start_time and end_time must be provided");
        }
        return Wrap(node, path, () => TimeIntervalSyntax.ParseTimeRange(start, end));
    }

    private List<InclusiveRange> Ranges(YamlNode node, string path, Func<string, InclusiveRange> parse) =>
        [.. Items(node, path).Select(x => Wrap(x.Node, x.Path, () => parse(Str(x.Node, x.Path))))];

    // ---- routes ----

    private sealed class RouteSpec
    {
        public required string Path { get; init; }
        public required YamlNode Node { get; init; }
        public string? Receiver { get; set; }
        public YamlNode? ReceiverNode { get; set; }
        public List<string>? GroupBy { get; set; }
        public bool GroupByAll { get; set; }
        public TimeSpan? GroupWait { get; set; }
        public TimeSpan? GroupInterval { get; set; }
        public TimeSpan? RepeatInterval { get; set; }
        public List<Matcher> Matchers { get; } = [];
        public string? MatchersPath { get; set; }
        public YamlNode? MatchersNode { get; set; }
        public bool Continue { get; set; }
        public List<string>? MuteTimeIntervals { get; set; }
        public YamlNode? MuteNode { get; set; }
        public List<string>? ActiveTimeIntervals { get; set; }
        public YamlNode? ActiveNode { get; set; }
        public List<RouteSpec> Routes { get; } = [];
    }

    private RouteSpec ParseRoute(YamlNode node, string path)
    {
        var spec = new RouteSpec { Path = path, Node = node };
        ForEachField(Mapping(node, path), path, RouteFields, [], (key, value, fieldPath) =>
        {
            switch (key)
            {
                case "receiver":
                    spec.ReceiverNode = value;
                    var receiver = Str(value, fieldPath);
                    spec.Receiver = receiver.Length == 0 ? null : receiver;
                    break;
                case "group_by": ParseGroupBy(spec, value, fieldPath); break;
                case "group_wait": spec.GroupWait = Duration(value, fieldPath); break;
                case "group_interval":
                    spec.GroupInterval = PositiveDuration(value, fieldPath, "group_interval cannot be zero");
                    break;
                case "repeat_interval":
                    spec.RepeatInterval = PositiveDuration(value, fieldPath, "repeat_interval cannot be zero");
                    break;
                case "match": AddMatchers(spec, LegacyMatch(value, fieldPath, MatcherType.Equal), value, fieldPath); break;
                case "match_re": AddMatchers(spec, LegacyMatch(value, fieldPath, MatcherType.Regex), value, fieldPath); break;
                case "matchers": AddMatchers(spec, MatcherLines(value, fieldPath), value, fieldPath); break;
                case "continue": spec.Continue = Bool(value, fieldPath); break;
                case "mute_time_intervals":
                    spec.MuteNode = value;
                    spec.MuteTimeIntervals = [.. Items(value, fieldPath).Select(x => Str(x.Node, x.Path))];
                    break;
                case "active_time_intervals":
                    spec.ActiveNode = value;
                    spec.ActiveTimeIntervals = [.. Items(value, fieldPath).Select(x => Str(x.Node, x.Path))];
                    break;
                case "routes":
                    spec.Routes.AddRange(Items(value, fieldPath).Select(x => ParseRoute(x.Node, x.Path)));
                    break;
                default: break;
            }
        });
        return spec;
    }

    private static void AddMatchers(RouteSpec spec, IEnumerable<Matcher> matchers, YamlNode node, string path)
    {
        var before = spec.Matchers.Count;
        spec.Matchers.AddRange(matchers);
        if (spec.Matchers.Count > before && spec.MatchersNode is null)
        {
            spec.MatchersNode = node;
            spec.MatchersPath = path;
        }
    }

    // As Alertmanager: '...' alone means group by all labels; an empty list (or only '...') leaves the inherited
    // group_by in place, because only named labels replace it.
    private void ParseGroupBy(RouteSpec spec, YamlNode node, string path)
    {
        var names = new List<string>();
        foreach (var (item, itemPath) in Items(node, path))
        {
            var name = Str(item, itemPath);
            if (name == "...")
            {
                spec.GroupByAll = true;
                continue;
            }
            if (!Matcher.IsValidLabelName(name))
            {
                throw Error(itemPath, item, $"invalid label name \"{name}\" in group_by list");
            }
            if (names.Contains(name))
            {
                throw Error(itemPath, item, $"duplicated label \"{name}\" in group_by");
            }
            names.Add(name);
        }
        if (names.Count > 0 && spec.GroupByAll)
        {
            throw Error(path, node, "cannot have wildcard group_by ('...') and other labels at the same time");
        }
        spec.GroupBy = names.Count > 0 ? names : null;
    }

    private static void CheckReferences(RouteSpec spec, HashSet<string> receivers, Dictionary<string, NamedTimeInterval> intervals)
    {
        foreach (var child in spec.Routes)
        {
            CheckReferences(child, receivers, intervals);
        }
        if (spec.Receiver is not null && !receivers.Contains(spec.Receiver))
        {
            throw Error(spec.Path + ".receiver", spec.ReceiverNode!, $"undefined receiver \"{spec.Receiver}\" used in route");
        }
        foreach (var (names, node, field) in new[]
        {
            (spec.ActiveTimeIntervals, spec.ActiveNode, "active_time_intervals"),
            (spec.MuteTimeIntervals, spec.MuteNode, "mute_time_intervals"),
        })
        {
            if (names is null)
            {
                continue;
            }
            var items = ((YamlSequenceNode)node!).Children;
            for (var i = 0; i < names.Count; i++)
            {
                if (!intervals.ContainsKey(names[i]))
                {
                    throw Error($"{spec.Path}.{field}[{i}]", items[i], $"undefined time interval \"{names[i]}\" used in route");
                }
            }
        }
    }

    private static Route Build(RouteSpec spec, Route? parent)
    {
        var inherited = parent?.Options ?? new RouteOptions(
            string.Empty, [], false, RouteOptions.DefaultGroupWait, RouteOptions.DefaultGroupInterval, RouteOptions.DefaultRepeatInterval, [], []);
        var groupBy = inherited.GroupBy;
        var groupByAll = inherited.GroupByAll;
        if (spec.GroupBy is not null)
        {
            groupBy = [.. spec.GroupBy.Order(StringComparer.Ordinal)];
            groupByAll = false;
        }
        else if (spec.GroupByAll)
        {
            groupByAll = true;
        }
        var options = new RouteOptions(
            spec.Receiver ?? inherited.Receiver,
            groupBy,
            groupByAll,
            spec.GroupWait ?? inherited.GroupWait,
            spec.GroupInterval ?? inherited.GroupInterval,
            spec.RepeatInterval ?? inherited.RepeatInterval,
            spec.MuteTimeIntervals ?? [],
            spec.ActiveTimeIntervals ?? []);
        var route = new Route(parent, options, spec.Matchers, spec.Continue, spec.Path);
        foreach (var child in spec.Routes)
        {
            route.Add(Build(child, route));
        }
        return route;
    }

    // ---- matchers ----

    private static List<Matcher> MatcherLines(YamlNode node, string path)
    {
        var result = new List<Matcher>();
        foreach (var (item, itemPath) in Items(node, path))
        {
            var text = Str(item, itemPath);
            result.AddRange(Wrap(item, itemPath, () => Matchers.ParseList(text)));
        }
        return result;
    }

    private static List<Matcher> LegacyMatch(YamlNode node, string path, MatcherType type)
    {
        var result = new List<Matcher>();
        if (IsNull(node))
        {
            return result;
        }
        foreach (var (keyNode, value) in Mapping(node, path).Children)
        {
            var name = Str(keyNode, path);
            var fieldPath = $"{path}.{name}";
            if (!Matcher.IsValidLabelName(name))
            {
                throw Error(fieldPath, keyNode, $"invalid label name \"{name}\"");
            }
            var text = Str(value, fieldPath);
            result.Add(Wrap(value, fieldPath, () => Matcher.Create(name, type, text)));
        }
        return result;
    }

    // ---- scalars and structure ----

    // Known fields go to the handler (an explicit null counts as absent, as in Go's YAML decoder); fields Alertmanager has
    // that we do not use are warned about; anything else is an error.
    private void ForEachField(YamlMappingNode mapping, string path, string[] known, string[] ignored, Action<string, YamlNode, string> handle)
    {
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = Str(keyNode, path);
            var fieldPath = path.Length == 0 ? key : $"{path}.{key}";
            if (known.Contains(key))
            {
                if (!IsNull(value))
                {
                    handle(key, value, fieldPath);
                }
                continue;
            }
            if (ignored.Contains(key))
            {
                _warnings.Add($"{fieldPath} (line {Line(keyNode)}): accepted for Alertmanager compatibility but not used");
                continue;
            }
            throw Error(fieldPath, keyNode, $"field {key} not found in {(path.Length == 0 ? "the configuration" : path)}");
        }
    }

    private static IEnumerable<(YamlNode Node, string Path)> Items(YamlNode? node, string path)
    {
        if (node is null || IsNull(node))
        {
            yield break;
        }
        if (node is not YamlSequenceNode sequence)
        {
            throw Error(path, node, "expected a list");
        }
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            yield return (sequence.Children[i], $"{path}[{i}]");
        }
    }

    private static YamlMappingNode Mapping(YamlNode node, string path) =>
        node as YamlMappingNode ?? throw Error(path, node, "expected a mapping of field: value");

    /// <summary>Refuses YAML nested deeper than <see cref="MaxNesting"/> or with more than <see cref="MaxAliases"/> aliases, before loading it.</summary>
    private static void CheckNestingAndAliases(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        var aliases = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart when ++depth > MaxNesting:
                    throw new AlertmanagerConfigException("(file)", (int)parser.Current.Start.Line, (int)parser.Current.Start.Column,
                        $"invalid YAML: nested more than {MaxNesting} levels deep");
                case AnchorAlias alias when ++aliases > MaxAliases:
                    throw new AlertmanagerConfigException("(file)", (int)alias.Start.Line, (int)alias.Start.Column,
                        $"invalid YAML: more than {MaxAliases} aliases");
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
                default:
                    break;
            }
        }
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string Str(YamlNode node, string path) =>
        node is YamlScalarNode scalar ? scalar.Value ?? string.Empty : throw Error(path, node, "expected a single value, not a list or mapping");

    private static bool Bool(YamlNode node, string path) => Str(node, path) switch
    {
        "true" or "True" or "TRUE" => true,
        "false" or "False" or "FALSE" => false,
        var other => throw Error(path, node, $"expected true or false, not \"{other}\""),
    };

    private static int NonNegativeInt(YamlNode node, string path)
    {
        var text = Str(node, path);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw Error(path, node, $"expected a non-negative integer, not \"{text}\"");
    }

    private static string LabelName(YamlNode node, string path)
    {
        var name = Str(node, path);
        return Matcher.IsValidLabelName(name) ? name : throw Error(path, node, $"invalid label name \"{name}\"");
    }

    private static TimeSpan Duration(YamlNode node, string path) =>
        PromDuration.TryParse(Str(node, path), out var d, out var error) ? d : throw Error(path, node, error);

    private static TimeSpan PositiveDuration(YamlNode node, string path, string zeroError)
    {
        var d = Duration(node, path);
        return d > TimeSpan.Zero ? d : throw Error(path, node, zeroError);
    }

    private static Uri HttpUrl(YamlNode node, string path)
    {
        var text = Str(node, path);
        return TryHttpUrl(text, out var uri, out var reason) ? uri : throw Error(path, node, $"\"{text}\" {reason}");
    }

    // The value is secret: say what is wrong without echoing it.
    private static Secret SecretUrl(YamlNode node, string path)
    {
        var text = Str(node, path);
        return TryHttpUrl(text, out _, out var reason) ? Secret.FromValue(text) : throw Error(path, node, $"the URL (value hidden) {reason}");
    }

    private Secret SecretFile(YamlNode node, string path)
    {
        var file = Str(node, path);
        if (file.Length == 0)
        {
            throw Error(path, node, "empty file name");
        }
        var full = Path.IsPathRooted(file) ? file : Path.Combine(baseDirectory, file);
        string contents;
        try
        {
            contents = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Error(path, node, $"cannot read secret file \"{full}\": {e.GetType().Name}");
        }
        contents = contents.TrimEnd('\n', '\r');
        if (contents.Length == 0)
        {
            throw Error(path, node, $"secret file \"{full}\" is empty");
        }
        if (path.EndsWith("url_file", StringComparison.Ordinal) && !TryHttpUrl(contents, out _, out var reason))
        {
            throw Error(path, node, $"the URL in \"{full}\" (value hidden) {reason}");
        }
        return Secret.FromFile(contents, full);
    }

    private static bool TryHttpUrl(string text, out Uri uri, out string reason)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out uri!))
        {
            reason = "is not an absolute URL";
            return false;
        }
        if (uri.Scheme is not ("http" or "https"))
        {
            reason = $"has unsupported scheme \"{uri.Scheme}\" (use http or https)";
            return false;
        }
        if (uri.Host.Length == 0)
        {
            reason = "has no host";
            return false;
        }
        reason = string.Empty;
        return true;
    }

    private static T Wrap<T>(YamlNode node, string path, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            throw Error(path, node, e.Message);
        }
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static AlertmanagerConfigException Error(string path, YamlNode node, string reason) =>
        new(path, (int)node.Start.Line, (int)node.Start.Column, reason);
}
