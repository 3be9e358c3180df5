using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Grains.Alerting;
using Xunit;

namespace Monitoring.Grains.Tests.Alerting;

public sealed class AlertingRuntimeTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rules-runtime-");

    public void Dispose() => _dir.Delete(true);

    private string Write(string name, string yaml, DateTime stamp)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, yaml);
        File.SetLastWriteTimeUtc(path, stamp); // a distinct write time, so the change is seen whatever the clock resolution
        return path;
    }

    [Fact]
    public void BadRuleFile_IsRejectedWithItsErrors_AndThePreviousRulesStayActive()
    {
        var t0 = new DateTime(2026, 12, 6, 0, 0, 0, DateTimeKind.Utc);
        Write("a.yml", "groups: [{name: g, rules: [{alert: A, expr: feature_psi > 0.2}]}]", t0);
        var runtime = new AlertingRuntime(new AlertingOptions { RulesPath = _dir.FullName }, "http://h", "unused", new FakeTimeProvider(), NullLogger<AlertingRuntime>.Instance);
        Assert.Equal(["A"], runtime.Rules.Rules.Select(r => r.Name));
        Assert.False(runtime.ReloadRules()); // unchanged files: nothing to do

        Write("a.yml", "groups: [{name: g, rules: [{alert: A, expr: feature_psy > 0.2}]}]", t0.AddSeconds(1));
        Assert.False(runtime.ReloadRules());
        var error = Assert.Single(runtime.RuleErrors);
        Assert.Contains("unknown metric \"feature_psy\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(["A"], runtime.Rules.Rules.Select(r => r.Name)); // last good rules in force
        Assert.Equal("feature_psi > 0.2", runtime.Rules.Rules.Single().ExpressionText);

        Write("a.yml", "groups: [{name: g, rules: [{alert: B, expr: window_volume < 10}]}]", t0.AddSeconds(2));
        Assert.True(runtime.ReloadRules());
        Assert.Empty(runtime.RuleErrors);
        Assert.Equal(["B"], runtime.Rules.Rules.Select(r => r.Name));
        Assert.Single(runtime.Evaluator.Rules);
    }

    [Fact]
    public void MissingRulesPath_IsReported_WithNoRules()
    {
        var runtime = new AlertingRuntime(new AlertingOptions { RulesPath = Path.Combine(_dir.FullName, "nope.yml") }, "http://h", "unused", new FakeTimeProvider(), NullLogger<AlertingRuntime>.Instance);
        Assert.Empty(runtime.Rules.Rules);
        Assert.Contains("no such file", Assert.Single(runtime.RuleErrors).Message, StringComparison.Ordinal);
    }
}
