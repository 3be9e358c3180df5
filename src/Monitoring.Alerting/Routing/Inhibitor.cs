using Monitoring.Alerting.Labels;

namespace Monitoring.Alerting.Routing;

/// <summary>
/// One <c>inhibit_rules</c> entry: while a firing alert matches <see cref="SourceMatchers"/>, alerts matching
/// <see cref="TargetMatchers"/> with the same values of every <see cref="Equal"/> label are muted.
/// </summary>
/// <param name="Name">Optional rule name (Alertmanager 0.29+ <c>name</c>); null when unnamed.</param>
/// <param name="SourceMatchers">source_matchers plus legacy source_match / source_match_re.</param>
/// <param name="TargetMatchers">target_matchers plus legacy target_match / target_match_re.</param>
/// <param name="Equal">Labels whose values must be identical on source and target (missing equals empty).</param>
/// <param name="Path">Where the rule is in the configuration, e.g. <c>inhibit_rules[0]</c>.</param>
public sealed record InhibitRule(
    string? Name, IReadOnlyList<Matcher> SourceMatchers, IReadOnlyList<Matcher> TargetMatchers, IReadOnlyList<string> Equal, string Path);

/// <summary>An alert as inhibition sees it.</summary>
/// <param name="Labels">The alert's labels.</param>
/// <param name="Firing">False once resolved; resolved alerts never inhibit.</param>
public sealed record InhibitionCandidate(LabelSet Labels, bool Firing);

/// <summary>Why an alert is muted: the rule and the firing source alert that matched.</summary>
/// <param name="Rule">The inhibit rule.</param>
/// <param name="RuleIndex">Its index in <c>inhibit_rules</c>.</param>
/// <param name="Source">The source alert's labels.</param>
public sealed record Inhibition(InhibitRule Rule, int RuleIndex, LabelSet Source);

/// <summary>
/// Alertmanager's inhibition (inhibit/inhibit.go) over a snapshot of alerts: a target is muted by the first rule (in
/// configuration order) whose target matchers it matches and for which some <em>firing</em> source alert matches the
/// source matchers and agrees on every <c>equal</c> label (a missing label reads as empty). An alert that matches both
/// sides of a rule is not muted by sources that also match both sides, so such alerts cannot inhibit one another.
/// Sources are tried in the order given (Alertmanager's order is a map's, so unspecified).
/// </summary>
public sealed class Inhibitor
{
    private readonly IReadOnlyList<InhibitRule> _rules;
    private readonly List<LabelSet>[] _sources;

    /// <summary>Indexes the firing alerts that match each rule's source side.</summary>
    public Inhibitor(IReadOnlyList<InhibitRule> rules, IEnumerable<InhibitionCandidate> alerts)
    {
        _rules = rules;
        _sources = [.. rules.Select(_ => new List<LabelSet>())];
        foreach (var alert in alerts)
        {
            if (!alert.Firing)
            {
                continue;
            }
            for (var i = 0; i < rules.Count; i++)
            {
                if (rules[i].SourceMatchers.MatchesAll(alert.Labels))
                {
                    _sources[i].Add(alert.Labels);
                }
            }
        }
    }

    /// <summary>True when <paramref name="target"/> is inhibited.</summary>
    public bool Mutes(LabelSet target) => MutedBy(target) is not null;

    /// <summary>The rule and source alert that inhibit <paramref name="target"/>, or null when nothing does.</summary>
    public Inhibition? MutedBy(LabelSet target)
    {
        for (var i = 0; i < _rules.Count; i++)
        {
            var rule = _rules[i];
            if (!rule.TargetMatchers.MatchesAll(target))
            {
                continue;
            }
            var targetIsAlsoSource = rule.SourceMatchers.MatchesAll(target);
            foreach (var source in _sources[i])
            {
                if (rule.Equal.All(name => string.Equals(source[name], target[name], StringComparison.Ordinal)) &&
                    !(targetIsAlsoSource && rule.TargetMatchers.MatchesAll(source)))
                {
                    return new Inhibition(rule, i, source);
                }
            }
        }
        return null;
    }
}
