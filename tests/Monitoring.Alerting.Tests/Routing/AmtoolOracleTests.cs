using System.Diagnostics;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Routing;
using Xunit;

namespace Monitoring.Alerting.Tests.Routing;

/// <summary>
/// Differential tests against Debian's Alertmanager 0.25 <c>amtool</c> (package prometheus-alertmanager), which runs
/// offline: <c>amtool config routes test</c> prints the receivers of the routes an alert matches, and
/// <c>amtool check-config</c> validates a file. The routing tree is the same file both read.
/// </summary>
public sealed class AmtoolOracleTests
{
    private const string Amtool = "/usr/bin/amtool";

    public static TheoryData<string[]> LabelSets => new()
    {
        new[] { "alertname", "X" },
        new[] { "severity", "page" },
        new[] { "severity", "page", "team", "ml" },
        new[] { "severity", "page", "team", "data", "model", "credit-risk" },
        new[] { "severity", "page", "team", "web" },
        new[] { "severity", "ticket", "team", "ml" },
        new[] { "severity", "ticket", "team", "web" },
        new[] { "model", "credit-risk" },
        new[] { "model", "credit-risk", "env", "prod" },
        new[] { "model", "credit-risk", "env", "prod", "feature", "age" },
        new[] { "model", "credit-risk", "env", "prod", "feature", "zip" },
        new[] { "model", "credit-risk", "region", "eu-west", "feature", "zip" },
        new[] { "model", "credit-risk", "env", "staging", "region", "us-east", "feature", "income" },
        new[] { "model", "credit-x", "region", "eu-north" },
        new[] { "model", "xcredit-risk" },
        new[] { "model", "CREDIT-risk", "severity", "page" },
    };

    private static string RequireAmtool()
    {
        if (!File.Exists(Amtool))
        {
            Assert.Fail($"{Amtool} is missing: these tests compare routing with Debian's Alertmanager. Run scripts/test.sh, which installs the prometheus-alertmanager package.");
        }
        return Amtool;
    }

    private static (int ExitCode, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo(RequireAmtool()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "amtool did not finish in 30 s");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Theory]
    [MemberData(nameof(LabelSets))]
    public void Receivers_OfRoutingFixture_MatchAmtoolConfigRoutesTest(string[] labels)
    {
        var file = ConfigFiles.PathOf("routing.yml");
        var ours = string.Join(",", AlertmanagerConfig.LoadFile(file).Route.Match(LabelSet.Of(labels)).Select(r => r.Options.Receiver));

        var args = new List<string> { "config", "routes", "test", $"--config.file={file}", $"--verify.receivers={ours}" };
        for (var i = 0; i < labels.Length; i += 2)
        {
            args.Add($"{labels[i]}={labels[i + 1]}");
        }
        var (exit, output) = Run([.. args]);

        Assert.Equal(ours, output.Split('\n')[0].Trim());
        Assert.Equal(0, exit);
    }

    [Theory]
    [InlineData("routing.yml")]
    [InlineData("files.yml")]
    [InlineData("minimal.yml")]
    public void ConfigsWeAccept_AmtoolCheckConfigAcceptsToo(string name)
    {
        var file = ConfigFiles.PathOf(name);
        AlertmanagerConfig.LoadFile(file);
        var (exit, output) = Run("check-config", file);
        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS", output);
    }

    [Theory]
    [InlineData("route:\n  group_wait: 5s\nreceivers:\n  - name: r\n")] // root without receiver
    [InlineData("route:\n  receiver: r\n  matchers: [a=b]\nreceivers:\n  - name: r\n")] // root with matchers
    [InlineData("route:\n  receiver: r\n  routes:\n    - receiver: nobody\nreceivers:\n  - name: r\n")] // undefined receiver
    [InlineData("route:\n  receiver: r\n  group_wiat: 5s\nreceivers:\n  - name: r\n")] // unknown field
    [InlineData("route:\n  receiver: r\n  group_wait: 5x\nreceivers:\n  - name: r\n")] // bad duration
    [InlineData("route:\n  receiver: r\nreceivers:\n  - name: r\n  - name: r\n")] // duplicate receiver
    [InlineData("route:\n  receiver: r\n  routes:\n    - active_time_intervals: [x]\nreceivers:\n  - name: r\n")] // undefined interval
    [InlineData("route:\n  receiver: r\n  group_by: ['...', a]\nreceivers:\n  - name: r\n")] // wildcard and labels
    [InlineData("route:\n  receiver: r\nreceivers:\n  - name: r\n    slack_configs:\n      - channel: x\n")] // no Slack URL
    [InlineData("route:\n  receiver: r\nreceivers:\n  - name: r\ntime_intervals:\n  - name: t\n    time_intervals:\n      - days_of_month: ['-1:5']\n")]
    public void ConfigsWeReject_AmtoolCheckConfigRejectsToo(string yaml)
    {
        Assert.Throws<AlertmanagerConfigException>(() => AlertmanagerConfig.Load(yaml, null));
        var file = Path.Combine(Path.GetTempPath(), $"am-invalid-{Guid.NewGuid():N}.yml");
        File.WriteAllText(file, yaml);
        try
        {
            var (exit, output) = Run("check-config", file);
            Assert.True(exit != 0, output);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
