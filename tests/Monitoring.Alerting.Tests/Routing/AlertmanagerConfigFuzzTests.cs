using CsCheck;
using Monitoring.Alerting.Routing;
using Monitoring.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Alerting.Tests.Routing;

/// <summary>
/// Property tests of the Alertmanager-configuration parser over the shipped test configurations mutated: truncated,
/// lines swapped, duplicated or replaced, fields renamed, random text and unicode inserted, deep nesting, huge strings,
/// anchors and aliases, durations and URLs broken. The property: it loads, or fails with an
/// <see cref="AlertmanagerConfigException"/> naming the field (what the silo logs, keeping the previous configuration);
/// anything else is a bug. A valid configuration must load with all its receivers. Inputs: see <see cref="FuzzRun"/>.
/// </summary>
public sealed class AlertmanagerConfigFuzzTests(ITestOutputHelper output)
{
    private const ulong Seed = 20261208;
    private const int Cases = 600;
    private const int FuzzTimeoutMs = 300_000;

    private static readonly string[] Fields =
    [
        "global:", "route:", "receiver:", "group_by:", "group_wait:", "group_interval:", "repeat_interval:", "routes:", "matchers:", "match:",
        "match_re:", "continue:", "receivers:", "name:", "webhook_configs:", "slack_configs:", "pagerduty_configs:", "url:", "api_url:",
        "routing_key:", "channel:", "send_resolved:", "max_alerts:", "inhibit_rules:", "source_matchers:", "target_matchers:", "equal:",
        "time_intervals:", "mute_time_intervals:", "active_time_intervals:", "times:", "weekdays:", "start_time:", "end_time:", "location:",
        "resolve_timeout:", "slack_api_url:", "slack_api_url_file:", "url_file:", "routing_key_file:", "severity:", "months:", "days_of_month:", "years:",
    ];

    private static readonly Gen<string> RandomText = Gen.Frequency(
        (4, Gen.String[Gen.Char.AlphaNumeric, 0, 20]),
        (2, Gen.String[Gen.Char[' ', '~'], 0, 20]),
        (2, Gen.String[Gen.Char, 0, 12]), // any UTF-16 unit, lone surrogates included
        (3, Gen.OneOf<string>(
            "0s", "-1m", "99999999999h", "1y", "5m30", "", "''", "\"\"", "[]", "{}", "~", "null", "true", "http://", "file:///etc/passwd", "ftp://x",
            "http://[::1", "'severity=~\"(\"'", "'a=~\"(a*)*b\"'", "'=\"x\"'", "00:00", "25:00", "monday:sunday", "-1", "1e999", "Mars/Olympus",
            "\t", "\u0000", "\uFEFF", "😀", "é", "&a", "*a", "!!binary", "!!int x", "? x", "- - -", "|", ">", "%YAML 1.2", "...")));

