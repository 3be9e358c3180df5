using Monitoring.Grains.Rollouts;
using Xunit;

namespace Monitoring.Grains.Tests;

/// <summary><see cref="RolloutOptions"/> validation: each problem names its setting.</summary>
public sealed class RolloutOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_read_a_week_of_hourly_windows_at_close()
    {
        var options = new RolloutOptions();
        Assert.Empty(options.Errors());
        Assert.Equal(168, options.WindowsAtClose);
        Assert.Equal(2, options.ClosesToChangeVerdict);
    }

    [Fact]
    public void Each_bad_setting_is_named()
    {
        var options = new RolloutOptions
        {
            WindowsAtClose = 0,
            ClosesToChangeVerdict = 0,
            Comparisons = [new RolloutComparison { Model = "churn", Baseline = "v3", Candidate = "v3" }],
        };
        var errors = options.Errors();
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Monitoring:Rollouts:ClosesToChangeVerdict must be between 1 and 100", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Monitoring:Rollouts:WindowsAtClose must be at least 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Monitoring:Rollouts:Comparisons:0:Model must be tenant/model", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Baseline and Candidate must be two different versions", StringComparison.Ordinal));
    }
}
