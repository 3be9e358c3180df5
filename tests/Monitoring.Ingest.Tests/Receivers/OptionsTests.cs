using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitoring.Ingest.Tests.Support;
using Xunit;

namespace Monitoring.Ingest.Tests.Receivers;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_are_the_named_constants()
    {
        var options = Resolve(new Dictionary<string, string?>());
        Assert.Equal(20L * 1024 * 1024, options.MaxHttpBodyBytes);
        Assert.Equal(4 * 1024 * 1024, options.MaxGrpcMessageBytes);
        Assert.Equal(OtlpReceiverOptions.DefaultMaxConcurrentRequests, options.MaxConcurrentRequests);
        Assert.Equal(OtlpReceiverOptions.DefaultMaxAnyValueDepth, options.MaxAnyValueDepth);
        Assert.Equal(OtlpReceiverOptions.DefaultRetryAfterSeconds, options.RetryAfterSeconds);
    }

    [Fact]
    public void Options_bind_from_the_monitoring_otlp_section()
    {
        var options = Resolve(new Dictionary<string, string?>
        {
            ["Monitoring:Otlp:MaxHttpBodyBytes"] = "1000",
            ["Monitoring:Otlp:MaxGrpcMessageBytes"] = "2000",
            ["Monitoring:Otlp:MaxConcurrentRequests"] = "3",
            ["Monitoring:Otlp:MaxAnyValueDepth"] = "4",
            ["Monitoring:Otlp:RetryAfterSeconds"] = "5",
        });
        Assert.Equal(1000, options.MaxHttpBodyBytes);
        Assert.Equal(2000, options.MaxGrpcMessageBytes);
        Assert.Equal(3, options.MaxConcurrentRequests);
        Assert.Equal(4, options.MaxAnyValueDepth);
        Assert.Equal(5, options.RetryAfterSeconds);
    }

    [Fact]
    public async Task Invalid_options_fail_at_startup()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            OtlpTestServer.StartAsync(o => o.MaxConcurrentRequests = 0));
        Assert.Contains("MaxConcurrentRequests", error.Message, StringComparison.Ordinal);
    }

    private static OtlpReceiverOptions Resolve(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IEventSink>(new RecordingEventSink());
        services.AddOtlpReceivers(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<OtlpReceiverOptions>>().Value;
    }
}
