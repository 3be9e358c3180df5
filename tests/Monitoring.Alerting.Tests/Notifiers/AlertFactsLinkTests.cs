using Monitoring.Alerting.Notifiers;
using Monitoring.Alerting.Tests.Support;
using Xunit;

namespace Monitoring.Alerting.Tests.Notifiers;

public sealed class AlertFactsLinkTests
{
    [Theory]
    [InlineData("https://m.example.com/api/models/default/credit/windows/2026-12-06T09%3A00%3A00Z", "https://m.example.com/models/default/credit/windows/2026-12-06T09%3A00%3A00Z")]
    [InlineData("https://m.example.com/api/models/default/credit/windows/2026-12-06T09%3A00%3A00Z/performance", "https://m.example.com/models/default/credit/windows/2026-12-06T09%3A00%3A00Z")]
    [InlineData("https://m.example.com/mon/api/models/t1/team%2Fscorer/windows/123", "https://m.example.com/mon/models/t1/team%2Fscorer/windows/123")]
    [InlineData("https://m.example.com/api/alerts", "https://m.example.com/rules")]
    [InlineData("https://m.example.com/api/models/default/churn/versions", "https://m.example.com/models/default/churn/versions")]
    [InlineData("https://m.example.com/api/models/default/credit", "https://m.example.com/api/models/default/credit")]
    [InlineData("https://m.example.com/api/models/default/credit/windows/1/features", "https://m.example.com/api/models/default/credit/windows/1/features")]
    [InlineData("https://m.example.com/api/models/default/credit/windows/1?x=1", "https://m.example.com/api/models/default/credit/windows/1?x=1")]
    [InlineData("https://runbooks.example.com/drift", "https://runbooks.example.com/drift")]
    [InlineData("", "")]
    [InlineData(null, null)]
    public void PageUrl_MapsJsonReportUrlsToTheirPages_AndLeavesOthers(string? url, string? page) =>
        Assert.Equal(page, AlertFacts.PageUrl(url));

    [Fact]
    public void ChartUrl_IsTheIncidentsChartUnderTheExternalUrl()
    {
        var alert = Alerts.Drift();
        Assert.Equal($"https://m.example.com/base/incidents/{alert.Incident!.Id}/chart.png", AlertFacts.ChartUrl(alert, "https://m.example.com/base/")!.AbsoluteUri);
        Assert.Null(AlertFacts.ChartUrl(Alerts.Drift(incident: null), "https://m.example.com"));
        Assert.Null(AlertFacts.ChartUrl(alert, "not a url"));
    }
}
