using Monitoring.Alerting.Incidents;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notify;
using Xunit;

namespace Monitoring.Alerting.Tests.Incidents;

public sealed class IncidentBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);
    private static readonly LabelSet Labels = LabelSet.Of("alertname", "FeatureDrift", "model", "m", "feature", "income");

    private static AlertSignal Signal(bool firing) =>
        new(Labels, LabelSet.Of("summary", "s"), T0, firing, false, new AlertEvidence("feature_psi", 0.31, ">", 0.25, "w0", "w1", null, []));

    [Fact]
    public void FiringAlert_OpensOneIncident_ItsResolveClosesIt()
    {
        var book = new IncidentBook();
        var opened = book.Apply(Signal(true), T0)!;
        Assert.Equal(IncidentState.Triggered, opened.State);
        Assert.Equal($"{Labels.FingerprintHex}-{T0.ToUnixTimeSeconds()}", opened.Id);
        Assert.Equal("feature_psi 0.31 > 0.25", opened.Timeline[0].Detail);
        Assert.Same(book.OpenFor(Labels.FingerprintHex)!.Id, book.Apply(Signal(true), T0.AddMinutes(1))!.Id);
        var resolved = book.Apply(Signal(false), T0.AddMinutes(2))!;
        Assert.Equal(IncidentState.Resolved, resolved.State);
        Assert.Equal("alert", resolved.ResolvedBy);
        Assert.Null(book.OpenFor(Labels.FingerprintHex));
        Assert.NotEqual(opened.Id, book.Apply(Signal(true), T0.AddMinutes(3))!.Id); // a new activation, a new incident
    }

    [Fact]
    public void Acknowledge_RecordsWho_AndIsIdempotent()
    {
        var book = new IncidentBook();
        var id = book.Apply(Signal(true), T0)!.Id;
        var acked = book.Acknowledge(id, "alice", T0.AddMinutes(5))!;
        Assert.Equal((IncidentState.Acknowledged, "alice"), (acked.State, acked.AcknowledgedBy));
        Assert.Equal(T0.AddMinutes(5), book.Acknowledge(id, "bob", T0.AddMinutes(6))!.AcknowledgedAt);
        Assert.Null(book.Acknowledge("nope", "x", T0));
    }

    [Fact]
    public void ResolvedByHand_WhileFiring_OpensNoNewIncidentUntilTheAlertResolves()
    {
        var book = new IncidentBook();
        var id = book.Apply(Signal(true), T0)!.Id;
        Assert.Equal("bob", book.Resolve(id, "bob", T0.AddMinutes(1))!.ResolvedBy);
        Assert.Null(book.Apply(Signal(true), T0.AddMinutes(2)));
        Assert.Null(book.Apply(Signal(false), T0.AddMinutes(3)));
        Assert.NotNull(book.Apply(Signal(true), T0.AddMinutes(4)));
    }

    [Fact]
    public void PersistedIncidents_Reload_WithTheirOpenState()
    {
        var book = new IncidentBook();
        var id = book.Apply(Signal(true), T0)!.Id;
        book.Acknowledge(id, "alice", T0);
        var json = System.Text.Json.JsonSerializer.Serialize(book.All.ToList());
        var reloaded = new IncidentBook(System.Text.Json.JsonSerializer.Deserialize<List<Incident>>(json));
        Assert.Equal(IncidentState.Acknowledged, reloaded.OpenFor(Labels.FingerprintHex)!.State);
        Assert.Equal(2, reloaded.Get(id)!.Timeline.Count);
    }

    [Fact]
    public void ResolvedIncidents_ArePruned_AfterRetention()
    {
        var book = new IncidentBook();
        book.Apply(Signal(true), T0);
        book.Apply(Signal(false), T0.AddMinutes(1));
        Assert.Equal(0, book.Prune(T0.AddDays(29)));
        Assert.Equal(1, book.Prune(T0.AddDays(31)));
        Assert.Empty(book.All);
    }
}
