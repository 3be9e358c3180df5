using Xunit;

namespace Monitoring.Reports.Tests;

public class ReportsAssemblyTests
{
    [Fact]
    public void AssemblyIsNamedForComponentDiscovery() => Assert.Equal("Monitoring.Reports", ReportsAssembly.Name);
}
