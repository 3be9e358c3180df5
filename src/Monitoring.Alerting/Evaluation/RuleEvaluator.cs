using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Rules;

namespace Monitoring.Alerting.Evaluation;

/// <summary>What happened to an alert at an evaluation.</summary>
public enum AlertChange
{
    /// <summary>Condition started holding; waiting for <c>for</c>.</summary>
    Pending,
    /// <summary>Started firing.</summary>
    Fired,
    /// <summary>Stopped firing.</summary>
    Resolved,
    /// <summary>Held firing by flap damping.</summary>
    StartedFlapping,
    /// <summary>Flap damping released it (it keeps its current state).</summary>
    StoppedFlapping,
}

/// <summary>One change of one alert at an evaluation.</summary>
/// <param name="Change">What happened.</param>
/// <param name="Alert">The alert after the change.</param>
/// <param name="Reason">Why, in words (e.g. "rule removed", "condition false for keep_firing_for 1h").</param>
public sealed record AlertTransition(AlertChange Change, AlertRecord Alert, string Reason);

/// <summary>How one rule's evaluation went.</summary>
/// <param name="RuleKey">Rule.</param>
/// <param name="Active">Pending and firing alerts after it.</param>
/// <param name="Error">Why it produced nothing (e.g. the group's limit), or null.</param>
public sealed record RuleHealth(string RuleKey, int Active, string? Error);

/// <summary>The outcome of one evaluation of one model.</summary>
/// <param name="Alerts">Every alert record of the model's rules after the evaluation (active, and resolved ones kept for flap damping).</param>
/// <param name="Transitions">Changes at this evaluation.</param>
/// <param name="Health">Per evaluated rule.</param>
public sealed record EvaluationResult(IReadOnlyList<AlertRecord> Alerts, IReadOnlyList<AlertTransition> Transitions, IReadOnlyList<RuleHealth> Health);

/// <summary>
/// Evaluates alerting rules over one model's latest samples with Prometheus' semantics (rules/alerting.go): a series
/// whose condition holds becomes pending at that evaluation and fires once it has held for <c>for</c> (immediately when
/// <c>for</c> is 0); a pending alert whose condition stops is dropped without a notification; a firing one resolves at
/// the first evaluation where its condition is false, or, with <c>keep_firing_for</c>, once it has been false that long.
/// A resolved series that becomes true again starts a new activation. Evaluations happen when the model's reports
/// change (a window closes; late labels change a window's performance): a rule is evaluated only when a report it reads
/// changed, over the latest report of each kind. Beyond Prometheus: flap damping (<see cref="FlapDamping"/>), and alerts
/// of rules that are removed or changed on reload are resolved, so their incidents close.
/// </summary>
public sealed class RuleEvaluator
{
    private readonly IReadOnlyList<AlertRule> _rules;
    private readonly string _externalUrl;
    private readonly FlapDamping _flap;
    private readonly Dictionary<(string, string), AlertRule[]> _rulesByModel = [];
    private readonly HashSet<string> _ruleKeys;

