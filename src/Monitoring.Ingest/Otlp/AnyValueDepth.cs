using System.Globalization;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Proto.Common;

namespace Monitoring.Ingest.Otlp;

/// <summary>
/// Nesting depth of attribute values and bodies: a scalar is depth 1, an array or kvlist holding scalars depth 2, and so
/// on. The decoders bound nesting coarsely (protobuf recursion limit, JSON reader depth); this check is the exact rule.
/// </summary>
internal static class AnyValueDepth
{
    /// <summary>Message nesting a protobuf parser must allow for values up to <paramref name="maxAnyValueDepth"/> deep.</summary>
    /// <remarks>
    /// A record attribute's value sits at message depth 5 (ResourceLogs, ScopeLogs, LogRecord, KeyValue, AnyValue) and
    /// each kvlist level adds 3 (KeyValueList, KeyValue, AnyValue); one level of slack lets the exact check name the
    /// offending value instead of the parser failing first.
    /// </remarks>
    public static int ProtobufRecursionLimit(int maxAnyValueDepth) => 5 + (3 * maxAnyValueDepth) + 3;

    /// <summary>JSON nesting a reader must allow for values up to <paramref name="maxAnyValueDepth"/> deep.</summary>
    /// <remarks>
    /// A record attribute's value object sits at JSON depth 10 and each kvlist level adds 4 (kvlistValue object, values
    /// array, key/value object, value object); plus one level of slack as above.
    /// </remarks>
    public static int JsonMaxDepth(int maxAnyValueDepth) => 10 + (4 * maxAnyValueDepth) + 4;

    /// <summary>Returns where the first value deeper than <paramref name="maxDepth"/> is, or null when none is.</summary>
    public static string? FindTooDeep(ExportLogsServiceRequest request, int maxDepth)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var r = 0; r < request.ResourceLogs.Count; r++)
        {
            var resourceLogs = request.ResourceLogs[r];
            if (resourceLogs.Resource is { } resource && FindInAttributes(resource.Attributes, maxDepth) is { } key)
            {
                return Describe($"resource_logs[{r}].resource", key, maxDepth);
            }

            for (var s = 0; s < resourceLogs.ScopeLogs.Count; s++)
            {
                var scopeLogs = resourceLogs.ScopeLogs[s];
                if (scopeLogs.Scope is { } scope && FindInAttributes(scope.Attributes, maxDepth) is { } scopeKey)
                {
                    return Describe($"resource_logs[{r}].scope_logs[{s}].scope", scopeKey, maxDepth);
                }

                for (var l = 0; l < scopeLogs.LogRecords.Count; l++)
                {
                    var record = scopeLogs.LogRecords[l];
                    var path = $"resource_logs[{r}].scope_logs[{s}].log_records[{l}]";
                    if (record.Body is { } body && Exceeds(body, 1, maxDepth))
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"{path} body: value nesting deeper than {maxDepth}");
                    }

                    if (FindInAttributes(record.Attributes, maxDepth) is { } recordKey)
                    {
                        return Describe(path, recordKey, maxDepth);
                    }
                }
            }
        }

        return null;
    }

    private static string Describe(string path, string key, int maxDepth) =>
        string.Create(CultureInfo.InvariantCulture, $"{path} attribute '{key}': value nesting deeper than {maxDepth}");

    private static string? FindInAttributes(IEnumerable<KeyValue> attributes, int maxDepth)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Value is { } value && Exceeds(value, 1, maxDepth))
            {
                return attribute.Key.Length <= 64 ? attribute.Key : attribute.Key[..64] + "...";
            }
        }

        return null;
    }

    private static bool Exceeds(AnyValue value, int depth, int maxDepth)
    {
        if (depth > maxDepth)
        {
            return true;
        }

        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.ArrayValue:
                foreach (var item in value.ArrayValue.Values)
                {
                    if (Exceeds(item, depth + 1, maxDepth))
                    {
                        return true;
                    }
                }

                return false;
            case AnyValue.ValueOneofCase.KvlistValue:
                foreach (var item in value.KvlistValue.Values)
                {
                    if (item.Value is { } inner && Exceeds(inner, depth + 1, maxDepth))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }
}
