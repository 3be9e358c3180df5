using System.Globalization;
using Monitoring.Abstractions.Conventions;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Limits;
using Monitoring.Abstractions.Models;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Proto.Common;
using Monitoring.Ingest.Proto.Logs;
using Monitoring.Ingest.Proto.Resource;

namespace Monitoring.Ingest.Conventions;

/// <summary>Accepted records of one request grouped by model, and what was rejected.</summary>
/// <param name="Batches">One batch per model, in order of first appearance; records in request order.</param>
/// <param name="Accepted">Records converted.</param>
/// <param name="Rejected">Records that broke the conventions.</param>
/// <param name="ErrorMessage">The first few rejection reasons (<c>record 3: ...; record 9: ...</c>), or null when none.</param>
/// <param name="AcceptedLabels">How many of the accepted records are labels (the rest are predictions).</param>
/// <param name="RejectedByReason">Rejected records per <see cref="RejectReason"/> (indexed by its value), for the metrics.</param>
/// <param name="RecordNumbers">Per batch, the request-wide number of each of its records (for reasons the grain gives).</param>
internal sealed record ConvertedRequest(
    IReadOnlyList<EventBatch> Batches, int Accepted, int Rejected, string? ErrorMessage, int AcceptedLabels, int[] RejectedByReason,
    IReadOnlyList<int[]> RecordNumbers);

/// <summary>
/// Turns OTLP log records into <see cref="ModelEvent"/>s following the ML conventions (see <see cref="OtlpConventions"/>).
/// Pure: no I/O, no clock (arrival time is passed in). Each record is accepted or rejected on its own; a rejected record
/// gets one reason, the first rule it breaks.
/// </summary>
/// <remarks>
/// Rules: the kind comes from <c>event_name</c> (<c>ml.prediction</c>/<c>ml.label</c>) or <c>ml.event</c>
/// (<c>prediction</c>/<c>label</c>), which must agree when both are given. <c>ml.model.id</c> (non-empty string) and
/// <c>ml.model.version</c> (non-empty string, default "unversioned") come from the record, else the resource. Numbers
/// (score, value, latency, numeric features and labels) accept double or int attributes and must be finite; the score
/// must lie in [0, 1] and the latency be &gt;= 0. <c>ml.prediction.class</c> accepts string, int or bool (rendered
/// invariantly). A prediction needs a score, class or value; a label needs <c>ml.prediction.id</c> and
/// <c>ml.label.value</c>. Features: double/int are numbers, string/bool are text, an empty string or absent value is
/// null. Segments are non-empty strings. When a key repeats on a record, the last occurrence wins. Record numbers in
/// reasons count from 0 across the request, in resource, scope, record order. The per-record <see cref="LimitsOptions"/>
/// (lengths, features and segments per record) are checked right after the event type and tenant, before anything
/// is copied out of the record, so an oversized record costs no allocation beyond its decoding.
/// </remarks>
internal static class LogRecordConverter
{
    /// <summary>How many rejection reasons the error message names.</summary>
    public const int MaxReportedReasons = 5;

    /// <summary>Longest string value quoted in a reason; longer ones are cut.</summary>
    public const int MaxQuotedLength = 64;

    /// <summary>Distinct feature names a thread keeps for reuse (see <see cref="FeatureName"/>).</summary>
    private const int MaxCachedFeatureNames = 4096;

    /// <summary>The default limits.</summary>
    private static readonly LimitsOptions DefaultLimits = new();

    [ThreadStatic]
    private static Dictionary<string, string>? _threadFeatureNames;

    /// <summary>Converts a whole request under the default limits.</summary>
    public static ConvertedRequest Convert(ExportLogsServiceRequest request, string? tenantOverride, long receivedUnixNano) =>
        Convert(request, tenantOverride, receivedUnixNano, DefaultLimits);

