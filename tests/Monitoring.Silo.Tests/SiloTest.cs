using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>Base of tests that share one real silo process per test class instance, in its own data directory.</summary>
public abstract class SiloTest : IAsyncLifetime
{
    protected string Data { get; } = Directory.CreateTempSubdirectory("monitoring-silo-").FullName;

    protected SiloProcess Silo { get; private set; } = null!;

    protected ApiClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Silo = await SiloProcess.StartAsync(Data);
        Api = new ApiClient(Silo.Api);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Silo.DisposeAsync();
        Directory.Delete(Data, recursive: true);
    }
}
