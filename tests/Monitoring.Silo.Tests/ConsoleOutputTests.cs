using System.Net;
using System.Text;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>What the real silo prints by default: the banner, and no per-request lines or Kestrel HTTP/2 warnings.</summary>
public sealed class ConsoleOutputTests : SiloTest
{
    [Fact]
    public async Task DefaultConsole_ShowsTheBanner_AndNoRequestLogsOrHttp2Warnings()
    {
        using var http = new HttpClient { BaseAddress = Silo.OtlpHttp };
        using var body = new StringContent("""{"resourceLogs":[]}""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/v1/logs", UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Api.GetJsonAsync("api/models");

        var output = Silo.Output;
        Assert.Contains("Monitoring silo ready: OTLP/gRPC 127.0.0.1:", output, StringComparison.Ordinal);
        Assert.Contains("Storage: sqlite " + Path.GetFullPath(Path.Combine(Data, "monitoring.db")), output, StringComparison.Ordinal);
        Assert.Contains("No authentication", output, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/2 is not enabled", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Request starting", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Orleans.Runtime.SiloOptionsLogger", output, StringComparison.Ordinal);
    }
}