    /// <summary>Converts a whole request.</summary>
    /// <param name="request">The decoded request.</param>
    /// <param name="tenantOverride">Tenant from the request header (already validated), or null to use <c>ml.tenant</c>.</param>
    /// <param name="receivedUnixNano">Arrival time: the event time of records without timestamps, and <see cref="ModelEvent.ReceivedUnixNano"/>.</param>
    /// <param name="limits">Per-record limits.</param>
    public static ConvertedRequest Convert(ExportLogsServiceRequest request, string? tenantOverride, long receivedUnixNano, LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);
        var groups = new Dictionary<ModelKey, List<ModelEvent>>();
        var numbers = new Dictionary<ModelKey, List<int>>();
        var order = new List<ModelKey>();
        var reasons = new List<string>(MaxReportedReasons);
        var accepted = 0;
        var acceptedLabels = 0;
        var rejected = 0;
        var rejectedByReason = new int[RejectReasons.Count];
        var index = 0;
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var resource = ResourceContext.From(resourceLogs.Resource, tenantOverride, limits.MaxTenantLength);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                foreach (var record in scopeLogs.LogRecords)
                {
                    if (TryConvert(record, resource, receivedUnixNano, limits, out var key, out var modelEvent, out var error, out var reason))
                    {
                        if (!groups.TryGetValue(key, out var events))
                        {
                            events = [];
                            groups.Add(key, events);
                            numbers.Add(key, []);
                            order.Add(key);
                        }

                        events.Add(modelEvent);
                        numbers[key].Add(index);
                        accepted++;
                        if (modelEvent.Kind == EventKind.Label)
                        {
                            acceptedLabels++;
                        }
                    }
                    else
                    {
                        if (reasons.Count < MaxReportedReasons)
                        {
                            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"record {index}: {error}"));
                        }

