using System.Globalization;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Limits;
using Monitoring.Aggregation.Schema;

namespace Monitoring.Aggregation.Limits;

/// <summary>
/// The features-per-model limit (<see cref="LimitsOptions.MaxFeaturesPerModel"/>), decided before a batch is logged: a
/// prediction that would bring a feature the model does not track yet into a model already tracking the limit is
/// refused whole (not logged, not folded), so a client sending ever-new feature names cannot grow the model's schema,
/// windows and reports without bound, while its predictions over known features keep being accepted. "Tracked" means in
/// the schema: a feature enters it with its first non-null value (as <c>WindowFolder</c> does). The model's outputs,
/// which the schema also holds (<c>ml.prediction.score</c>, <c>.value</c>, <c>.class</c>), are not features and do not
/// count. Labels carry no features and always pass.
/// </summary>
public static class FeatureAdmission
{
    /// <summary>Schema names of the model's outputs (folded like features, not counted as features).</summary>
    private static readonly string[] Outputs = ["ml.prediction.score", "ml.prediction.value", "ml.prediction.class"];

    /// <summary>
    /// Splits <paramref name="events"/> into those admitted (in order) and the refusal of the rest (null when none).
    /// New features of admitted predictions count against the limit for the predictions after them.
    /// </summary>
    public static (ModelEvent[] Admitted, AppendRejection? Refused) Admit(
        ModelEvent[] events, IReadOnlyDictionary<string, FeatureSchema> schema, int maxFeatures, string model)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(schema);
        var known = -1; // features in the schema, counted at the first new one
        HashSet<string>? added = null;
        List<ModelEvent>? admitted = null;
        var refused = 0;
        var firstRefused = -1;
        string? firstFeature = null;
        var tracked = 0;
        var freshCount = 0;
        for (var i = 0; i < events.Length; i++)
        {
            var e = events[i];
            var fresh = e.Kind == EventKind.Prediction ? NewFeatures(e, schema, added) : null;
            if (fresh is not null && known < 0)
            {
                known = Features(schema);
            }

            if (fresh is not null && known + (added?.Count ?? 0) + fresh.Count > maxFeatures)
            {
                if (refused++ == 0)
                {
                    firstRefused = i;
                    firstFeature = fresh[0];
                    tracked = known + (added?.Count ?? 0);
                    freshCount = fresh.Count;
                    admitted = new List<ModelEvent>(events.Length - 1);
                    admitted.AddRange(events.AsSpan(0, i));
                }

                continue;
            }

            if (fresh is not null)
            {
                added ??= new HashSet<string>(StringComparer.Ordinal);
                added.UnionWith(fresh);
            }

            admitted?.Add(e);
        }

        if (refused == 0)
        {
            return (events, null);
        }

        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"new feature '{Cut(firstFeature!)}' would take model '{Cut(model)}' from {tracked} to {tracked + freshCount} features, over the limit of {maxFeatures} ({LimitsOptions.Key(nameof(LimitsOptions.MaxFeaturesPerModel))})");
        return ([.. admitted!], new AppendRejection(AppendRejection.ModelFeatureLimit, refused, 0, firstRefused, message));
    }

    /// <summary>The new (untracked, non-null) feature names of a prediction, or null when it has none.</summary>
    private static List<string>? NewFeatures(ModelEvent e, IReadOnlyDictionary<string, FeatureSchema> schema, HashSet<string>? added)
    {
        List<string>? fresh = null;
        foreach (var f in e.Features)
        {
            if (!f.IsNull && !schema.ContainsKey(f.Name) && added?.Contains(f.Name) != true && fresh?.Contains(f.Name) != true)
            {
                (fresh ??= []).Add(f.Name);
            }
        }

        return fresh;
    }

    /// <summary>Features the schema holds (its entries but the outputs).</summary>
    public static int Features(IReadOnlyDictionary<string, FeatureSchema> schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var count = schema.Count;
        foreach (var output in Outputs)
        {
            if (schema.ContainsKey(output))
            {
                count--;
            }
        }

        return count;
    }

    private static string Cut(string value) => value.Length <= 64 ? value : value[..64] + "...";
}
