using System.Security.Cryptography;
using System.Text;
using Monitoring.Alerting.Labels;

namespace Monitoring.Alerting.Rules;

/// <summary>One alerting rule of a rule file, parsed and validated.</summary>
public sealed record AlertRule
{
    /// <summary>Group name.</summary>
    public required string Group { get; init; }

    /// <summary><c>alert</c>: the alert name (becomes the <c>alertname</c> label).</summary>
    public required string Name { get; init; }

    /// <summary>The parsed expression.</summary>
    public required RuleExpression Expression { get; init; }

    /// <summary><c>expr</c> as written.</summary>
    public required string ExpressionText { get; init; }

    /// <summary><c>for</c>: how long the condition must hold (across evaluations) before the alert fires.</summary>
    public TimeSpan For { get; init; }

    /// <summary><c>keep_firing_for</c>: how long a firing alert stays firing after its condition stops.</summary>
    public TimeSpan KeepFiringFor { get; init; }

    /// <summary><c>labels</c>: added to the series' labels (templated).</summary>
    public IReadOnlyList<KeyValuePair<string, AlertTemplate>> Labels { get; init; } = [];

    /// <summary><c>annotations</c> (templated).</summary>
    public IReadOnlyList<KeyValuePair<string, AlertTemplate>> Annotations { get; init; } = [];

    /// <summary>The group's <c>limit</c>: more alerts than this from one evaluation drops all of them (0 = no limit).</summary>
    public int Limit { get; init; }

    /// <summary>File the rule came from.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>Line of the rule in its file.</summary>
    public int Line { get; init; }

    /// <summary>
    /// Identity of the rule across reloads: group, name and a hash of what decides its alerts (expression, for,
    /// keep_firing_for, labels). A reload that changes none of them keeps the rule's pending and firing alerts, as
    /// Prometheus does for an unchanged rule.
    /// </summary>
    public string Key => _key ??= ComputeKey();

    private string? _key;
    private IReadOnlySet<Metrics.MetricSource>? _sources;

    private string ComputeKey()
    {
        var sb = new StringBuilder().Append(ExpressionText).Append('\n').Append(For.Ticks).Append('\n').Append(KeepFiringFor.Ticks);
        foreach (var (k, v) in Labels)
        {
            sb.Append('\n').Append(k).Append('=').Append(v.Source);
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..12];
        return $"{Group}/{Name}/{hash}";
    }

    /// <summary>The rule's metrics come from these report kinds.</summary>
    public IReadOnlySet<Metrics.MetricSource> Sources => _sources ??= Expression.Metrics.Select(m => m.Source).ToHashSet();
}

/// <summary>A group of rules.</summary>
/// <param name="Name">Group name (unique in its file).</param>
/// <param name="Rules">Its alerting rules, in file order.</param>
/// <param name="Source">File it came from.</param>
public sealed record RuleGroup(string Name, IReadOnlyList<AlertRule> Rules, string Source);

/// <summary>A problem in a rule file, with where it is.</summary>
/// <param name="Source">File name.</param>
/// <param name="Line">1-based line (0 when unknown).</param>
/// <param name="Column">1-based column.</param>
/// <param name="Field">Path of the field, e.g. <c>groups[0].rules[2].expr</c>.</param>
/// <param name="Message">The reason.</param>
public sealed record RuleFileError(string Source, int Line, int Column, string Field, string Message)
{
    /// <inheritdoc />
    public override string ToString() =>
        Line > 0 ? $"{Source}:{Line}:{Column}: {Field}: {Message}" : $"{Source}: {(Field.Length > 0 ? Field + ": " : string.Empty)}{Message}";
}

/// <summary>Thrown when rule files do not load; carries every error found.</summary>
public sealed class RuleFileException(IReadOnlyList<RuleFileError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
{
    /// <summary>All errors, in file order.</summary>
    public IReadOnlyList<RuleFileError> Errors { get; } = errors;
}
