using Monitoring.Silo.Telemetry;
using Xunit;

namespace Monitoring.Silo.Tests.Telemetry;

/// <summary>The /metrics filter for keys bound to one tenant, on scrapes in both formats the exporter answers.</summary>
public sealed class TenantMetricsFilterTests
{
    private const string Text = """
        # TYPE monitoring_records_received_total counter
        # HELP monitoring_records_received_total Records received
        monitoring_records_received_total{protocol="grpc"} 620 1765000000000
        monitoring_records_received_total{protocol="http"} 40 1765000000000

        # TYPE monitoring_model_window_volume gauge
        # UNIT monitoring_model_window_volume {records}
        # HELP monitoring_model_window_volume Records in the window
        monitoring_model_window_volume{model="fraud",tenant="acme"} 20 1765000000000
        monitoring_model_window_volume{model="churn",tenant="globex"} 20 1765000000000
        monitoring_model_window_volume{model="fraud",tenant="acme-eu"} 7 1765000000000

        # TYPE monitoring_model_feature_psi gauge
        # HELP monitoring_model_feature_psi PSI
        monitoring_model_feature_psi{feature="age",model="churn",tenant="globex"} 0.3 1765000000000
        monitoring_model_feature_psi{feature="tenant=\"acme\"",model="churn",tenant="globex"} 0.1 1765000000000
        monitoring_model_feature_psi{model="x\",tenant=\"acme\"",tenant="globex"} 0.2 1765000000000

        # TYPE monitoring_ack_seconds histogram
        # HELP monitoring_ack_seconds Acknowledgement latency
        monitoring_ack_seconds_bucket{tenant="acme",le="0.1"} 3 1765000000000
        monitoring_ack_seconds_bucket{tenant="acme",le="+Inf"} 4 1765000000000
        monitoring_ack_seconds_sum{tenant="acme"} 0.2 1765000000000
        monitoring_ack_seconds_count{tenant="acme"} 4 1765000000000

        # TYPE target_info gauge
        target_info{service_name="monitoring-silo"} 1
        """;

    [Fact]
    public void A_tenant_gets_its_own_series_with_their_family_headers_and_nothing_else()
    {
        var filtered = TenantMetricsFilter.Filter(Text, "acme");

        Assert.Equal("""
            # TYPE monitoring_model_window_volume gauge
            # UNIT monitoring_model_window_volume {records}
            # HELP monitoring_model_window_volume Records in the window
            monitoring_model_window_volume{model="fraud",tenant="acme"} 20 1765000000000
            # TYPE monitoring_ack_seconds histogram
            # HELP monitoring_ack_seconds Acknowledgement latency
            monitoring_ack_seconds_bucket{tenant="acme",le="0.1"} 3 1765000000000
            monitoring_ack_seconds_bucket{tenant="acme",le="+Inf"} 4 1765000000000
            monitoring_ack_seconds_sum{tenant="acme"} 0.2 1765000000000
            monitoring_ack_seconds_count{tenant="acme"} 4 1765000000000

            """.ReplaceLineEndings("\n"), filtered);
    }

    [Fact]
    public void A_tenant_label_written_inside_another_labels_value_is_not_the_tenant()
    {
        var filtered = TenantMetricsFilter.Filter(Text, "globex");

        Assert.Contains("feature=\"tenant=\\\"acme\\\"\"", filtered, StringComparison.Ordinal);
        Assert.Contains("model=\"x\\\",tenant=\\\"acme\\\"\"", filtered, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant=\"acme\"}", TenantMetricsFilter.Filter(Text, "globex"), StringComparison.Ordinal);
        Assert.DoesNotContain("monitoring_model_feature_psi", TenantMetricsFilter.Filter(Text, "acme"), StringComparison.Ordinal);
    }

    [Fact]
    public void Process_wide_series_without_a_tenant_label_are_left_out()
    {
        foreach (var tenant in new[] { "acme", "globex", "default" })
        {
            var filtered = TenantMetricsFilter.Filter(Text, tenant);
            Assert.DoesNotContain("records_received", filtered, StringComparison.Ordinal);
            Assert.DoesNotContain("target_info", filtered, StringComparison.Ordinal);
        }

        Assert.Equal(string.Empty, TenantMetricsFilter.Filter(Text, "initech"));
    }

    [Fact]
    public void OpenMetrics_keeps_its_EOF_and_counter_families()
    {
        var openMetrics = """
            # TYPE monitoring_notifications counter
            # HELP monitoring_notifications Notifications sent
            monitoring_notifications_total{receiver="hook"} 1 1765000000.000
            monitoring_notifications_total{receiver="hook",tenant="acme"} 2 1765000000.000
            # TYPE monitoring_model_window_volume gauge
            monitoring_model_window_volume{tenant="globex",model="churn"} 20 1765000000.000
            # EOF
            """;

        Assert.Equal("""
            # TYPE monitoring_notifications counter
            # HELP monitoring_notifications Notifications sent
            monitoring_notifications_total{receiver="hook",tenant="acme"} 2 1765000000.000
            # EOF

            """.ReplaceLineEndings("\n"), TenantMetricsFilter.Filter(openMetrics, "acme"));
    }

    [Theory]
    [InlineData("m{tenant=\"acme\"} 1", true)]
    [InlineData("m{ tenant = \"acme\" , a=\"b\" } 1", true)]
    [InlineData("{\"m.name\",\"tenant\"=\"acme\"} 1", true)]
    [InlineData("m{tenant=\"acme\",tenant=\"globex\"} 1", false)]
    [InlineData("m{tenant=\"acme} 1", false)]
    [InlineData("m{tenant=acme} 1", false)]
    [InlineData("m 1", false)]
    [InlineData("m{a=\"tenant=\\\"acme\\\"\"} 1", false)]
    public void Only_a_well_formed_tenant_label_counts(string line, bool acme) =>
        Assert.Equal(acme, TenantMetricsFilter.TryReadLabel(line, "tenant", out var value) && value == "acme");
}
