using Monitoring.Abstractions.Alerts;
using Monitoring.Alerting.Evaluation;
using Monitoring.Alerting.Slo;
using Xunit;

namespace Monitoring.Alerting.Tests.Slo;

public sealed class SloAlertsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    private static readonly SloSpec Spec = SloParser.Parse("""
        slos:
          - name: latency
            model: '{model="m"}'
            objective: 99
            sli: {latency: {threshold_ms: 100}}
            alerting:
              page:
                labels: {severity: page, team: risk}
                annotations:
                  summary: "{{ $labels.model }} burns its latency budget at {{ $value | printf \"%.1f\" }}x"
                  runbook_url: "{{ $externalURL }}/runbooks/latency-slo"
              ticket: {disable: true}
        """, "r.yml").Slos.Single();

    private static SloStatusView Status(bool pageFiring, bool ticketFiring = false) => new()
    {
        Slo = "latency", Tenant = "default", Model = "m", EvaluatedAt = T0, Objective = 0.99, ErrorBudgetRemaining = 0.4, PeriodEvents = 1000,
        Windows = [new SloWindowView("1h", 800, 1000, 0.2, 20)],
        Page = new SloDecisionView("page", false, pageFiring, pageFiring ? "1h AND 5m burn above 14.4" : "quiet", pageFiring ? 20 : null, pageFiring ? 14.4 : null),
        Ticket = new SloDecisionView("ticket", true, ticketFiring, "disabled", null, null),
    };

    [Fact]
    public void FiringPageDecision_IsAFiringAlert_WithTemplatedAnnotations_AndResolvesWhenItStops()
    {
        var (records, transitions) = SloAlerts.Evaluate(Spec, Status(true), [], T0, "http://h:8080");
        var alert = Assert.Single(records);
        Assert.Equal("{alertname=\"SLOBurnRate\", model=\"m\", severity=\"page\", slo=\"latency\", team=\"risk\", tenant=\"default\"}", alert.Labels.ToString());
        Assert.Equal("m burns its latency budget at 20.0x", alert.Annotations["summary"]);
        Assert.Equal("http://h:8080/runbooks/latency-slo", alert.Annotations["runbook_url"]);
        Assert.Equal(AlertChange.Fired, Assert.Single(transitions).Change);

        var (still, none) = SloAlerts.Evaluate(Spec, Status(true), records, T0.AddMinutes(1), "http://h:8080");
        Assert.Single(still);
        Assert.Empty(none); // still firing: no new transition

        var (after, resolved) = SloAlerts.Evaluate(Spec, Status(false), still, T0.AddMinutes(2), "http://h:8080");
        Assert.Empty(after);
        Assert.Equal(AlertChange.Resolved, Assert.Single(resolved).Change);
    }

    [Fact]
    public void DisabledAlert_NeverFires() =>
        Assert.Empty(SloAlerts.Evaluate(Spec, Status(false, ticketFiring: true) with { Ticket = new SloDecisionView("ticket", true, false, "disabled", null, null) }, [], T0, "http://h").Records);
}
