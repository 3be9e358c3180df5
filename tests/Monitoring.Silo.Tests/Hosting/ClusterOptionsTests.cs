using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Monitoring.Silo.Hosting;
using Xunit;

namespace Monitoring.Silo.Tests.Hosting;

/// <summary><c>Monitoring:Cluster</c> is validated at start: each mistake names its key, and no error shows the connection string.</summary>
public sealed class ClusterOptionsTests : IDisposable
{
    private const string Secret = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=c2VjcmV0LWtleQ==;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
    private readonly string _directory = Directory.CreateTempSubdirectory("monitoring-cluster-options-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (MonitoringClusterOptions Options, string? Error) Bind(string storage = "postgres", string bind = "127.0.0.1", params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>("Monitoring:Cluster:" + s.Key, s.Value)))
            .Build();
        var options = MonitoringClusterOptions.Bind(configuration, IPAddress.Parse(bind), storage, out var error);
        return (options, error);
    }

    [Fact]
    public void Defaults_AreLocalhost_WithMonitoringIds_AdvertisingTheBindAddress()
    {
        var (options, error) = Bind(storage: "sqlite", bind: "127.0.0.1");
        Assert.Null(error);
        Assert.False(options.IsAzureTable);
        Assert.Equal(("monitoring", "monitoring"), (options.ClusterId, options.ServiceId));
        Assert.Equal(IPAddress.Loopback, options.ResolvedAdvertisedAddress);
    }

    [Fact]
    public void AzureTable_ReadsTheConnectionStringFromItsFile()
    {
        var file = Path.Combine(_directory, "conn");
        File.WriteAllText(file, Secret + "\n");
        var (options, error) = Bind(settings: [("Mode", "azure-table"), ("AzureTableConnectionStringFile", file), ("AdvertisedAddress", "10.1.2.3")]);
        Assert.Null(error);
        Assert.Equal(Secret, options.ResolvedConnectionString);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), options.ResolvedAdvertisedAddress);
    }

    [Fact]
    public void AnyBindAddress_AdvertisesASpecificAddress()
    {
        var (options, error) = Bind(storage: "sqlite", bind: "0.0.0.0");
        Assert.True(error is not null || !options.ResolvedAdvertisedAddress.Equals(IPAddress.Any));
        Assert.True(error is null || error.Contains("Monitoring:Cluster:AdvertisedAddress", StringComparison.Ordinal), error);
    }

    [Theory]
    [InlineData("sqlite", "Mode=kubernetes", "Monitoring:Cluster:Mode")]
    [InlineData("sqlite", "Mode=azure-table|AzureTableConnectionString=" + Secret, "Monitoring:Host:StorageProvider=postgres")]
    [InlineData("postgres", "Mode=azure-table", "Monitoring:Cluster:AzureTableConnectionString")]
    [InlineData("postgres", "Mode=azure-table|AzureTableConnectionString=not a connection string hunter2", "is not an Azure Storage connection string")]
    [InlineData("postgres", "Mode=azure-table|AzureTableConnectionStringFile=/nonexistent/conn", "Monitoring:Cluster:AzureTableConnectionStringFile '/nonexistent/conn' cannot be read")]
    [InlineData("postgres", "Mode=azure-table|AzureTableConnectionString=" + Secret + "|AzureTableConnectionStringFile=/x", "not both")]
    [InlineData("sqlite", "ClusterId=has space", "Monitoring:Cluster:ClusterId")]
    [InlineData("sqlite", "ServiceId=", "Monitoring:Cluster:ServiceId")]
    [InlineData("sqlite", "AdvertisedAddress=0.0.0.0", "Monitoring:Cluster:AdvertisedAddress")]
    [InlineData("sqlite", "AdvertisedAddress=silo-1", "Monitoring:Cluster:AdvertisedAddress")]
    [InlineData("sqlite", "Kubernetes=true", "Monitoring:Cluster:Kubernetes needs Monitoring:Cluster:Mode=azure-table")]
    public void BadSettings_AreRefused_NamingTheKey_WithoutTheSecret(string storage, string settings, string expected)
    {
        var pairs = settings.Split('|').Select(s => s.Split('=', 2)).Select(p => (p[0], p[1])).ToArray();
        var (_, error) = Bind(storage, "127.0.0.1", pairs);
        Assert.NotNull(error);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LWtleQ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silo_InAzureTableModeOnSqlite_ExitsWith2_NamingTheStorageKey()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Monitoring.Silo.dll"));
        start.ArgumentList.Add("--Monitoring:Cluster:Mode=azure-table");
        start.ArgumentList.Add("--Monitoring:Cluster:AzureTableConnectionString=" + Secret);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Monitoring:Host:StorageProvider=postgres", await stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LWtleQ", await stderr + await stdout, StringComparison.Ordinal);
    }
}
