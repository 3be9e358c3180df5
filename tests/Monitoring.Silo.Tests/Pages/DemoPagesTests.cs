using System.Net;
using Xunit;

namespace Monitoring.Silo.Tests.Pages;

/// <summary><c>--demo</c> says where to look, and that address serves the overview with the demo's models.</summary>
public sealed class DemoPagesTests
{
    [Fact]
    public async Task Demo_LogsThePagesUrl_WhichServesTheOverview()
    {
        var data = Directory.CreateTempSubdirectory("monitoring-demo-pages-").FullName;
        try
        {
            await using var silo = await SiloProcess.StartAsync(data, switches: ["--demo"]);
            var url = $"http://127.0.0.1:{silo.Endpoints.Api}/";
            await silo.WaitForLineAsync($"Open {url} ");
            using var http = new HttpClient();
            using var response = await http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("<h1>Models</h1>", html, StringComparison.Ordinal);

            // The demo's first records arrive within the first export interval; the overview lists the model then.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!html.Contains("data-model=\"credit-risk\"", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
                html = await http.GetStringAsync(url);
            }

            Assert.Contains("data-model=\"credit-risk\"", html, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
