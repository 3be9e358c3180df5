using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitoring.Silo.Hosting;
using Xunit;

namespace Monitoring.Silo.Tests.Hosting;

/// <summary>The console's switches, default log levels and banner text.</summary>
public sealed class SiloConsoleTests
{
    [Fact]
    public void ParseSwitches_TakesDemoAndVerboseOutOfTheArguments()
    {
        var (rest, demo, verbose) = SiloConsole.ParseSwitches(["--verbose", "--Monitoring:Host:ApiPort=9090", "--demo"]);
        Assert.Equal(["--Monitoring:Host:ApiPort=9090"], rest);
        Assert.True(demo);
        Assert.True(verbose);

        (rest, demo, verbose) = SiloConsole.ParseSwitches([]);
        Assert.Empty(rest);
        Assert.False(demo);
        Assert.False(verbose);
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information)] // "Request starting ..."
    [InlineData("Microsoft.AspNetCore.Routing.EndpointMiddleware", LogLevel.Information)]
    [InlineData("Microsoft.Hosting.Lifetime", LogLevel.Information)]
    [InlineData("Orleans.Runtime.SiloOptionsLogger", LogLevel.Information)]
    [InlineData("Monitoring.Grains.ModelGrain", LogLevel.Information)] // a line per window closed
    [InlineData("Monitoring.Ingest.Otlp.OtlpLogsIngestor", LogLevel.Debug)] // a line per export
    [InlineData("Monitoring.Storage.DurableEventLog", LogLevel.Information)]
    public void Quiet_HidesPerRequestAndStartupChatter_Verbose_BringsItBack(string category, LogLevel level)
    {
        Assert.False(Enabled(SiloConsole.LoggingDefaults(verbose: false), category, level));
        Assert.True(Enabled(SiloConsole.LoggingDefaults(verbose: true), category, level));
    }

    [Theory]
    [InlineData("Monitoring.Silo", LogLevel.Information)] // the banner
    [InlineData("Monitoring.Silo.Hosting.TotalsReporter", LogLevel.Information)]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Warning)]
    [InlineData("Orleans.Runtime.Silo", LogLevel.Warning)]
    [InlineData("Monitoring.Ingest.Otlp.OtlpLogsIngestor", LogLevel.Warning)]
    public void Quiet_KeepsTheBannerTotalsAndWarnings(string category, LogLevel level) =>
        Assert.True(Enabled(SiloConsole.LoggingDefaults(verbose: false), category, level));

    [Fact]
    public void LoggingDefaults_AreOverriddenByTheCommandLine() =>
        Assert.True(Enabled(SiloConsole.LoggingDefaults(verbose: false), "Orleans.Runtime.Silo", LogLevel.Information, "--Logging:LogLevel:Orleans=Information"));

    [Fact]
    public void DescribeStorage_OfPostgres_NamesHostAndDatabase_NeverThePassword()
    {
        var host = new MonitoringHostOptions
        {
            StorageProvider = "postgres",
            PostgresConnectionString = "Host=db.internal;Port=5433;Database=monitoring;Username=silo;Password=s3cr3t-Pa55",
        };
        var text = SiloConsole.DescribeStorage(host);
        Assert.Equal("host db.internal, port 5433, database monitoring", text);
        Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);
        Assert.DoesNotContain("silo", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeStorage_OfSqlite_IsTheDatabaseFile() =>
        Assert.Equal(Path.GetFullPath(Path.Combine("data", "monitoring.db")), SiloConsole.DescribeStorage(new MonitoringHostOptions()));

    [Theory]
    [InlineData("127.0.0.1", "loopback: this machine only")]
    [InlineData("::1", "loopback: this machine only")]
    [InlineData("0.0.0.0", "every network interface of this machine")]
    [InlineData("10.1.2.3", "the network of that address")]
    public void Reach_SaysWhoCanConnect(string bind, string expected) => Assert.Equal(expected, SiloConsole.Reach(bind));

    private static bool Enabled(IReadOnlyDictionary<string, string?> defaults, string category, LogLevel level, params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(defaults).AddCommandLine(args).Build();
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddProvider(new EnabledProvider()))
            .BuildServiceProvider();
        return services.GetRequiredService<ILoggerFactory>().CreateLogger(category).IsEnabled(level);
    }

    private sealed class EnabledProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ChannelLogger<EnabledProvider>();

        public void Dispose()
        {
        }
    }
}