                        rejected++;
                        rejectedByReason[(int)reason]++;
                    }

                    index++;
                }
            }
        }

        var batches = new EventBatch[order.Count];
        var recordNumbers = new int[order.Count][];
        for (var i = 0; i < order.Count; i++)
        {
            batches[i] = new EventBatch(order[i], [.. groups[order[i]]]);
            recordNumbers[i] = [.. numbers[order[i]]];
        }

        return new ConvertedRequest(batches, accepted, rejected, FormatReasons(reasons, rejected), acceptedLabels, rejectedByReason, recordNumbers);
    }

    /// <summary>Joins rejection reasons as the error message: the first few, then how many more (null when none).</summary>
    public static string? FormatReasons(List<string> reasons, int rejected)
    {
        if (rejected == 0)
        {
            return null;
        }

        var message = string.Join("; ", reasons);
        return rejected > reasons.Count
            ? string.Create(CultureInfo.InvariantCulture, $"{message}; and {rejected - reasons.Count} more rejected")
            : message;
    }

    /// <summary>
    /// Converts one record; on failure <paramref name="error"/> says which rule it broke and <paramref name="reason"/>
    /// names the rule's field (a small fixed set, the <c>reason</c> attribute of the rejected-records metric).
    /// </summary>
    public static bool TryConvert(
        LogRecord record,
        ResourceContext resource,
        long receivedUnixNano,
        LimitsOptions limits,
        out ModelKey key,
        out ModelEvent modelEvent,
        out string error,
        out RejectReason reason)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(resource);
        key = default;
        modelEvent = null!;
        var fields = RecordFields.Collect(record);

        if (!TryGetKind(record.EventName, fields.Event, out var kind, out error))
        {
            reason = RejectReason.EventKind;
            return false;
        }

        if (resource.TenantError is not null)
        {
            error = resource.TenantError;
            reason = resource.TenantTooLong ? RejectReason.TooLong : RejectReason.Tenant;
            return false;
        }

        if (RecordLimits.Breach(fields, resource, limits, out reason) is { } breach)
        {
            error = breach;
            return false;
        }

        reason = RejectReason.ModelId;
        if (!TryGetNonEmptyString(fields.ModelId ?? resource.ModelId, OtlpConventions.ModelId, out var modelId, out error))
        {
            return false;
        }

        if (modelId is null)
        {
            error = "missing " + OtlpConventions.ModelId;
            return false;
        }

        // Each step names its field as the reason before it runs; the last one set is the one that failed.
        double? score = null, predictedValue = null, latencyMs = null, labelNumber = null;
        string? modelVersion = null, predictionId = null, requestId = null, predictedClass = null, labelText = null;
        FeatureValue[] features = [];
        SegmentValue[] segments = [];
        long eventTime = 0;
        if (!(Step(RejectReason.ModelVersion, out reason) && TryGetNonEmptyString(fields.ModelVersion ?? resource.ModelVersion, OtlpConventions.ModelVersion, out modelVersion, out error))
            || !(Step(RejectReason.PredictionId, out reason) && TryGetNonEmptyString(fields.PredictionId, OtlpConventions.PredictionId, out predictionId, out error))
            || !(Step(RejectReason.RequestId, out reason) && TryGetNonEmptyString(fields.RequestId, OtlpConventions.RequestId, out requestId, out error))
            || !(Step(RejectReason.Score, out reason) && TryGetNumber(fields.Score, OtlpConventions.Score, out score, out error))
            || !(Step(RejectReason.PredictedClass, out reason) && TryGetClass(fields.PredictedClass, out predictedClass, out error))
            || !(Step(RejectReason.PredictedValue, out reason) && TryGetNumber(fields.PredictedValue, OtlpConventions.PredictedValue, out predictedValue, out error))
            || !(Step(RejectReason.Latency, out reason) && TryGetNumber(fields.LatencyMs, OtlpConventions.LatencyMs, out latencyMs, out error))
            || !(Step(RejectReason.Label, out reason) && TryGetLabel(fields.LabelValue, out labelNumber, out labelText, out error))
            || !(Step(RejectReason.Feature, out reason) && TryGetFeatures(fields.Features, out features, out error))
            || !(Step(RejectReason.Segment, out reason) && TryGetSegments(fields.Segments, out segments, out error))
            || !(Step(RejectReason.EventTime, out reason) && TryGetEventTime(record, receivedUnixNano, out eventTime, out error)))
        {
            return false;
        }

        if (score is < 0 or > 1)
        {
            error = $"{OtlpConventions.Score} {FormatNumber(score.Value)} outside [0,1]";
            reason = RejectReason.Score;
            return false;
        }

        if (latencyMs < 0)
        {
            error = $"{OtlpConventions.LatencyMs} {FormatNumber(latencyMs.Value)} is negative";
            reason = RejectReason.Latency;
            return false;
        }

        if (kind == EventKind.Prediction && score is null && predictedClass is null && predictedValue is null)
        {
            error = $"prediction without {OtlpConventions.Score}, {OtlpConventions.PredictedClass} or {OtlpConventions.PredictedValue}";
            reason = RejectReason.NoOutput;
            return false;
        }

        if (kind == EventKind.Label && predictionId is null)
        {
            error = $"label without {OtlpConventions.PredictionId}";
            reason = RejectReason.PredictionId;
            return false;
        }

        if (kind == EventKind.Label && labelNumber is null && labelText is null)
        {
            error = $"label without {OtlpConventions.LabelValue}";
            reason = RejectReason.Label;
            return false;
        }

        key = new ModelKey(resource.Tenant, modelId);
        modelEvent = new ModelEvent
        {
            Kind = kind,
            PredictionId = predictionId,
            EventTimeUnixNano = eventTime,
            ModelVersion = modelVersion ?? OtlpConventions.DefaultModelVersion,
            Score = score,
            PredictedClass = predictedClass,
            PredictedValue = predictedValue,
            LatencyMs = latencyMs,
            Features = features,
            Segments = segments,
            LabelNumber = labelNumber,
            LabelText = labelText,
            Source = resource.Source,
            ReceivedUnixNano = receivedUnixNano,
            RequestId = kind == EventKind.Prediction ? requestId : null,
        };
        error = string.Empty;
        return true;
    }

    private static bool Step(RejectReason next, out RejectReason reason)
    {
        reason = next;
        return true;
    }

    /// <summary>Whether a tenant name is usable in a <see cref="ModelKey"/>: non-empty, no '/'.</summary>
    public static bool IsValidTenant(string? tenant) =>
        !string.IsNullOrEmpty(tenant) && !tenant.Contains('/', StringComparison.Ordinal);

    private static bool TryGetKind(string eventName, AnyValue? eventAttribute, out EventKind kind, out string error)
    {
        EventKind? fromName = eventName switch
        {
            OtlpConventions.PredictionEventName => EventKind.Prediction,
            OtlpConventions.LabelEventName => EventKind.Label,
            _ => null,
        };

        EventKind? fromAttribute = null;
        if (eventAttribute is not null && eventAttribute.ValueCase != AnyValue.ValueOneofCase.None)
        {
            if (eventAttribute.ValueCase != AnyValue.ValueOneofCase.StringValue)
            {
                kind = default;
                error = $"{OtlpConventions.EventAttribute} must be a string, got {TypeName(eventAttribute)}";
                return false;
            }

            fromAttribute = eventAttribute.StringValue switch
            {
                OtlpConventions.PredictionEventValue => EventKind.Prediction,
                OtlpConventions.LabelEventValue => EventKind.Label,
                _ => null,
            };
            if (fromAttribute is null)
            {
                kind = default;
                error = $"unknown {OtlpConventions.EventAttribute} {Quote(eventAttribute.StringValue)} (expected prediction or label)";
                return false;
            }
        }

        if (fromName is not null && fromAttribute is not null && fromName != fromAttribute)
        {
            kind = default;
            error = $"event_name {Quote(eventName)} conflicts with {OtlpConventions.EventAttribute} {Quote(eventAttribute!.StringValue)}";
            return false;
        }

        if ((fromName ?? fromAttribute) is { } found)
        {
            kind = found;
            error = string.Empty;
            return true;
        }

        kind = default;
        error = string.IsNullOrEmpty(eventName)
            ? $"missing event type (event_name {OtlpConventions.PredictionEventName} or {OtlpConventions.LabelEventName}, or attribute {OtlpConventions.EventAttribute})"
            : $"unknown event type: event_name {Quote(eventName)} and no {OtlpConventions.EventAttribute}";
        return false;
    }

    private static bool TryGetNonEmptyString(AnyValue? value, string name, out string? result, out string error)
    {
        result = null;
        error = string.Empty;
        if (value is null || value.ValueCase == AnyValue.ValueOneofCase.None)
        {
            return true;
        }

        if (value.ValueCase != AnyValue.ValueOneofCase.StringValue)
        {
            error = $"{name} must be a string, got {TypeName(value)}";
            return false;
        }

        if (value.StringValue.Length == 0)
        {
            error = $"{name} is empty";
            return false;
        }

        result = value.StringValue;
        return true;
    }

    private static bool TryGetNumber(AnyValue? value, string name, out double? result, out string error)
    {
        result = null;
        error = string.Empty;
        switch (value?.ValueCase ?? AnyValue.ValueOneofCase.None)
        {
            case AnyValue.ValueOneofCase.None:
                return true;
            case AnyValue.ValueOneofCase.IntValue:
                result = value!.IntValue;
                return true;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value!.DoubleValue):
                result = value.DoubleValue;
                return true;
            case AnyValue.ValueOneofCase.DoubleValue:
                error = $"{name} is {FormatNumber(value!.DoubleValue)}, not a finite number";
                return false;
            default:
                error = $"{name} must be a number, got {TypeName(value!)}";
                return false;
        }
    }

    private static bool TryGetClass(AnyValue? value, out string? result, out string error)
    {
        result = null;
        error = string.Empty;
        switch (value?.ValueCase ?? AnyValue.ValueOneofCase.None)
        {
            case AnyValue.ValueOneofCase.None:
                return true;
            case AnyValue.ValueOneofCase.StringValue when value!.StringValue.Length > 0:
                result = value.StringValue;
                return true;
            case AnyValue.ValueOneofCase.StringValue:
                error = $"{OtlpConventions.PredictedClass} is empty";
                return false;
            case AnyValue.ValueOneofCase.IntValue:
                result = value!.IntValue.ToString(CultureInfo.InvariantCulture);
                return true;
            case AnyValue.ValueOneofCase.BoolValue:
                result = value!.BoolValue ? "true" : "false";
                return true;
            default:
                error = $"{OtlpConventions.PredictedClass} must be a string, int or bool, got {TypeName(value!)}";
                return false;
        }
    }

    private static bool TryGetLabel(AnyValue? value, out double? number, out string? text, out string error)
    {
        number = null;
        text = null;
        error = string.Empty;
        switch (value?.ValueCase ?? AnyValue.ValueOneofCase.None)
        {
            case AnyValue.ValueOneofCase.None:
                return true;
            case AnyValue.ValueOneofCase.IntValue:
            case AnyValue.ValueOneofCase.DoubleValue:
                return TryGetNumber(value, OtlpConventions.LabelValue, out number, out error);
            case AnyValue.ValueOneofCase.StringValue when value!.StringValue.Length > 0:
                text = value.StringValue;
                return true;
            case AnyValue.ValueOneofCase.StringValue:
                error = $"{OtlpConventions.LabelValue} is empty";
                return false;
            case AnyValue.ValueOneofCase.BoolValue:
                text = value!.BoolValue ? "true" : "false";
                return true;
            default:
                error = $"{OtlpConventions.LabelValue} must be a number, string or bool, got {TypeName(value!)}";
                return false;
        }
    }

    /// <summary>
    /// The feature name of an <c>ml.feature.*</c> key. Names repeat on every record, so each thread keeps the names it
    /// has seen (up to <see cref="MaxCachedFeatureNames"/>, then starts over) and the records of a batch share one
    /// string per name instead of allocating it per record.
    /// </summary>
    private static string FeatureName(string key)
    {
        var cache = _threadFeatureNames ??= new Dictionary<string, string>(StringComparer.Ordinal);
        var suffix = key.AsSpan(OtlpConventions.FeaturePrefix.Length);
        if (cache.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(suffix, out var name))
        {
            return name;
        }

        if (cache.Count >= MaxCachedFeatureNames)
        {
            cache.Clear();
        }

        name = suffix.ToString();
        cache.Add(name, name);
        return name;
    }

    private static bool TryGetFeatures(List<KeyValue>? attributes, out FeatureValue[] features, out string error)
    {
        features = [];
        error = string.Empty;
        if (attributes is null)
        {
            return true;
        }

        var result = new List<FeatureValue>(attributes.Count);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            var name = FeatureName(attribute.Key);
            if (name.Length == 0)
            {
                error = $"feature attribute {Quote(attribute.Key)} has no name";
                return false;
            }

            var value = attribute.Value;
            FeatureValue feature;
            switch (value?.ValueCase ?? AnyValue.ValueOneofCase.None)
            {
                case AnyValue.ValueOneofCase.None:
                    feature = new FeatureValue(name, null, null);
                    break;
                case AnyValue.ValueOneofCase.IntValue:
                    feature = new FeatureValue(name, value!.IntValue, null);
                    break;
                case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value!.DoubleValue):
                    feature = new FeatureValue(name, value.DoubleValue, null);
                    break;
                case AnyValue.ValueOneofCase.DoubleValue:
                    error = $"{attribute.Key} is {FormatNumber(value!.DoubleValue)}, not a finite number";
                    return false;
                case AnyValue.ValueOneofCase.StringValue:
                    feature = new FeatureValue(name, null, value!.StringValue.Length == 0 ? null : value.StringValue);
                    break;
                case AnyValue.ValueOneofCase.BoolValue:
                    feature = new FeatureValue(name, null, value!.BoolValue ? "true" : "false");
                    break;
                default:
                    error = $"{attribute.Key} must be a number, string or bool, got {TypeName(value!)}";
                    return false;
            }

            if (positions.TryGetValue(name, out var position))
            {
                result[position] = feature;
            }
            else
            {
                positions.Add(name, result.Count);
                result.Add(feature);
            }
        }

        features = [.. result];
        return true;
    }

    private static bool TryGetSegments(List<KeyValue>? attributes, out SegmentValue[] segments, out string error)
    {
        segments = [];
        error = string.Empty;
        if (attributes is null)
        {
            return true;
        }

        var result = new List<SegmentValue>(attributes.Count);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            var name = attribute.Key[OtlpConventions.SegmentPrefix.Length..];
            if (name.Length == 0)
            {
                error = $"segment attribute {Quote(attribute.Key)} has no name";
                return false;
            }

            if (!TryGetNonEmptyString(attribute.Value, attribute.Key, out var text, out error))
            {
                return false;
            }

            if (text is null)
            {
                error = $"{attribute.Key} has no value";
                return false;
            }

            var segment = new SegmentValue(name, text);
            if (positions.TryGetValue(name, out var position))
            {
                result[position] = segment;
            }
            else
            {
                positions.Add(name, result.Count);
                result.Add(segment);
            }
        }

        segments = [.. result];
        return true;
    }

    private static bool TryGetEventTime(LogRecord record, long receivedUnixNano, out long eventTime, out string error)
    {
        var (time, field) = record.TimeUnixNano != 0
            ? (record.TimeUnixNano, "time_unix_nano")
            : (record.ObservedTimeUnixNano, "observed_time_unix_nano");
        if (time == 0)
        {
            eventTime = receivedUnixNano;
            error = string.Empty;
            return true;
        }

        if (time > long.MaxValue)
        {
            eventTime = 0;
            error = string.Create(CultureInfo.InvariantCulture, $"{field} {time} out of range");
            return false;
        }

        eventTime = (long)time;
        error = string.Empty;
        return true;
    }

    /// <summary>The OTLP type of a value, for reasons.</summary>
    internal static string TypeName(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => "string",
        AnyValue.ValueOneofCase.BoolValue => "bool",
        AnyValue.ValueOneofCase.IntValue => "int",
        AnyValue.ValueOneofCase.DoubleValue => "double",
        AnyValue.ValueOneofCase.ArrayValue => "array",
        AnyValue.ValueOneofCase.KvlistValue => "kvlist",
        AnyValue.ValueOneofCase.BytesValue => "bytes",
        _ => "empty",
    };

    private static string FormatNumber(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A value quoted for a reason, cut to <see cref="MaxQuotedLength"/>.</summary>
    internal static string Quote(string value) =>
        value.Length <= MaxQuotedLength ? $"'{value}'" : $"'{value[..MaxQuotedLength]}...'";

    /// <summary>The convention attributes of one record (last occurrence of a key wins).</summary>
    internal sealed class RecordFields
    {
        public AnyValue? Event { get; private set; }

        public AnyValue? ModelId { get; private set; }

        public AnyValue? ModelVersion { get; private set; }

        public AnyValue? PredictionId { get; private set; }

        public AnyValue? RequestId { get; private set; }

        public AnyValue? Score { get; private set; }

        public AnyValue? PredictedClass { get; private set; }

        public AnyValue? PredictedValue { get; private set; }

        public AnyValue? LatencyMs { get; private set; }

        public AnyValue? LabelValue { get; private set; }

        public List<KeyValue>? Features { get; private set; }

        public List<KeyValue>? Segments { get; private set; }

        public static RecordFields Collect(LogRecord record)
        {
            var fields = new RecordFields();
            foreach (var attribute in record.Attributes)
            {
                var key = attribute.Key;
                if (!key.StartsWith("ml.", StringComparison.Ordinal))
                {
                    continue;
                }

                // An attribute without a value is "present but empty": for scalar fields, the same as absent.
                var value = attribute.Value ?? new AnyValue();
                switch (key)
                {
                    case OtlpConventions.EventAttribute:
                        fields.Event = value;
                        break;
                    case OtlpConventions.ModelId:
                        fields.ModelId = value;
                        break;
                    case OtlpConventions.ModelVersion:
                        fields.ModelVersion = value;
                        break;
                    case OtlpConventions.PredictionId:
                        fields.PredictionId = value;
                        break;
                    case OtlpConventions.RequestId:
                        fields.RequestId = value;
                        break;
                    case OtlpConventions.Score:
                        fields.Score = value;
                        break;
                    case OtlpConventions.PredictedClass:
                        fields.PredictedClass = value;
                        break;
                    case OtlpConventions.PredictedValue:
                        fields.PredictedValue = value;
                        break;
                    case OtlpConventions.LatencyMs:
                        fields.LatencyMs = value;
                        break;
                    case OtlpConventions.LabelValue:
                        fields.LabelValue = value;
                        break;
                    default:
                        if (key.StartsWith(OtlpConventions.FeaturePrefix, StringComparison.Ordinal))
                        {
                            (fields.Features ??= []).Add(attribute);
                        }
                        else if (key.StartsWith(OtlpConventions.SegmentPrefix, StringComparison.Ordinal))
                        {
                            (fields.Segments ??= []).Add(attribute);
                        }

                        break;
                }
            }

            return fields;
        }
    }
}

