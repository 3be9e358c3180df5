using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Rollouts;

namespace Monitoring.Reports.Components.Versions;

/// <summary>A model's versions and the comparison of two of them (<c>/models/{tenant}/{model}/versions?baseline=&amp;candidate=</c>).</summary>
public sealed record VersionsPage
{
    /// <summary>Slices listed under the comparison, worst first.</summary>
    public const int WorstSlices = 10;

    /// <summary>Tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Model id.</summary>
    public required string Model { get; init; }

    /// <summary>The versions seen and the shadow pairing counts.</summary>
    public required ModelVersions Versions { get; init; }

    /// <summary>The baseline compared (chosen or defaulted), null with fewer than two versions.</summary>
    public string? Baseline { get; init; }

    /// <summary>The candidate compared.</summary>
    public string? Candidate { get; init; }

    /// <summary>The comparison and verdict, null with fewer than two versions.</summary>
    public VersionComparisonReport? Report { get; init; }

    /// <summary>
    /// The pair shown when none is asked for: the two versions seen most recently, the one that appeared first as
    /// baseline; null with fewer than two.
    /// </summary>
    public static (string Baseline, string Candidate)? DefaultPair(ModelVersions versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        if (versions.Versions.Length < 2)
        {
            return null;
        }

        var two = versions.Versions.Take(2).OrderBy(v => v.FirstUnixNano).ThenBy(v => v.Version, StringComparer.Ordinal).ToArray();
        return (two[0].Version, two[1].Version);
    }

    /// <summary>The slices to list: significant ones first, then by how much worse the candidate is.</summary>
    public IReadOnlyList<SliceDifference> Slices => Report is null ? [] :
        [.. Report.Slices.OrderByDescending(s => s.Significant).ThenByDescending(s => s.Degradation).Take(WorstSlices)];
}
