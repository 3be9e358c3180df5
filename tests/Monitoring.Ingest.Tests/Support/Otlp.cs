using System.IO.Compression;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Proto.Common;
using Monitoring.Ingest.Proto.Logs;
using Monitoring.Ingest.Proto.Resource;

namespace Monitoring.Ingest.Tests.Support;

/// <summary>Terse builders for OTLP messages.</summary>
internal static class Otlp
{
    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Attr(string key, double value) => new() { Key = key, Value = new AnyValue { DoubleValue = value } };

    public static KeyValue Attr(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    public static KeyValue Attr(string key, bool value) => new() { Key = key, Value = new AnyValue { BoolValue = value } };

    public static KeyValue Attr(string key, AnyValue? value) => new() { Key = key, Value = value };

    public static LogRecord Record(string eventName, params KeyValue[] attributes)
    {
        var record = new LogRecord { EventName = eventName };
        record.Attributes.AddRange(attributes);
        return record;
    }

    /// <summary>A valid prediction for <paramref name="model"/>.</summary>
    public static LogRecord Prediction(string model, string predictionId, double score, params KeyValue[] more)
    {
        var record = Record("ml.prediction", Attr("ml.model.id", model), Attr("ml.prediction.id", predictionId), Attr("ml.prediction.score", score));
        record.Attributes.AddRange(more);
        return record;
    }

    /// <summary>A valid label for <paramref name="model"/>.</summary>
    public static LogRecord Label(string model, string predictionId, long label) =>
        Record("ml.label", Attr("ml.model.id", model), Attr("ml.prediction.id", predictionId), Attr("ml.label.value", label));

    public static ResourceLogs ResourceLogs(IEnumerable<KeyValue> resourceAttributes, params LogRecord[] records)
    {
        var resource = new Resource();
        resource.Attributes.AddRange(resourceAttributes);
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "tests" } };
        scope.LogRecords.AddRange(records);
        var result = new ResourceLogs { Resource = resource };
        result.ScopeLogs.Add(scope);
        return result;
    }

    public static ExportLogsServiceRequest Request(params LogRecord[] records) =>
        Request([Attr("service.name", "tests-svc")], records);

    public static ExportLogsServiceRequest Request(IEnumerable<KeyValue> resourceAttributes, params LogRecord[] records)
    {
        var request = new ExportLogsServiceRequest();
        request.ResourceLogs.Add(ResourceLogs(resourceAttributes, records));
        return request;
    }

    /// <summary>A value nested <paramref name="depth"/> levels deep (1 = a scalar), through arrays or kvlists.</summary>
    public static AnyValue Nested(int depth, bool kvlist = false)
    {
        var value = new AnyValue { StringValue = "leaf" };
        for (var level = 1; level < depth; level++)
        {
            if (kvlist)
            {
                var list = new KeyValueList();
                list.Values.Add(new KeyValue { Key = "k", Value = value });
                value = new AnyValue { KvlistValue = list };
            }
            else
            {
                var array = new ArrayValue();
                array.Values.Add(value);
                value = new AnyValue { ArrayValue = array };
            }
        }

        return value;
    }

    public static byte[] Gzip(byte[] data, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
