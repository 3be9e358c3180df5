namespace Monitoring.Alerting.Tests.Testing;

/// <summary>A temporary directory holding a rule test file and the files it names; deleted on dispose.</summary>
internal sealed class TestDirectory : IDisposable
{
    public TestDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rule-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Writes a file and returns its full path.</summary>
    public string Write(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, text);
        return file;
    }

    /// <summary>The shipped example files copied beside the tests.</summary>
    public static string Example(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Testing", "Examples", name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