/// <summary>What a resource contributes to its records: tenant, source, and default model id/version.</summary>
internal sealed class ResourceContext
{
    private ResourceContext(string tenant, string? tenantError, string? source, AnyValue? modelId, AnyValue? modelVersion, bool tenantTooLong = false)
    {
        TenantTooLong = tenantTooLong;
        Tenant = tenant;
        TenantError = tenantError;
        Source = source;
        ModelId = modelId;
        ModelVersion = modelVersion;
    }

    /// <summary>Tenant of the records (header, else <c>ml.tenant</c>, else the default).</summary>
    public string Tenant { get; }

    /// <summary>Why the resource's <c>ml.tenant</c> is unusable (its records are rejected), or null.</summary>
    public string? TenantError { get; }

    /// <summary>Whether <see cref="TenantError"/> is about the tenant's length (a limit) rather than its form.</summary>
    public bool TenantTooLong { get; }

    /// <summary><c>service.name</c> when it is a string.</summary>
    public string? Source { get; }

    /// <summary><c>ml.model.id</c> of the resource (used when the record has none).</summary>
    public AnyValue? ModelId { get; }

    /// <summary><c>ml.model.version</c> of the resource (used when the record has none).</summary>
    public AnyValue? ModelVersion { get; }

    /// <summary>Reads a resource (null when the request has none) under the default tenant length limit.</summary>
    public static ResourceContext From(Resource? resource, string? tenantOverride) =>
        From(resource, tenantOverride, LimitsOptions.DefaultMaxTenantLength);

