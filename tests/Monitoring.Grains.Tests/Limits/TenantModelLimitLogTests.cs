using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Grains.Limits;
using Xunit;

namespace Monitoring.Grains.Tests.Limits;

/// <summary>The models-per-tenant warning: one line per tenant per minute, each saying what was refused since the last.</summary>
public sealed class TenantModelLimitLogTests
{
    [Fact]
    public void A_flood_of_new_models_writes_one_warning_per_tenant_per_minute_with_the_count_since_the_last()
    {
        var time = new FakeTimeProvider();
        var log = new TenantModelLimitLog(time);
        var logger = new ListLogger();

        log.Refused(logger, "acme", 100, 5);
        for (var i = 0; i < 1000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            log.Refused(logger, "acme", 100, 2);
        }

        log.Refused(logger, "globex", 3, 1); // another tenant has its own line
        time.Advance(TimeSpan.FromSeconds(10)); // 60 s after acme's first line
        log.Refused(logger, "acme", 100, 4);

        Assert.Equal(
        [
            "Warning 2005: Tenant acme has 100 models, the limit (Monitoring:Limits:MaxModelsPerTenant): 5 records of a new model refused; 0 more batches (0 records) refused since this line was last written (at most once a minute per tenant)",
            "Warning 2005: Tenant globex has 3 models, the limit (Monitoring:Limits:MaxModelsPerTenant): 1 records of a new model refused; 0 more batches (0 records) refused since this line was last written (at most once a minute per tenant)",
            "Warning 2005: Tenant acme has 100 models, the limit (Monitoring:Limits:MaxModelsPerTenant): 4 records of a new model refused; 1000 more batches (2000 records) refused since this line was last written (at most once a minute per tenant)",
        ], logger.Lines);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel} {eventId.Id}: {formatter(state, exception)}");
    }
}