    /// <summary>Creates an evaluator for a rule set.</summary>
    public RuleEvaluator(IEnumerable<AlertRule> rules, string externalUrl, FlapDamping? flapDamping = null)
    {
        _rules = [.. rules];
        _externalUrl = externalUrl.TrimEnd('/');
        _flap = flapDamping ?? new FlapDamping();
        _ruleKeys = _rules.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The rules.</summary>
    public IReadOnlyList<AlertRule> Rules => _rules;

    /// <summary>
    /// Rules that can produce alerts for a model: some term's <c>tenant</c> and <c>model</c> matchers accept it
    /// (cached per model, so 10,000 rules over many models cost a lookup per evaluation).
    /// </summary>
    public IReadOnlyList<AlertRule> RulesFor(string tenant, string model)
    {
        lock (_rulesByModel)
        {
            if (!_rulesByModel.TryGetValue((tenant, model), out var list))
            {
                var labels = LabelSet.Of("tenant", tenant, "model", model);
                list = [.. _rules.Where(r => Terms(r.Expression).Any(t => t.Matchers.Where(m => m.Name is "tenant" or "model").ToList().MatchesAll(labels)))];
                _rulesByModel[(tenant, model)] = list;
            }
            return list;
        }
    }

    private static IEnumerable<ComparisonTerm> Terms(RuleExpression e) => e switch
    {
        ComparisonTerm t => [t],
        BinaryExpression b => Terms(b.Left).Concat(Terms(b.Right)),
        _ => [],
    };

    /// <summary>
    /// Evaluates the model's rules that read <paramref name="changed"/> at <paramref name="now"/>.
    /// </summary>
    /// <param name="tenant">Tenant.</param>
    /// <param name="model">Model.</param>
    /// <param name="latest">The model's latest sample set of each report kind.</param>
    /// <param name="changed">The report kind that changed (rules not reading it keep their state).</param>
    /// <param name="now">Evaluation time.</param>
    /// <param name="previous">The model's alert records from the last evaluation.</param>
    public EvaluationResult Evaluate(
        string tenant, string model, IReadOnlyDictionary<MetricSource, SampleSet> latest, MetricSource changed,
        DateTimeOffset now, IReadOnlyList<AlertRecord> previous)
    {
        var byMetric = new Dictionary<string, IReadOnlyList<Sample>>(StringComparer.Ordinal);
        foreach (var set in latest.Values)
        {
            foreach (var group in set.Samples.GroupBy(s => s.Metric, StringComparer.Ordinal))
            {
                byMetric[group.Key] = [.. group];
            }
        }
        IReadOnlyList<Sample> SamplesOf(string metric) => byMetric.TryGetValue(metric, out var list) ? list : [];

        var previousByRule = previous.GroupBy(a => a.RuleKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var alerts = new List<AlertRecord>();
        var transitions = new List<AlertTransition>();
        var health = new List<RuleHealth>();
        var evaluated = new HashSet<string>(StringComparer.Ordinal);

        foreach (var rule in RulesFor(tenant, model))
        {
            var ruleKey = rule.Key;
            var before = previousByRule.TryGetValue(ruleKey, out var list) ? list : [];
            if (!rule.Sources.Contains(changed))
            {
                alerts.AddRange(before);
                evaluated.Add(ruleKey);
                continue;
            }
            evaluated.Add(ruleKey);
            var (after, changes, error) = EvaluateRule(rule, SamplesOf, latest, now, before);
            alerts.AddRange(after);
            transitions.AddRange(changes);
            health.Add(new RuleHealth(ruleKey, after.Count(a => a.IsActive), error));
        }

        // Alerts of rules that are gone (removed, or changed so their key changed): resolve the firing ones once.
        foreach (var (ruleKey, records) in previousByRule)
        {
            if (evaluated.Contains(ruleKey))
            {
                continue;
            }
            foreach (var record in records.Where(r => r.State == AlertState.Firing))
            {
                var resolved = record with { State = AlertState.Inactive, ResolvedAt = now, Flapping = false };
                transitions.Add(new AlertTransition(AlertChange.Resolved, resolved,
                    _ruleKeys.Contains(ruleKey) ? "rule no longer selects this model" : "rule removed or changed"));
            }
        }
        return new EvaluationResult(alerts, transitions, health);
    }

    private (List<AlertRecord> After, List<AlertTransition> Changes, string? Error) EvaluateRule(
        AlertRule rule, Func<string, IReadOnlyList<Sample>> samplesOf, IReadOnlyDictionary<MetricSource, SampleSet> latest,
        DateTimeOffset now, List<AlertRecord> before)
    {
        var output = rule.Expression.Evaluate(samplesOf);
        var changes = new List<AlertTransition>();
        string? error = null;
        if (rule.Limit > 0 && output.Count > rule.Limit)
        {
            error = $"exceeded limit of {rule.Limit} with {output.Count} alerts";
            output.Clear();
        }
        var term = rule.Expression.FirstTerm;
        latest.TryGetValue(term.Metric.Source, out var sourceSet);

        var beforeByFingerprint = before.ToDictionary(a => a.Fingerprint, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var after = new List<AlertRecord>();
        foreach (var sample in output)
        {
            var labels = AlertLabels(rule, sample);
            var fingerprint = labels.FingerprintHex;
            if (!seen.Add(fingerprint))
            {
                continue; // two series that differ only in labels the rule overwrites: the first wins, as Prometheus reports a duplicate
            }
            var data = new TemplateData(sample.Labels, sample.Value, _externalUrl);
            var annotations = rule.Annotations.Select(a => new KeyValuePair<string, string>(a.Key, a.Value.Render(data)))
                .Where(a => a.Key != "runbook_url" || RuleFileParser.RunbookUrlProblem(a.Value) is null).ToList();
            var evidence = new AlertEvidence(term.Metric.Name, sample.Value, term.OperatorText, term.Threshold,
                sourceSet?.WindowStart, sourceSet?.WindowEnd, ReportUrl(sourceSet), sourceSet?.WorstSlices ?? []);
            var old = beforeByFingerprint.GetValueOrDefault(fingerprint);
            var history = Push(old, held: true);
            AlertRecord record;
            if (old is { IsActive: true })
            {
                record = old with
                {
                    Value = sample.Value,
                    KeepFiringSince = null,
                    AnnotationNames = [.. annotations.Select(a => a.Key)],
                    AnnotationValues = [.. annotations.Select(a => a.Value)],
                    Evidence = evidence,
                    History = history.Bits,
                    HistoryLength = history.Length,
                };
            }
            else
            {
                record = new AlertRecord
                {
                    RuleKey = rule.Key,
                    LabelNames = [.. labels.Names],
                    LabelValues = [.. labels.Select(p => p.Value)],
                    AnnotationNames = [.. annotations.Select(a => a.Key)],
                    AnnotationValues = [.. annotations.Select(a => a.Value)],
                    State = AlertState.Pending,
                    ActiveAt = now,
                    Value = sample.Value,
                    Evidence = evidence,
                    History = history.Bits,
                    HistoryLength = history.Length,
                    Flapping = old?.Flapping ?? false,
                };
                changes.Add(new AlertTransition(AlertChange.Pending, record, "condition holds"));
            }
            if (record.State == AlertState.Pending && now - record.ActiveAt >= rule.For)
            {
                record = record with { State = AlertState.Firing, FiredAt = now, ResolvedAt = null };
                changes.Add(new AlertTransition(AlertChange.Fired, record,
                    rule.For > TimeSpan.Zero ? $"condition held for {Time.PromDuration.Format(rule.For)}" : "condition holds"));
            }
            record = Damp(record, changes);
            after.Add(record);
        }

        foreach (var old in before)
        {
            if (seen.Contains(old.Fingerprint))
            {
                continue;
            }
            var history = Push(old, held: false);
            var record = old with { History = history.Bits, HistoryLength = history.Length };
            if (old.State == AlertState.Pending)
            {
                // A pending alert whose condition stops is dropped, never notified (kept only for its history).
                record = record with { State = AlertState.Inactive };
            }
            else if (old.State == AlertState.Firing)
            {
                var flapping = _flap.IsFlapping(record.History, record.HistoryLength);
                var since = old.KeepFiringSince ?? now;
                if (flapping)
                {
                    record = record with { KeepFiringSince = since };
                }
                else if (rule.KeepFiringFor > TimeSpan.Zero && now - since < rule.KeepFiringFor)
                {
                    record = record with { KeepFiringSince = since };
                }
                else
                {
                    record = record with { State = AlertState.Inactive, ResolvedAt = now, KeepFiringSince = null, Flapping = false };
                    changes.Add(new AlertTransition(AlertChange.Resolved, record,
                        rule.KeepFiringFor > TimeSpan.Zero ? $"condition false for keep_firing_for {Time.PromDuration.Format(rule.KeepFiringFor)}" : "condition false"));
                }
            }
            record = Damp(record, changes);
            // Keep an inactive record only while its history can still count towards flapping.
            if (record.IsActive || (_flap.Evaluations > 0 && HeldWithin(record, _flap.Evaluations)))
            {
                after.Add(record);
            }
        }
        return (after, changes, error);
    }

    private AlertRecord Damp(AlertRecord record, List<AlertTransition> changes)
    {
        var flapping = _flap.IsFlapping(record.History, record.HistoryLength);
        if (flapping && !record.Flapping && record.State == AlertState.Firing)
        {
            record = record with { Flapping = true };
            changes.Add(new AlertTransition(AlertChange.StartedFlapping, record,
                $"changed state {_flap.Changes(record.History, record.HistoryLength)} times in the last {_flap.Evaluations} evaluations"));
        }
        else if (!flapping && record.Flapping)
        {
            record = record with { Flapping = false };
            changes.Add(new AlertTransition(AlertChange.StoppedFlapping, record, "state changes back under the flapping threshold"));
        }
        return record;
    }

    private static bool HeldWithin(AlertRecord record, int evaluations)
    {
        var n = Math.Min(Math.Min(record.HistoryLength, evaluations), 64);
        var mask = n >= 64 ? ulong.MaxValue : (1UL << n) - 1;
        return (record.History & mask) != 0;
    }

    private static (ulong Bits, int Length) Push(AlertRecord? old, bool held) =>
        (((old?.History ?? 0) << 1) | (held ? 1UL : 0UL), Math.Min((old?.HistoryLength ?? 0) + 1, 64));

    private static LabelSet AlertLabels(AlertRule rule, Sample sample)
    {
        if (rule.Labels.Count == 0)
        {
            return sample.Labels.With("alertname", rule.Name);
        }
        var data = new TemplateData(sample.Labels, sample.Value, string.Empty);
        return sample.Labels.With(rule.Labels.Select(l => new KeyValuePair<string, string>(l.Key, l.Value.Render(data))))
            .With("alertname", rule.Name);
    }

    private string? ReportUrl(SampleSet? set)
    {
        if (set is null || string.IsNullOrEmpty(set.WindowStart))
        {
            return null;
        }
        if (set.Source == MetricSource.Rollout)
        {
            return $"{_externalUrl}/api/models/{Uri.EscapeDataString(set.Tenant)}/{Uri.EscapeDataString(set.Model)}/versions";
        }
        var path = $"/api/models/{Uri.EscapeDataString(set.Tenant)}/{Uri.EscapeDataString(set.Model)}/windows/{Uri.EscapeDataString(set.WindowStart)}";
        return _externalUrl + path + (set.Source == MetricSource.Performance ? "/performance" : string.Empty);
    }
}