    private static readonly Gen<Func<string, string>> Mutation = Gen.Frequency(
        (3, Gen.Int[0, 1 << 20].Select(p => (Func<string, string>)(s => s[..(p % (s.Length + 1))]))),
        (3, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20]).Select(t => (Func<string, string>)(s => Lines(s, l => Swap(l, t.Item1, t.Item2))))),
        (2, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20]).Select(t => (Func<string, string>)(s => Lines(s, l => l.Insert(t.Item2 % (l.Count + 1), l.Count == 0 ? "" : l[t.Item1 % l.Count]))))),
        (4, Gen.Select(Gen.Int[0, 1 << 20], RandomText).Select(t => (Func<string, string>)(s => s.Insert(t.Item1 % (s.Length + 1), t.Item2)))),
        (4, Gen.Select(Gen.Int[0, 1 << 20], RandomText).Select(t => (Func<string, string>)(s => ReplaceValue(s, t.Item1, t.Item2)))),
        (3, Gen.Select(Gen.OneOf<string>(Fields), Gen.OneOf<string>(Fields)).Select(t => (Func<string, string>)(s => s.Replace(t.Item1, t.Item2, StringComparison.Ordinal)))),
        (1, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[1, 3000], Gen.Bool).Select(t => (Func<string, string>)(s => s.Insert(t.Item1 % (s.Length + 1), t.Item3 ? new string('[', t.Item2) : string.Concat(Enumerable.Repeat("{a: ", t.Item2)))))),
        (1, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[1_000, 200_000]).Select(t => (Func<string, string>)(s => ReplaceValue(s, t.Item1, new string('x', t.Item2))))),
        (1, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20]).Select(t => (Func<string, string>)(s => Lines(s, l => AnchorAndAlias(l, t.Item1, t.Item2))))));

    private static readonly Gen<string> MutatedConfig =
        from file in Gen.OneOf<string>("routing.yml", "minimal.yml", "files.yml")
        from mutations in Mutation.Array[1, 4]
        select mutations.Aggregate(File.ReadAllText(ConfigFiles.PathOf(file)), (text, mutate) => mutate(text));

    [Fact(Timeout = FuzzTimeoutMs)]
    public async Task Mutated_configurations_fail_only_with_AlertmanagerConfigException()
    {
        var directory = Path.GetDirectoryName(ConfigFiles.PathOf("routing.yml"));
        Assert.Equal(9, AlertmanagerConfig.Load(File.ReadAllText(ConfigFiles.PathOf("routing.yml")), directory).Receivers.Count);
        await Task.Run(() => FuzzRun.Run(MutatedConfig, "alertmanager config mutated", Cases, Seed, yaml =>
        {
            try
            {
                var config = AlertmanagerConfig.Load(yaml, directory);
                Assert.NotEmpty(config.Receivers);
            }
            catch (AlertmanagerConfigException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            }
        }, output.WriteLine));
    }

    // Regressions found by the property above.

    [Theory]
    [InlineData(": [\ns")]
    [InlineData("route:\n  receiver: slack\n  routes:\n    - matchers: [seve[[[[[[[[rity=page]\n      receiver: pd\n")]
    public void Yaml_the_reader_gives_up_on_is_a_config_error_not_an_InvalidOperationException(string yaml)
    {
        // Found by the fuzzer: YamlDotNet's scanner throws InvalidOperationException on an unclosed flow collection.
        var e = Assert.Throws<AlertmanagerConfigException>(() => AlertmanagerConfig.Load(yaml, null));

        Assert.StartsWith("invalid YAML: ", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Yaml_nested_past_the_limit_is_refused_before_loading_not_a_stack_overflow(int kind)
    {
        var depth = 1_000_000;
        var yaml = "route: " + (kind == 0 ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{a: ", depth)) + "x" + new string('}', depth));

        var e = Assert.Throws<AlertmanagerConfigException>(() => AlertmanagerConfig.Load(yaml, null));

        Assert.Equal($"invalid YAML: nested more than {AlertmanagerConfigParser.MaxNesting} levels deep", e.Reason);
    }

    [Fact]
    public void Yaml_with_more_aliases_than_the_limit_is_refused()
    {
        var yaml = "x: &a [1]\ny: [" + string.Join(", ", Enumerable.Repeat("*a", AlertmanagerConfigParser.MaxAliases + 1)) + "]\n";

        var e = Assert.Throws<AlertmanagerConfigException>(() => AlertmanagerConfig.Load(yaml, null));

        Assert.Equal($"invalid YAML: more than {AlertmanagerConfigParser.MaxAliases} aliases", e.Reason);
    }

    private static string Lines(string s, Action<List<string>> change)
    {
        var lines = s.Split('\n').ToList();
        change(lines);
        return string.Join('\n', lines);
    }

    private static void Swap(List<string> lines, int a, int b)
    {
        if (lines.Count > 1)
        {
            (lines[a % lines.Count], lines[b % lines.Count]) = (lines[b % lines.Count], lines[a % lines.Count]);
        }
    }

    /// <summary>Replaces what follows the n-th ": " with <paramref name="value"/> (a field's value).</summary>
    private static string ReplaceValue(string s, int n, string value)
    {
        var lines = s.Split('\n');
        var candidates = lines.Select((l, i) => (l, i)).Where(p => p.l.Contains(": ", StringComparison.Ordinal)).ToArray();
        if (candidates.Length == 0)
        {
            return s;
        }

        var (line, index) = candidates[n % candidates.Length];
        lines[index] = line[..(line.IndexOf(": ", StringComparison.Ordinal) + 2)] + value;
        return string.Join('\n', lines);
    }

    private static void AnchorAndAlias(List<string> lines, int a, int b)
    {
        var mappings = lines.Select((l, i) => (l, i)).Where(p => p.l.TrimEnd().EndsWith(':')).ToArray();
        if (mappings.Length == 0)
        {
            return;
        }

        var (line, index) = mappings[a % mappings.Length];
        lines[index] = line.TrimEnd() + " &x";
        var target = mappings[b % mappings.Length].i;
        lines[target] = lines[target].TrimEnd().TrimEnd('&', 'x', ' ') + " *x";
    }
}
