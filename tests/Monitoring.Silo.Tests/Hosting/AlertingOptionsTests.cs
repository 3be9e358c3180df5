using Microsoft.Extensions.Configuration;
using Monitoring.Silo.Alerting;
using Xunit;

namespace Monitoring.Silo.Tests.Hosting;

/// <summary><c>Monitoring:Alerting</c> is checked before the silo starts (Program exits with code 2 and the reason).</summary>
public sealed class AlertingOptionsTests
{
    private static string? Validate(params (string Key, string Value)[] settings) =>
        AlertingHosting.Validate(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>("Monitoring:Alerting:" + s.Key, s.Value)))
            .Build());

    [Fact]
    public void Defaults_AreValid()
    {
        Assert.Null(Validate());
        Assert.Null(Validate(("MaxConcurrentNotifications", "1")));
    }

    [Fact]
    public void MaxConcurrentNotifications_BelowOne_IsRefused_NamingTheKey()
    {
        Assert.Equal("Monitoring:Alerting:MaxConcurrentNotifications: must be at least 1 (was 0)", Validate(("MaxConcurrentNotifications", "0")));
    }

    [Fact]
    public void MaxConcurrentNotifications_NotANumber_IsRefused_NamingTheKey()
    {
        Assert.Contains("Monitoring:Alerting:MaxConcurrentNotifications", Validate(("MaxConcurrentNotifications", "many")), StringComparison.Ordinal);
    }
}
