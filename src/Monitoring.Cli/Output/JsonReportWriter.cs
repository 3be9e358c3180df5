using System.Text.Json;
using Monitoring.Cli.Drift;
using Monitoring.Stats.Classification;

namespace Monitoring.Cli.Output;

/// <summary>
/// Writes a <see cref="DriftReport"/> as JSON in the documented shape (README, "monitoring drift"). Numbers are written
/// with round-trip precision; a value that is undefined or not finite is written as null.
/// </summary>
public static class JsonReportWriter
{
    /// <summary>Writes the report to <paramref name="stream"/>.</summary>
    public static void Write(DriftReport report, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("reference_rows", report.ReferenceRows);
        w.WriteNumber("current_rows", report.CurrentRows);
        w.WriteStartObject("drift_summary");
        w.WriteNumber("features", report.Features.Count);
        w.WriteNumber("drifted", report.Features.Count(f => f.Decision.Drifted));
        w.WriteString("numeric_method", report.Policy.NumericMethod);
        w.WriteString("categorical_method", report.Policy.CategoricalMethod);
        w.WriteNumber("minimum_sample_size", report.Policy.MinimumSampleSize);
        w.WriteString("p_value_adjustment", "benjamini_hochberg");
        w.WriteEndObject();
        w.WriteStartArray("features");
        foreach (var f in report.Features)
        {
            WriteFeature(w, f);
        }

        w.WriteEndArray();
        if (report.Classification is { } c)
        {
            WriteClassification(w, c);
        }

        w.WriteEndObject();
    }

    private static void WriteFeature(Utf8JsonWriter w, FeatureDrift f)
    {
        w.WriteStartObject();
        w.WriteString("name", f.Name);
        w.WriteString("kind", f.Kind == FeatureKind.Numeric ? "numeric" : "categorical");
        w.WriteStartObject("null_fraction");
        w.WriteNumber("reference", f.ReferenceNullFraction);
        w.WriteNumber("current", f.CurrentNullFraction);
        w.WriteEndObject();
        if (f.Numeric is { } n)
        {
            w.WriteNumber("reference_count", n.ReferenceCount);
            w.WriteNumber("current_count", n.CurrentCount);
            w.NumberOrNull("psi", n.Psi);
            w.NumberOrNull("jensen_shannon", n.JensenShannon);
            w.NumberOrNull("hellinger", n.Hellinger);
            w.WriteStartObject("ks");
            w.NumberOrNull("statistic", n.Ks.Statistic);
            w.NumberOrNull("p_value", n.Ks.PValue);
            w.NumberOrNull("p_value_adjusted", f.AdjustedPValue);
            w.WriteString("method", n.Ks.Method == Stats.Drift.KsPValueMethod.Exact ? "exact" : "asymptotic");
            w.WriteEndObject();
            w.NumberOrNull("wasserstein", n.Wasserstein);
            w.NumberOrNull("wasserstein_normalized", n.WassersteinNormalized);
            w.WriteStartArray("bin_edges");
            foreach (var e in n.Edges)
            {
                w.WriteNumberValue(e);
            }

            w.WriteEndArray();
        }
        else if (f.Categorical is { } c)
        {
            w.WriteNumber("reference_count", c.ReferenceTotal);
            w.WriteNumber("current_count", c.CurrentTotal);
            w.NumberOrNull("psi", c.Psi);
            w.NumberOrNull("jensen_shannon", c.JensenShannon);
            w.NumberOrNull("hellinger", c.Hellinger);
            w.WriteStartObject("chi_square");
            w.NumberOrNull("statistic", c.ChiSquare?.Statistic);
            w.NumberOrNull("p_value", c.ChiSquare?.PValue);
            w.NumberOrNull("p_value_adjusted", f.AdjustedPValue);
            w.WriteNumber("dof", c.ChiSquare?.DegreesOfFreedom ?? 0);
            w.WriteEndObject();
            Strings(w, "new_categories", c.NewCategories);
            Strings(w, "missing_categories", c.MissingCategories);
        }
        else
        {
            w.WriteNumber("reference_count", 0);
            w.WriteNumber("current_count", 0);
            foreach (var key in new[] { "psi", "jensen_shannon", "hellinger" })
            {
                w.WriteNull(key);
            }
        }

        w.WriteBoolean("drifted", f.Decision.Drifted);
        w.WriteString("method", f.Decision.Method);
        Strings(w, "drift_reasons", f.Decision.Reasons);
        w.WriteEndObject();
    }

    private static void WriteClassification(Utf8JsonWriter w, ClassificationSection section)
    {
        var m = section.Metrics;
        w.WriteStartObject("classification");
        w.WriteString("score_column", section.ScoreColumn);
        w.WriteString("label_column", section.LabelColumn);
        w.WriteNumber("count", m.Count);
        w.WriteNumber("positives", m.Positives);
        w.WriteNumber("skipped_rows", section.SkippedRows);
        w.NumberOrNull("auc", m.Auc);
        if (m.Auc is null)
        {
            w.WriteString("auc_undefined_reason", RocAuc.OneClassReason);
        }

        w.NumberOrNull("brier", m.Brier);
        w.NumberOrNull("log_loss", m.LogLoss);
        w.NumberOrNull("ece", m.Calibration.ExpectedCalibrationError);
        w.NumberOrNull("mce", m.Calibration.MaximumCalibrationError);
        w.NumberOrNull("accuracy", m.Accuracy);
        w.NumberOrNull("precision", m.Precision);
        w.NumberOrNull("recall", m.Recall);
        w.NumberOrNull("f1", m.F1);
        w.NumberOrNull("threshold", m.Threshold);
        w.WriteStartArray("reliability");
        foreach (var b in m.Calibration.Bins)
        {
            w.WriteStartObject();
            w.WriteNumber("bin", b.Bin);
            w.WriteNumber("lower", b.Lower);
            w.WriteNumber("upper", b.Upper);
            w.WriteNumber("count", b.Count);
            w.NumberOrNull("mean_predicted", b.MeanPredicted);
            w.NumberOrNull("fraction_positive", b.FractionPositive);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
