using System.Diagnostics;
using Monitoring.Silo.Auth;
using Monitoring.Silo.Hosting;
using Xunit;

namespace Monitoring.Silo.Tests.Auth;

/// <summary>When open mode may start, and the real silo refusing to start open on a non-loopback address.</summary>
public sealed class AuthStartupTests
{
    [Theory]
    [InlineData("open", false, "127.0.0.1", null, null)]
    [InlineData("open", false, "127.0.0.1", "localhost", null)]
    [InlineData("open", false, "0.0.0.0", null, "open is refused on the non-loopback address 0.0.0.0")]
    [InlineData("open", false, "127.0.0.1", "azure-table", "open is refused in cluster mode")]
    [InlineData("open", true, "0.0.0.0", "azure-table", null)]
    [InlineData("api-keys", false, "0.0.0.0", "azure-table", null)]
    [InlineData("keys", false, "127.0.0.1", null, "Mode: must be open or api-keys")]
    public void OpenMode_IsRefused_OffLoopbackOrInACluster_UnlessAllowed(string mode, bool allowOpen, string bind, string? cluster, string? error)
    {
        var options = new AuthOptions { Mode = mode, AllowOpen = allowOpen };
        var problem = options.Validate(new MonitoringHostOptions { BindAddress = bind }, cluster);

        if (error is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.Contains(error, problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("x-api-key", true)]
    [InlineData("cookie", false)]
    [InlineData("grpc-status", false)]
    [InlineData("bad header", false)]
    public void Header_MustBeAPlainHeaderName(string header, bool valid) =>
        Assert.Equal(valid, new AuthOptions { Mode = "api-keys", Header = header }.Validate(new MonitoringHostOptions(), null) is null);

    [Fact]
    public async Task Silo_OpenOnAllInterfaces_RefusesToStart_NamingTheSetting()
    {
        var data = Directory.CreateTempSubdirectory("monitoring-auth-open-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Monitoring.Silo.dll"));
            start.ArgumentList.Add($"--Monitoring:Host:DataDirectory={data}");
            start.ArgumentList.Add("--Monitoring:Host:BindAddress=0.0.0.0");
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

            Assert.Equal(2, process.ExitCode);
            Assert.Contains("Monitoring:Auth", await error, StringComparison.Ordinal);
            Assert.Contains("AllowOpen=true", await error, StringComparison.Ordinal);
            Assert.DoesNotContain("silo ready", await output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
