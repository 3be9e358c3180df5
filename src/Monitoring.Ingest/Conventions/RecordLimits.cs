using System.Globalization;
using Monitoring.Abstractions.Conventions;
using Monitoring.Abstractions.Limits;
using Monitoring.Ingest.Proto.Common;

namespace Monitoring.Ingest.Conventions;

/// <summary>
/// The per-record part of <see cref="LimitsOptions"/>: lengths of ids, names and string values, and features and segments
/// per record. Checked on the raw attributes before anything is copied out of them. The message names the field, its
/// size, the limit and the configuration key that sets it (never the whole offending value: it is cut to a prefix).
/// </summary>
internal static class RecordLimits
{
    /// <summary>The first limit the record breaks (its message, with <paramref name="reason"/> set), or null when none.</summary>
    public static string? Breach(LogRecordConverter.RecordFields fields, ResourceContext resource, LimitsOptions limits, out RejectReason reason)
    {
        // Ids are keys: the aggregation joins internal keys with U+001F, so a control character in an id could make one
        // record's id collide with another's derived key. No real id holds one.
        foreach (var (value, name, why) in new[]
        {
            (fields.ModelId ?? resource.ModelId, OtlpConventions.ModelId, RejectReason.ModelId),
            (fields.ModelVersion ?? resource.ModelVersion, OtlpConventions.ModelVersion, RejectReason.ModelVersion),
            (fields.PredictionId, OtlpConventions.PredictionId, RejectReason.PredictionId),
            (fields.RequestId, OtlpConventions.RequestId, RejectReason.RequestId),
        })
        {
            if (ControlCharacter(value, name) is { } control)
            {
                reason = why;
                return control;
            }
        }

        reason = RejectReason.TooLong;
        if (Length(fields.ModelId ?? resource.ModelId, OtlpConventions.ModelId, limits.MaxModelIdLength, nameof(LimitsOptions.MaxModelIdLength)) is { } modelId)
        {
            return modelId;
        }

        if (Length(fields.ModelVersion ?? resource.ModelVersion, OtlpConventions.ModelVersion, limits.MaxVersionLength, nameof(LimitsOptions.MaxVersionLength)) is { } version)
        {
            return version;
        }

        if ((Length(fields.PredictionId, OtlpConventions.PredictionId, limits.MaxIdLength, nameof(LimitsOptions.MaxIdLength))
            ?? Length(fields.RequestId, OtlpConventions.RequestId, limits.MaxIdLength, nameof(LimitsOptions.MaxIdLength))
            ?? Length(fields.PredictedClass, OtlpConventions.PredictedClass, limits.MaxValueLength, nameof(LimitsOptions.MaxValueLength))
            ?? Length(fields.LabelValue, OtlpConventions.LabelValue, limits.MaxValueLength, nameof(LimitsOptions.MaxValueLength))) is { } id)
        {
            return id;
        }

        if (Attributes(fields.Features, OtlpConventions.FeaturePrefix, "feature", limits.MaxFeaturesPerRecord, nameof(LimitsOptions.MaxFeaturesPerRecord), limits, ref reason) is { } feature)
        {
            return feature;
        }

        if (Attributes(fields.Segments, OtlpConventions.SegmentPrefix, "segment", limits.MaxSegmentsPerRecord, nameof(LimitsOptions.MaxSegmentsPerRecord), limits, ref reason) is { } segment)
        {
            return segment;
        }

        return null;
    }

    /// <summary>The message of a value over a length limit.</summary>
    public static string TooLongMessage(string what, int length, int limit, string setting) => string.Create(
        CultureInfo.InvariantCulture,
        $"{what} is {length} characters long, over the limit of {limit} ({LimitsOptions.Key(setting)})");

    private static string? ControlCharacter(AnyValue? value, string name)
    {
        if (value is not { ValueCase: AnyValue.ValueOneofCase.StringValue })
        {
            return null;
        }

        var text = value.StringValue;
        var at = text.AsSpan().IndexOfAnyInRange('\u0000', '\u001F');
        if (at < 0)
        {
            at = text.IndexOf('\u007F', StringComparison.Ordinal);
        }

        return at < 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"{name} contains the control character U+{(int)text[at]:X4} at position {at}; ids must be printable text");
    }

    private static string? Length(AnyValue? value, string name, int limit, string setting) =>
        value is { ValueCase: AnyValue.ValueOneofCase.StringValue } && value.StringValue.Length > limit
            ? TooLongMessage(name, value.StringValue.Length, limit, setting)
            : null;

    private static string? Attributes(
        List<KeyValue>? attributes, string prefix, string kind, int maxCount, string countSetting, LimitsOptions limits, ref RejectReason reason)
    {
        if (attributes is null)
        {
            return null;
        }

        if (attributes.Count > maxCount)
        {
            reason = kind == "feature" ? RejectReason.TooManyFeatures : RejectReason.TooManySegments;
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{attributes.Count} {prefix}* attributes, over the limit of {maxCount} per record ({LimitsOptions.Key(countSetting)})");
        }

        reason = RejectReason.TooLong;
        foreach (var attribute in attributes)
        {
            var nameLength = attribute.Key.Length - prefix.Length;
            if (nameLength > limits.MaxNameLength)
            {
                return TooLongMessage(
                    $"{kind} name {LogRecordConverter.Quote(attribute.Key.Substring(prefix.Length, Math.Min(nameLength, LogRecordConverter.MaxQuotedLength + 1)))}", nameLength, limits.MaxNameLength, nameof(LimitsOptions.MaxNameLength));
            }

            if (attribute.Value is { ValueCase: AnyValue.ValueOneofCase.StringValue } value && value.StringValue.Length > limits.MaxValueLength)
            {
                return TooLongMessage($"{LogRecordConverter.Quote(attribute.Key)} value", value.StringValue.Length, limits.MaxValueLength, nameof(LimitsOptions.MaxValueLength));
            }
        }

        return null;
    }
}
