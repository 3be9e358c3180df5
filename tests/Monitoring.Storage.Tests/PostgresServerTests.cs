using Monitoring.Storage.Tests.Support;
using Xunit;

namespace Monitoring.Storage.Tests;

public sealed class PostgresServerTests
{
    [Fact]
    public void Missing_server_binaries_are_reported_with_the_package_to_install()
    {
        var empty = Path.Combine(Path.GetTempPath(), "no-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(empty);
        try
        {
            Assert.Null(PostgresServer.FindBinDirectory(Path.Combine(empty, "missing"), empty));
            Assert.Contains("apt-get install -y postgresql", PostgresServer.InstallHint, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void The_newest_installed_major_version_is_preferred()
    {
        var root = Path.Combine(Path.GetTempPath(), "pg-root-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var version in new[] { "13", "15", "9" })
            {
                var bin = Directory.CreateDirectory(Path.Combine(root, version, "bin")).FullName;
                File.WriteAllText(Path.Combine(bin, "initdb"), string.Empty);
                File.WriteAllText(Path.Combine(bin, "pg_ctl"), string.Empty);
            }

            Assert.Equal(Path.Combine(root, "15", "bin"), PostgresServer.FindBinDirectory(root, null));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
