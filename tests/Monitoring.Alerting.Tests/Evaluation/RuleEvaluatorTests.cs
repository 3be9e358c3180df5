using Monitoring.Alerting.Evaluation;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Rules;
using Xunit;

namespace Monitoring.Alerting.Tests.Evaluation;

public sealed class RuleEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    private static RuleEvaluator Evaluator(string rules, FlapDamping? flap = null) =>
        new(RuleFileParser.Parse(rules).Rules, "http://h:8080", flap ?? FlapDamping.Off);

    private static string Rule(string expr, string extra = "") => $$$"""
        groups:
          - name: g
            rules:
              - alert: Drift
                expr: {{{expr}}}
                labels: {severity: page}
                annotations:
                  summary: "{{ $labels.feature }} PSI {{ $value }}"
                  runbook_url: "{{ $externalURL }}/runbooks/feature-drift"
        {{{extra}}}
        """;

    private static Dictionary<MetricSource, SampleSet> Window(params (string Feature, double Psi)[] features) => new()
    {
        [MetricSource.Window] = new SampleSet("default", "m", MetricSource.Window, "2026-12-06T00:00:00Z", "2026-12-06T01:00:00Z", 0,
            [.. features.Select(f => new Sample("feature_psi", LabelSet.Of("tenant", "default", "model", "m", "feature", f.Feature), f.Psi)),
             new Sample("window_volume", LabelSet.Of("tenant", "default", "model", "m"), 1000)], []),
    };

    /// <summary>Runs evaluations one hour apart, feeding each one's records into the next.</summary>
    private static List<EvaluationResult> Run(RuleEvaluator evaluator, params Dictionary<MetricSource, SampleSet>[] evaluations)
    {
        var results = new List<EvaluationResult>();
        IReadOnlyList<AlertRecord> state = [];
        for (var i = 0; i < evaluations.Length; i++)
        {
            var r = evaluator.Evaluate("default", "m", evaluations[i], MetricSource.Window, T0.AddHours(i), state);
            results.Add(r);
            state = r.Alerts;
        }
        return results;
    }

    [Fact]
    public void For_TwoHours_PendsAtTheFirstTwoEvaluations_FiresAtTheThird()
    {
        var e = Evaluator(Rule("feature_psi > 0.2") .Replace("labels:", "for: 2h\n        labels:", StringComparison.Ordinal));
        var r = Run(e, Window(("income", 0.3)), Window(("income", 0.3)), Window(("income", 0.3)));
        Assert.Equal(AlertChange.Pending, Assert.Single(r[0].Transitions).Change);
        Assert.Empty(r[1].Transitions);
        Assert.Equal(AlertState.Pending, Assert.Single(r[1].Alerts).State);
        var fired = Assert.Single(r[2].Transitions);
        Assert.Equal(AlertChange.Fired, fired.Change);
        Assert.Equal(T0, fired.Alert.ActiveAt);
        Assert.Equal(T0.AddHours(2), fired.Alert.FiredAt);
    }

    [Fact]
    public void ForZero_FiresAtTheFirstEvaluation_WithTemplatedLabelsAndEvidence()
    {
        var r = Run(Evaluator(Rule("feature_psi{feature=~\"inc.*\"} > 0.2")), Window(("income", 0.25), ("age", 0.5)));
        Assert.Equal([AlertChange.Pending, AlertChange.Fired], r[0].Transitions.Select(t => t.Change));
        var alert = Assert.Single(r[0].Alerts);
        Assert.Equal("{alertname=\"Drift\", feature=\"income\", model=\"m\", severity=\"page\", tenant=\"default\"}", alert.Labels.ToString());
        Assert.Equal("income PSI 0.25", alert.Annotations["summary"]);
        Assert.Equal("http://h:8080/runbooks/feature-drift", alert.Annotations["runbook_url"]);
        Assert.Equal("feature_psi", alert.Evidence!.Metric);
        Assert.Equal(0.2, alert.Evidence.Threshold);
        Assert.Equal(">", alert.Evidence.Operator);
        Assert.Equal("http://h:8080/api/models/default/m/windows/2026-12-06T00%3A00%3A00Z", alert.Evidence.ReportUrl);
    }

    [Fact]
    public void PendingAlert_WhoseConditionStops_IsDroppedWithoutNotification()
    {
        var e = Evaluator(Rule("feature_psi > 0.2").Replace("labels:", "for: 2h\n        labels:", StringComparison.Ordinal));
        var r = Run(e, Window(("income", 0.3)), Window(("income", 0.1)));
        Assert.Empty(r[1].Transitions);
        Assert.DoesNotContain(r[1].Alerts, a => a.IsActive);
    }

    [Fact]
    public void FiringAlert_Resolves_AtTheFirstFalseEvaluation()
    {
        var r = Run(Evaluator(Rule("feature_psi > 0.2")), Window(("income", 0.3)), Window(("income", 0.1)));
        var resolved = Assert.Single(r[1].Transitions);
        Assert.Equal(AlertChange.Resolved, resolved.Change);
        Assert.Equal(T0.AddHours(1), resolved.Alert.ResolvedAt);
    }

    [Fact]
    public void KeepFiringFor_HoldsFiring_UntilFalseThatLong()
    {
        var e = Evaluator(Rule("feature_psi > 0.2").Replace("labels:", "keep_firing_for: 2h\n        labels:", StringComparison.Ordinal));
        var r = Run(e, Window(("income", 0.3)), Window(("income", 0.1)), Window(("income", 0.1)), Window(("income", 0.1)));
        Assert.Empty(r[1].Transitions); // false since 1h: held
        Assert.Empty(r[2].Transitions); // false for 1h (< 2h): held
        Assert.Equal(AlertChange.Resolved, Assert.Single(r[3].Transitions).Change); // false for 2h
    }

    [Fact]
    public void KeepFiringFor_Resets_WhenTheConditionReturns()
    {
        var e = Evaluator(Rule("feature_psi > 0.2").Replace("labels:", "keep_firing_for: 1h\n        labels:", StringComparison.Ordinal));
        var r = Run(e, Window(("income", 0.3)), Window(("income", 0.1)), Window(("income", 0.3)), Window(("income", 0.1)), Window(("income", 0.1)));
        Assert.All(r.Skip(1).Take(3), x => Assert.Empty(x.Transitions));
        Assert.Equal(AlertChange.Resolved, Assert.Single(r[4].Transitions).Change);
    }

    [Fact]
    public void FlapDamping_HoldsAFlappingAlertFiring_WithNoResolve()
    {
        var e = Evaluator(Rule("feature_psi > 0.2"), new FlapDamping(Evaluations: 10, MaxChanges: 3));
        var psi = new[] { 0.3, 0.1, 0.3, 0.1, 0.3, 0.1, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 };
        var r = Run(e, [.. psi.Select(p => Window(("income", p)))]);
        var changes = r.Select(x => string.Join(",", x.Transitions.Select(t => t.Change))).ToList();
        // 0: fire; 1: resolve (1 change); 2: fire again (2); 3: resolve (3); 4: 4 changes > 3 -> fires held as flapping.
        Assert.Equal("Pending,Fired", changes[0]);
        Assert.Equal("Resolved", changes[1]);
        Assert.Equal("Pending,Fired", changes[2]);
        Assert.Equal("Resolved", changes[3]);
        Assert.Equal("Pending,Fired,StartedFlapping", changes[4]);
        // Held firing while flapping: no resolve at 5 and 7, no re-fire at 6.
        Assert.All(r.Skip(5).Take(6), x => Assert.DoesNotContain(x.Transitions, t => t.Change is AlertChange.Resolved or AlertChange.Fired));
        Assert.True(r[7].Alerts.Single(a => a.IsActive).Flapping);
        // Once the last 10 evaluations hold no more than 3 changes, it resolves once.
        var resolvedAt = r.FindIndex(x => x.Transitions.Any(t => t.Change == AlertChange.Resolved && t.Alert.ResolvedAt > T0.AddHours(4)));
        // Changes happened between evaluations i-1 and i for i = 1..7. The span of evaluation k (k-9..k) holds those with
        // i >= k-8: at k = 12 that is i = 4..7 (4 changes, still > 3); at k = 13, i = 5..7 (3): released and resolved.
        Assert.Equal(13, resolvedAt);
    }

    [Fact]
    public void RemovedRule_ResolvesItsFiringAlerts()
    {
        var first = Run(Evaluator(Rule("feature_psi > 0.2")), Window(("income", 0.3)));
        var other = Evaluator(Rule("window_volume < 10"));
        var r = other.Evaluate("default", "m", Window(("income", 0.3)), MetricSource.Window, T0.AddHours(1), first[0].Alerts);
        var resolved = Assert.Single(r.Transitions);
        Assert.Equal(AlertChange.Resolved, resolved.Change);
        Assert.Equal("rule removed or changed", resolved.Reason);
    }

    [Fact]
    public void RuleOverAnotherSource_KeepsItsState_WhenThatSourceDidNotChange()
    {
        var e = Evaluator(Rule("feature_psi > 0.2"));
        var first = Run(e, Window(("income", 0.3)));
        var r = e.Evaluate("default", "m", Window(("income", 0.1)), MetricSource.Performance, T0.AddHours(1), first[0].Alerts);
        Assert.Empty(r.Transitions);
        Assert.Equal(AlertState.Firing, Assert.Single(r.Alerts).State);
    }

    [Fact]
    public void And_KeepsLeftSeries_WithAPartnerOnSharedLabels()
    {
        var e = Evaluator(Rule("feature_psi > 0.2 and window_volume > 500"));
        Assert.Single(Run(e, Window(("income", 0.3)))[0].Alerts);
        var none = Evaluator(Rule("feature_psi > 0.2 and window_volume > 5000"));
        Assert.Empty(Run(none, Window(("income", 0.3)))[0].Alerts);
    }

    [Fact]
    public void Or_AddsRightSeries_WithoutALeftPartner()
    {
        var e = Evaluator(Rule("feature_psi > 0.9 or window_volume > 500"));
        var alert = Assert.Single(Run(e, Window(("income", 0.3)))[0].Alerts);
        Assert.False(alert.Labels.Contains("feature"));
    }

    [Fact]
    public void RulesFor_SkipsRulesForOtherModels()
    {
        var e = Evaluator(Rule("feature_psi{model=\"other\"} > 0.2 or window_volume{tenant=\"t2\"} < 1"));
        Assert.Empty(e.RulesFor("default", "m"));
        Assert.Single(e.RulesFor("t2", "m"));
        Assert.Single(e.RulesFor("default", "other"));
    }

    [Fact]
    public void GroupLimit_Exceeded_DropsAllAlertsOfTheRule_AndSaysWhy()
    {
        var yaml = Rule("feature_psi > 0.2").Replace("    rules:", "    limit: 1\n    rules:", StringComparison.Ordinal);
        var r = Run(Evaluator(yaml), Window(("income", 0.3), ("age", 0.3)));
        Assert.Empty(r[0].Alerts);
        Assert.Equal("exceeded limit of 1 with 2 alerts", Assert.Single(r[0].Health).Error);
    }

    [Fact]
    public void Restart_WithPersistedRecords_NeitherForgetsPendingNorFiresEarly()
    {
        var e = Evaluator(Rule("feature_psi > 0.2").Replace("labels:", "for: 2h\n        labels:", StringComparison.Ordinal));
        var r0 = e.Evaluate("default", "m", Window(("income", 0.3)), MetricSource.Window, T0, []);
        // Round-trip the records as a grain would persist them (JSON), then evaluate with a new evaluator.
        var json = System.Text.Json.JsonSerializer.Serialize(r0.Alerts);
        var restored = System.Text.Json.JsonSerializer.Deserialize<List<AlertRecord>>(json)!;
        var e2 = Evaluator(Rule("feature_psi > 0.2").Replace("labels:", "for: 2h\n        labels:", StringComparison.Ordinal));
        var r1 = e2.Evaluate("default", "m", Window(("income", 0.3)), MetricSource.Window, T0.AddHours(1), restored);
        Assert.Empty(r1.Transitions);
        var r2 = e2.Evaluate("default", "m", Window(("income", 0.3)), MetricSource.Window, T0.AddHours(2), r1.Alerts);
        Assert.Equal(AlertChange.Fired, Assert.Single(r2.Transitions).Change);
    }
}
