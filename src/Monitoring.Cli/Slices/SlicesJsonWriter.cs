using System.Text.Json;
using Monitoring.Cli.Output;
using Monitoring.Stats.Classification;
using Monitoring.Stats.Slices;

namespace Monitoring.Cli.Slices;

/// <summary>
/// Writes a <see cref="SlicesReport"/> as JSON in the documented shape (README, "monitoring slices"). Numbers are written
/// with round-trip precision; a value that is undefined or not finite is null.
/// </summary>
public static class SlicesJsonWriter
{
    /// <summary>Writes the report to <paramref name="stream"/>.</summary>
    public static void Write(SlicesReport report, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(report);
        var r = report.Report;
        var o = r.Options;
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("file", report.Path);
        w.WriteNumber("rows", report.Rows);
        w.WriteNumber("used_rows", r.Overall.Count);
        w.WriteNumber("skipped_rows", report.SkippedRows);
        w.WriteString("score_column", report.ScoreColumn);
        w.WriteString("label_column", report.LabelColumn);
        w.WriteStartArray("segments");
        foreach (var s in report.Segments)
        {
            w.WriteStringValue(s);
        }

        w.WriteEndArray();
        w.WriteNumber("threshold", report.Threshold);
        w.WriteString("metric", o.Metric.Name());
        w.WriteNumber("min_support", o.MinimumSupport);
        w.WriteNumber("values_per_dimension", o.ValuesPerDimension);
        w.WriteNumber("pair_dimensions", o.PairDimensions);
        w.WriteNumber("alpha", o.Alpha);
        w.WriteString("p_value_adjustment", "benjamini_hochberg");
        w.WritePropertyName("overall");
        WriteMetrics(w, r.Overall);
        w.WriteStartArray("dimensions");
        foreach (var d in r.Dimensions)
        {
            w.WriteStartObject();
            w.WriteString("name", d.Name);
            w.WriteNumber("volume", d.Volume);
            w.WriteNumber("other_values", d.OtherValues);
            w.WriteStartArray("slices");
            foreach (var s in d.Slices)
            {
                w.WriteStartObject();
                w.WriteString("value", s.Key.First.Value);
                w.WriteString("slice", s.Key.ToString());
                w.WritePropertyName("metrics");
                WriteMetrics(w, s.Metrics);
                WriteComparison(w, "comparison", s.Comparison);
                WriteComparison(w, "auc_comparison", s.AucComparison);
                if (report.PredictionDrift is { } drift)
                {
                    WriteDrift(w, drift.Slices[s.Key.ToString()]);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (report.PredictionDrift is { } predictionDrift)
        {
            WritePredictionDrift(w, predictionDrift);
        }

        w.WriteStartObject("worst_slices");
        w.WriteString("metric", r.Worst.Metric.Name());
        w.WriteString("ranking", "lower_confidence_bound_of_degradation");
        w.WriteNumber("evaluated", r.Worst.Evaluated);
        w.WriteNumber("explained_by_parent", r.Worst.ExplainedByParent);
        w.WriteStartArray("slices");
        foreach (var s in r.Worst.Slices)
        {
            w.WriteStartObject();
            w.WriteNumber("rank", s.Rank);
            w.WriteString("slice", s.Key.ToString());
            w.WriteStartArray("conditions");
            foreach (var c in s.Key.Conditions)
            {
                w.WriteStartObject();
                w.WriteString("dimension", c.Dimension);
                w.WriteString("value", c.Value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("count", s.Metrics.Count);
            w.WritePropertyName("metrics");
            WriteMetrics(w, s.Metrics);
            WriteComparison(w, "comparison", s.Comparison);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteMetrics(Utf8JsonWriter w, SliceMetrics m)
    {
        w.WriteStartObject();
        w.WriteNumber("count", m.Count);
        w.WriteNumber("positives", m.Positives);
        w.WriteNumber("true_positives", m.TruePositives);
        w.WriteNumber("false_positives", m.FalsePositives);
        w.WriteNumber("false_negatives", m.FalseNegatives);
        WriteRate(w, "accuracy", m.Accuracy);
        WriteRate(w, "error_rate", m.ErrorRate);
        WriteRate(w, "precision", m.Precision);
        WriteRate(w, "recall", m.Recall);
        WriteRate(w, "positive_rate", m.PositiveRate);
        WriteRate(w, "predicted_positive_rate", m.PredictedPositiveRate);
        w.NumberOrNull("f1", m.F1);
        w.NumberOrNull("brier", m.Brier);
        w.NumberOrNull("ece", m.ExpectedCalibrationError);
        WriteAuc(w, m.Auc);
        w.WriteEndObject();
    }

    private static void WriteRate(Utf8JsonWriter w, string name, RateEstimate rate)
    {
        w.WriteStartObject(name);
        w.NumberOrNull("value", rate.Value);
        w.NumberOrNull("lower", rate.Interval?.Lower);
        w.NumberOrNull("upper", rate.Interval?.Upper);
        w.WriteNumber("successes", rate.Successes);
        w.WriteNumber("trials", rate.Trials);
        w.WriteEndObject();
    }

    private static void WriteAuc(Utf8JsonWriter w, DeLongResult? auc)
    {
        if (auc is null)
        {
            w.WriteNull("auc");
            return;
        }

        var interval = auc.Interval();
        w.WriteStartObject("auc");
        w.NumberOrNull("value", auc.Auc);
        w.NumberOrNull("variance", auc.Variance);
        w.NumberOrNull("lower", interval?.Lower);
        w.NumberOrNull("upper", interval?.Upper);
        w.WriteString("interval", "delong");
        w.WriteEndObject();
    }

    private static void WriteComparison(Utf8JsonWriter w, string name, SliceComparison? c)
    {
        if (c is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        w.WriteString("metric", c.Metric.Name());
        w.NumberOrNull("slice_value", c.SliceValue);
        w.NumberOrNull("rest_value", c.RestValue);
        w.NumberOrNull("difference", c.Difference);
        w.NumberOrNull("degradation", c.Degradation);
        w.NumberOrNull("lower_bound", c.LowerBound);
        w.NumberOrNull("standard_error", c.StandardError);
        w.NumberOrNull("z", c.Z);
        w.NumberOrNull("p_value", c.PValue);
        w.NumberOrNull("p_value_adjusted", c.AdjustedPValue);
        w.WriteBoolean("significant", c.Significant);
        w.WriteEndObject();
    }

    private static void WritePredictionDrift(Utf8JsonWriter w, SlicePredictionDriftReport drift)
    {
        w.WriteStartObject("prediction_drift");
        w.WriteString("reference", drift.Path);
        w.WriteNumber("reference_rows", drift.Rows);
        w.WriteNumber("reference_scored_rows", drift.ScoredRows);
        w.WriteString("bins", "10 uniform score bins over [0, 1]");
        w.WriteString("method", Monitoring.Stats.Drift.DriftPolicy.Default.CategoricalMethod);
        w.WriteStartArray("drifted_slices");
        foreach (var (slice, result) in drift.Slices)
        {
            if (result.Decision.Drifted)
            {
                w.WriteStringValue(slice);
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteDrift(Utf8JsonWriter w, SliceDriftResult d)
    {
        w.WriteStartObject("prediction_drift");
        w.WriteNumber("count", d.Count);
        w.WriteNumber("reference_count", d.ReferenceCount);
        w.NumberOrNull("psi", d.Psi);
        w.NumberOrNull("jensen_shannon", d.JensenShannon);
        if (d.ChiSquare is { } chi)
        {
            w.WriteStartObject("chi_square");
            w.NumberOrNull("statistic", chi.Statistic);
            w.NumberOrNull("p_value", chi.PValue);
            w.NumberOrNull("p_value_adjusted", d.AdjustedPValue);
            w.WriteNumber("dof", chi.DegreesOfFreedom);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("chi_square");
        }

        w.WriteBoolean("drifted", d.Decision.Drifted);
        w.WriteStartArray("reasons");
        foreach (var reason in d.Decision.Reasons)
        {
            w.WriteStringValue(reason);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
