using Monitoring.Stats.Classification;
using Xunit;

namespace Monitoring.Stats.Tests.Classification;

/// <summary>The vectorised validity check of scores and labels reports the same first offender as the scalar loop.</summary>
public class BinaryLabelsValidationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(1000)]
    public void Valid_inputs_pass(int n)
    {
        var scores = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? 0.0 : (i % 3 == 1 ? 1.0 : i / (n + 1.0))).ToArray();
        var labels = Enumerable.Range(0, n).Select(i => i % 5 == 0 ? -0.0 : (double)(i % 2)).ToArray();
        BinaryLabels.Validate(scores, labels);
    }

    [Theory]
    [InlineData(double.NaN, 1.0, "scores")]
    [InlineData(-1e-300, 0.0, "scores")]
    [InlineData(1.0000000000000002, 0.0, "scores")]
    [InlineData(double.PositiveInfinity, 0.0, "scores")]
    [InlineData(0.5, 0.5, "labels")]
    [InlineData(0.5, double.NaN, "labels")]
    [InlineData(0.5, 2.0, "labels")]
    public void Invalid_inputs_throw_at_the_first_offender(double score, double label, string parameter)
    {
        foreach (var n in new[] { 1, 8, 17, 1000 })
        {
            foreach (var at in new[] { 0, n / 2, n - 1 })
            {
                var scores = Enumerable.Repeat(0.5, n).ToArray();
                var labels = Enumerable.Repeat(1.0, n).ToArray();
                scores[at] = score;
                labels[at] = label;
                var e = Assert.Throws<ArgumentOutOfRangeException>(() => BinaryLabels.Validate(scores, labels));
                Assert.Equal(parameter, e.ParamName);
                Assert.Contains($" {at} ", e.Message, StringComparison.Ordinal);
            }
        }
    }
}
