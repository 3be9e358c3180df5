namespace Monitoring.Reports.Components.Alerting;

/// <summary>The loaded rules (<c>GET /api/rules</c> as JSON, <c>/rules</c> as a page).</summary>
/// <param name="Path">Rule file or directory.</param>
/// <param name="LoadedAt">When the rules in force were loaded.</param>
/// <param name="Errors">Load errors of the files (the previous good rules stay in force).</param>
/// <param name="Groups">Rule groups.</param>
/// <param name="Slos">SLOs.</param>
public sealed record RulesView(string Path, DateTimeOffset? LoadedAt, IReadOnlyList<string> Errors, IReadOnlyList<RuleGroupStatus> Groups, IReadOnlyList<SloRuleStatus> Slos);

/// <summary>A rule group.</summary>
/// <param name="Name">Group name.</param>
/// <param name="File">The file it came from.</param>
/// <param name="Rules">Its rules.</param>
public sealed record RuleGroupStatus(string Name, string File, IReadOnlyList<RuleStatus> Rules);

/// <summary>One loaded rule and its last evaluation.</summary>
/// <param name="Alert">Alert name.</param>
/// <param name="Key">Rule identity (group/name/hash), as alerts name it.</param>
/// <param name="Expr">Expression as written.</param>
/// <param name="For">Pending duration (Prometheus syntax).</param>
/// <param name="KeepFiringFor">Keep-firing duration.</param>
/// <param name="Labels">Label templates.</param>
/// <param name="Annotations">Annotation templates.</param>
/// <param name="EvaluatedOn">"window", "performance" or both.</param>
/// <param name="Line">Line in the file.</param>
/// <param name="LastEvaluation">When it was last evaluated.</param>
/// <param name="LastError">The last evaluation's error.</param>
public sealed record RuleStatus(
    string Alert, string Key, string Expr, string For, string KeepFiringFor, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations, string EvaluatedOn, int Line, DateTimeOffset? LastEvaluation, string? LastError);

/// <summary>One loaded SLO.</summary>
/// <param name="Name">SLO name.</param>
/// <param name="Objective">Objective in percent.</param>
/// <param name="Window">Period (Prometheus syntax).</param>
/// <param name="MinEvents">Events needed in the long window before it may alert.</param>
/// <param name="File">The file it came from.</param>
/// <param name="Line">Line in the file.</param>
public sealed record SloRuleStatus(string Name, decimal Objective, string Window, long MinEvents, string File, int Line);

/// <summary>The rules page: what is loaded and, per rule, its alerts now.</summary>
/// <param name="Rules">The loaded rules.</param>
/// <param name="Alerts">Pending and firing alerts of every model.</param>
public sealed record RulesPage(RulesView Rules, IReadOnlyList<Abstractions.Alerts.AlertView> Alerts);

/// <summary>The silences page.</summary>
/// <param name="Silences">Silences, newest first.</param>
public sealed record SilencesPage(IReadOnlyList<Abstractions.Alerts.SilenceView> Silences);
