using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Xunit;
using static Monitoring.Grains.Tests.TestModels;

namespace Monitoring.Grains.Tests.Limits;

/// <summary>
/// The limits that need a model's state, enforced by the grain before anything is logged: features per model and models
/// per tenant. The refused records come back in <see cref="AppendResult.Rejections"/> (the receiver turns them into
/// OTLP partial success) and leave no trace in the model.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ModelLimitsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_prediction_bringing_a_feature_past_the_model_limit_is_refused_and_the_rest_kept()
    {
        var (_, grain) = New(fixture, "features-");
        var at = ClusterFixture.Time.GetUtcNow();
        var limit = ClusterFixture.Limits.MaxFeaturesPerModel;
        ClusterFixture.Limits.MaxFeaturesPerModel = 3;
        try
        {
            var result = await grain.AppendAsync(
            [
                With(Prediction("p1", at, 0.1), "a", "b"), // x, a, b: 3 features
                With(Prediction("p2", at, 0.2), "a", "c"), // c would be the 4th
                With(Prediction("p3", at, 0.3), "a", "b"),
                Label("p1", at),
                With(Prediction("p4", at, 0.4), "d"),
            ]);

            Assert.Equal(3, result.Accepted);
            var refused = Assert.Single(result.Rejections!);
            Assert.Equal(AppendRejection.ModelFeatureLimit, refused.Reason);
            Assert.Equal(2, refused.Count);
            Assert.Equal(1, refused.FirstIndex);
            Assert.StartsWith("new feature 'c' would take model 'features-", refused.Message, StringComparison.Ordinal);
            Assert.EndsWith("' from 3 to 4 features, over the limit of 3 (Monitoring:Limits:MaxFeaturesPerModel)", refused.Message, StringComparison.Ordinal);

            var description = await grain.DescribeAsync();
            Assert.Equal(["a", "b", "ml.prediction.score", "x"], description.Schema.Select(f => f.Name).Order(StringComparer.Ordinal));
            Assert.Equal(2, description.Totals.Predictions);

            // Known features keep being accepted; a null value of an unknown feature tracks nothing and passes.
            var again = await grain.AppendAsync([With(Prediction("p5", at, 0.5), "b"), Prediction("p6", at, 0.6) with { Features = [new FeatureValue("x", 0.6, null), new FeatureValue("e", null, null)] }]);
            Assert.Equal(2, again.Accepted);
            Assert.Null(again.Rejections);
        }
        finally
        {
            ClusterFixture.Limits.MaxFeaturesPerModel = limit;
        }
    }

    [Fact]
    public async Task Records_of_a_new_model_past_the_tenant_limit_are_refused_and_existing_models_go_on()
    {
        var tenant = "limits-" + Guid.NewGuid().ToString("N")[..8];
        var at = ClusterFixture.Time.GetUtcNow();
        IModelGrain Model(string name) => fixture.Cluster.GrainFactory.GetGrain<IModelGrain>(new ModelKey(tenant, name).GrainKey);
        var limit = ClusterFixture.Limits.MaxModelsPerTenant;
        ClusterFixture.Limits.MaxModelsPerTenant = 2;
        try
        {
            Assert.Equal(1, (await Model("one").AppendAsync([Prediction("p1", at, 0.1)])).Accepted);
            Assert.Equal(1, (await Model("two").AppendAsync([Prediction("p1", at, 0.1)])).Accepted);

            var third = await Model("three").AppendAsync([Prediction("p1", at, 0.1), Label("p1", at)]);

            Assert.Equal(0, third.Accepted);
            var refused = Assert.Single(third.Rejections!);
            Assert.Equal((AppendRejection.ModelTenantLimit, 2, 1, 0), (refused.Reason, refused.Count, refused.Labels, refused.FirstIndex));
            Assert.Equal(
                $"model 'three' would be a new model of tenant '{tenant}', which has 2 models, the limit (Monitoring:Limits:MaxModelsPerTenant)",
                refused.Message);
            Assert.False(await Model("three").ExistsAsync());
            Assert.Equal(1, (await Model("one").AppendAsync([Prediction("p2", at, 0.2)])).Accepted);
            Assert.Null((await Model("two").AppendAsync([Prediction("p2", at, 0.2)])).Rejections);
        }
        finally
        {
            ClusterFixture.Limits.MaxModelsPerTenant = limit;
        }
    }

    private static ModelEvent With(ModelEvent e, params string[] features) =>
        e with { Features = [.. e.Features, .. features.Select(f => new FeatureValue(f, 1.0, null))] };

    private static ModelEvent Label(string predictionId, DateTimeOffset at) => new()
    {
        Kind = EventKind.Label,
        PredictionId = predictionId,
        EventTimeUnixNano = Nanos(at),
        ReceivedUnixNano = Nanos(at),
        LabelNumber = 1,
    };
}