    /// <summary>Reads a resource (null when the request has none); a tenant longer than <paramref name="maxTenantLength"/> is unusable.</summary>
    public static ResourceContext From(Resource? resource, string? tenantOverride, int maxTenantLength)
    {
        AnyValue? tenant = null;
        AnyValue? service = null;
        AnyValue? modelId = null;
        AnyValue? modelVersion = null;
        if (resource is not null)
        {
            foreach (var attribute in resource.Attributes)
            {
                switch (attribute.Key)
                {
                    case OtlpConventions.TenantAttribute:
                        tenant = attribute.Value ?? new AnyValue();
                        break;
                    case OtlpConventions.ServiceName:
                        service = attribute.Value;
                        break;
                    case OtlpConventions.ModelId:
                        modelId = attribute.Value ?? new AnyValue();
                        break;
                    case OtlpConventions.ModelVersion:
                        modelVersion = attribute.Value ?? new AnyValue();
                        break;
                    default:
                        break;
                }
            }
        }

        var source = service is { ValueCase: AnyValue.ValueOneofCase.StringValue } && service.StringValue.Length > 0
            ? service.StringValue
            : null;
        if (tenantOverride is not null)
        {
            return new ResourceContext(tenantOverride, null, source, modelId, modelVersion);
        }

        if (tenant is null || tenant.ValueCase == AnyValue.ValueOneofCase.None)
        {
            return new ResourceContext(ModelKey.DefaultTenant, null, source, modelId, modelVersion);
        }

        if (tenant.ValueCase == AnyValue.ValueOneofCase.StringValue && LogRecordConverter.IsValidTenant(tenant.StringValue))
        {
            if (tenant.StringValue.Length > maxTenantLength)
            {
                var tooLong = RecordLimits.TooLongMessage(
                    $"resource {OtlpConventions.TenantAttribute}", tenant.StringValue.Length, maxTenantLength, nameof(LimitsOptions.MaxTenantLength));
                return new ResourceContext(ModelKey.DefaultTenant, tooLong, source, modelId, modelVersion, tenantTooLong: true);
            }

            return new ResourceContext(tenant.StringValue, null, source, modelId, modelVersion);
        }

        var error = $"resource {OtlpConventions.TenantAttribute} must be a non-empty string without '/', got {LogRecordConverter.TypeName(tenant)}";
        return new ResourceContext(ModelKey.DefaultTenant, error, source, modelId, modelVersion);
    }
}
