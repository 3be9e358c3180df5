using System.Text.Json;
using Monitoring.Stats.Slices;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Slices;

/// <summary>Per-slice prediction drift against scipy (chi2_contingency, jensenshannon) and numpy (Fixtures/generate_slice_fixtures.py).</summary>
public sealed class SlicePredictionDriftFixtureTests
{
    public static TheoryData<string> Cases => SliceFixtures.Names("slice_prediction_drift");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Family_MatchesScipy(string name)
    {
        var slices = SliceFixtures.Case("slice_prediction_drift", name).GetProperty("slices").EnumerateArray().ToArray();
        var results = SlicePredictionDrift.Compare(slices.Select(s => (Counts(s, "current"), (long[]?)Counts(s, "reference"))).ToArray());

        for (var i = 0; i < slices.Length; i++)
        {
            var s = slices[i];
            var r = results[i];
            var what = $"{name}[{i}]";
            Assert.Equal(Counts(s, "current").Sum(), r.Count);
            Assert.Equal(Counts(s, "reference").Sum(), r.ReferenceCount);
            s.StatisticOrNull("psi", r.Psi, what + " psi");
            s.StatisticOrNull("jensen_shannon", r.JensenShannon, what + " js");
            if (s.GetProperty("chi_square").ValueKind == JsonValueKind.Null)
            {
                Assert.Null(r.ChiSquare);
                Assert.Null(r.AdjustedPValue);
            }
            else
            {
                var chi = s.GetProperty("chi_square");
                Close.Statistic(chi.Double("statistic"), r.ChiSquare!.Value.Statistic, what + " chi2");
                Close.PValue(chi.Double("p_value"), r.ChiSquare.Value.PValue, what + " p");
                Assert.Equal(chi.GetProperty("dof").GetInt32(), r.ChiSquare.Value.DegreesOfFreedom);
                Close.PValue(s.Double("p_value_adjusted"), r.AdjustedPValue!.Value, what + " p_bh");
            }

            Assert.Equal(s.GetProperty("drifted").GetBoolean(), r.Decision.Drifted);
        }
    }

    [Fact]
    public void BinOf_IsSearchsortedLeftOverTheReliabilityEdges()
    {
        Assert.Equal(0, SlicePredictionDrift.BinOf(0.0));
        Assert.Equal(0, SlicePredictionDrift.BinOf(0.1));
        Assert.Equal(1, SlicePredictionDrift.BinOf(Math.BitIncrement(0.1)));
        Assert.Equal(8, SlicePredictionDrift.BinOf(0.9));
        Assert.Equal(9, SlicePredictionDrift.BinOf(1.0));
    }

    [Fact]
    public void NoReference_MakesNoCall_AndStaysOutOfTheFamily()
    {
        long[] shifted = [0, 0, 0, 0, 0, 0, 0, 0, 50, 50];
        long[] before = [50, 50, 0, 0, 0, 0, 0, 0, 0, 0];
        var alone = SlicePredictionDrift.Compare([(shifted, before)]);
        var withNew = SlicePredictionDrift.Compare([(shifted, before), (shifted, null)]);

        Assert.True(alone[0].Decision.Drifted);
        Assert.Equal(alone[0].AdjustedPValue, withNew[0].AdjustedPValue);
        Assert.False(withNew[1].Decision.Drifted);
        Assert.Equal(["no_reference"], withNew[1].Decision.Reasons);
    }

    private static long[] Counts(JsonElement slice, string property) =>
        slice.GetProperty(property).EnumerateArray().Select(x => x.GetInt64()).ToArray();
}
