using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Ingest.Conventions;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Proto.Common;
using Monitoring.Ingest.Proto.Logs;
using Xunit;
using static Monitoring.Ingest.Tests.Support.Otlp;

namespace Monitoring.Ingest.Tests.Conventions;

public sealed class LogRecordConverterTests
{
    private const long Received = 1_700_000_000_000_000_000;

    private static ConvertedRequest Convert(ExportLogsServiceRequest request, string? tenant = null) =>
        LogRecordConverter.Convert(request, tenant, Received);

    private static ModelEvent Single(LogRecord record)
    {
        var converted = Convert(Request(record));
        Assert.True(converted.Rejected == 0, converted.ErrorMessage);
        return Assert.Single(Assert.Single(converted.Batches).Events);
    }

    private static string Rejection(LogRecord record, params KeyValue[] resource)
    {
        var converted = Convert(resource.Length == 0 ? Request(record) : Request(resource, record));
        Assert.Equal(0, converted.Accepted);
        Assert.Equal(1, converted.Rejected);
        Assert.Empty(converted.Batches);
        return converted.ErrorMessage!;
    }

    [Fact]
    public void Rejections_are_counted_by_the_field_that_broke_the_rule_and_labels_apart()
    {
        var converted = Convert(Request(
            Prediction("fraud", "p-1", 1.5),
            Prediction("fraud", "p-2", 0.5, Attr("ml.feature.bad", double.NaN)),
            Record("ml.prediction", Attr("ml.prediction.score", 0.5)),
            Record("ml.label", Attr("ml.model.id", "fraud"), Attr("ml.label.value", 1L)),
            Prediction("fraud", "p-3", 0.5),
            Label("fraud", "p-3", 1)));

        Assert.Equal(2, converted.Accepted);
        Assert.Equal(1, converted.AcceptedLabels);
        Assert.Equal(4, converted.Rejected);
        var byName = RejectReasons.Names.Zip(converted.RejectedByReason).Where(p => p.Second > 0).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal(new Dictionary<string, int> { ["score"] = 1, ["feature"] = 1, ["model_id"] = 1, ["prediction_id"] = 1 }, byName);
        Assert.Equal(Enum.GetValues<RejectReason>().Length, RejectReasons.Count);
    }

    [Fact]
    public void Prediction_with_every_field_maps_to_a_model_event()
    {
        var record = Prediction("fraud", "p-1", 0.25,
            Attr("ml.model.version", "v3"),
            Attr("ml.prediction.class", "fraud"),
            Attr("ml.prediction.value", 12.5),
            Attr("ml.prediction.latency_ms", 3L),
            Attr("ml.feature.amount", 120.5),
            Attr("ml.feature.items", 4L),
            Attr("ml.feature.country", "DE"),
            Attr("ml.feature.is_new", true),
            Attr("ml.feature.coupon", ""),
            Attr("ml.feature.missing", (AnyValue?)null),
            Attr("ml.segment.region", "eu"),
            Attr("http.route", "/score"));
        record.TimeUnixNano = 1_650_000_000_123_456_789;

        var converted = Convert(Request([Attr("service.name", "checkout"), Attr("ml.tenant", "acme")], record));

        var batch = Assert.Single(converted.Batches);
        Assert.Equal(new ModelKey("acme", "fraud"), batch.Model);
        var e = Assert.Single(batch.Events);
        Assert.Equal(EventKind.Prediction, e.Kind);
        Assert.Equal("p-1", e.PredictionId);
        Assert.Equal(1_650_000_000_123_456_789, e.EventTimeUnixNano);
        Assert.Equal("v3", e.ModelVersion);
        Assert.Equal(0.25, e.Score);
        Assert.Equal("fraud", e.PredictedClass);
        Assert.Equal(12.5, e.PredictedValue);
        Assert.Equal(3.0, e.LatencyMs);
        Assert.Equal(
            [
                new FeatureValue("amount", 120.5, null),
                new FeatureValue("items", 4, null),
                new FeatureValue("country", null, "DE"),
                new FeatureValue("is_new", null, "true"),
                new FeatureValue("coupon", null, null),
                new FeatureValue("missing", null, null),
            ],
            e.Features);
        Assert.Equal([new SegmentValue("region", "eu")], e.Segments);
        Assert.Null(e.LabelNumber);
        Assert.Null(e.LabelText);
        Assert.Equal("checkout", e.Source);
        Assert.Equal(Received, e.ReceivedUnixNano);
        Assert.Null(converted.ErrorMessage);
    }

    [Fact]
    public void Request_id_links_a_prediction_to_its_request_and_must_be_a_non_empty_string()
    {
        var shadow = Single(Prediction("fraud", "p-1", 0.25, Attr("ml.model.version", "v4"), Attr("ml.request.id", "req-7")));
        Assert.Equal("req-7", shadow.RequestId);
        Assert.Null(Single(Prediction("fraud", "p-2", 0.25)).RequestId);

        Assert.Contains("ml.request.id", Rejection(Prediction("fraud", "p-3", 0.25, Attr("ml.request.id", 12L))), StringComparison.Ordinal);
    }

    [Fact]
    public void Label_maps_numeric_and_text_values()
    {
        var numeric = Single(Label("fraud", "p-1", 1));
        Assert.Equal(EventKind.Label, numeric.Kind);
        Assert.Equal("p-1", numeric.PredictionId);
        Assert.Equal(1.0, numeric.LabelNumber);
        Assert.Null(numeric.LabelText);

        var text = Single(Record("ml.label", Attr("ml.model.id", "m"), Attr("ml.prediction.id", "p"), Attr("ml.label.value", "cat")));
        Assert.Equal("cat", text.LabelText);
        Assert.Null(text.LabelNumber);

        var boolean = Single(Record("ml.label", Attr("ml.model.id", "m"), Attr("ml.prediction.id", "p"), Attr("ml.label.value", false)));
        Assert.Equal("false", boolean.LabelText);

        var real = Single(Record("ml.label", Attr("ml.model.id", "m"), Attr("ml.prediction.id", "p"), Attr("ml.label.value", 2.5)));
        Assert.Equal(2.5, real.LabelNumber);
    }

    [Fact]
    public void Event_kind_comes_from_the_ml_event_attribute_when_event_name_is_not_ml()
    {
        var record = Record("LogPrediction", Attr("ml.event", "prediction"), Attr("ml.model.id", "m"), Attr("ml.prediction.score", 0.5));
        Assert.Equal(EventKind.Prediction, Single(record).Kind);

        var label = Record(string.Empty, Attr("ml.event", "label"), Attr("ml.model.id", "m"), Attr("ml.prediction.id", "p"), Attr("ml.label.value", 0L));
        Assert.Equal(EventKind.Label, Single(label).Kind);
    }

    [Fact]
    public void Model_id_and_version_fall_back_to_the_resource_and_the_record_wins()
    {
        var fromResource = Convert(Request(
            [Attr("ml.model.id", "res-model"), Attr("ml.model.version", "r1")],
            Record("ml.prediction", Attr("ml.prediction.score", 0.1)),
            Record("ml.prediction", Attr("ml.model.id", "rec-model"), Attr("ml.model.version", "x9"), Attr("ml.prediction.score", 0.2))));

        Assert.Equal(2, fromResource.Batches.Count);
        Assert.Equal(new ModelKey("default", "res-model"), fromResource.Batches[0].Model);
        Assert.Equal("r1", fromResource.Batches[0].Events[0].ModelVersion);
        Assert.Equal(new ModelKey("default", "rec-model"), fromResource.Batches[1].Model);
        Assert.Equal("x9", fromResource.Batches[1].Events[0].ModelVersion);
    }

    [Fact]
    public void Version_defaults_to_unversioned_and_source_to_null()
    {
        var e = Single(Record("ml.prediction", Attr("ml.model.id", "m"), Attr("ml.prediction.class", "a")));
        Assert.Equal("unversioned", e.ModelVersion);
        Assert.Null(e.PredictionId);
    }

    [Fact]
    public void Event_time_falls_back_to_observed_time_then_arrival()
    {
        var observed = Prediction("m", "p", 0.5);
        observed.ObservedTimeUnixNano = 42;
        Assert.Equal(42, Single(observed).EventTimeUnixNano);

        var both = Prediction("m", "p", 0.5);
        both.TimeUnixNano = 7;
        both.ObservedTimeUnixNano = 42;
        Assert.Equal(7, Single(both).EventTimeUnixNano);

        Assert.Equal(Received, Single(Prediction("m", "p", 0.5)).EventTimeUnixNano);
    }

    [Fact]
    public void Tenant_comes_from_the_header_else_the_resource_else_default()
    {
        var request = Request([Attr("ml.tenant", "acme")], Prediction("m", "p", 0.5));
        Assert.Equal("header-tenant", Convert(request, "header-tenant").Batches[0].Model.Tenant);
        Assert.Equal("acme", Convert(request).Batches[0].Model.Tenant);
        Assert.Equal("default", Convert(Request(Prediction("m", "p", 0.5))).Batches[0].Model.Tenant);
    }

    [Fact]
    public void Records_are_grouped_by_model_in_request_order_across_resources()
    {
        var request = Request([Attr("ml.tenant", "t1")], Prediction("a", "1", 0.1), Prediction("b", "2", 0.2), Prediction("a", "3", 0.3));
        request.ResourceLogs.Add(ResourceLogs([Attr("ml.tenant", "t2")], Prediction("a", "4", 0.4)));
        request.ResourceLogs.Add(ResourceLogs([Attr("ml.tenant", "t1")], Label("b", "2", 1)));

        var converted = Convert(request);

        Assert.Equal(5, converted.Accepted);
        Assert.Equal(
            [new ModelKey("t1", "a"), new ModelKey("t1", "b"), new ModelKey("t2", "a")],
            converted.Batches.Select(b => b.Model));
        Assert.Equal(["1", "3"], converted.Batches[0].Events.Select(e => e.PredictionId));
        Assert.Equal([EventKind.Prediction, EventKind.Label], converted.Batches[1].Events.Select(e => e.Kind));
    }

    [Fact]
    public void Duplicate_keys_take_the_last_value()
    {
        var e = Single(Prediction("m", "p", 0.1, Attr("ml.prediction.score", 0.9), Attr("ml.feature.x", 1.0), Attr("ml.feature.x", "two")));
        Assert.Equal(0.9, e.Score);
        Assert.Equal([new FeatureValue("x", null, "two")], e.Features);
    }

    [Fact]
    public void Predicted_class_accepts_int_and_bool()
    {
        Assert.Equal("3", Single(Record("ml.prediction", Attr("ml.model.id", "m"), Attr("ml.prediction.class", 3L))).PredictedClass);
        Assert.Equal("true", Single(Record("ml.prediction", Attr("ml.model.id", "m"), Attr("ml.prediction.class", true))).PredictedClass);
    }

    [Fact]
    public void Score_bounds_are_inclusive_and_int_scores_are_numbers()
    {
        Assert.Equal(0.0, Single(Prediction("m", "p", 0.0)).Score);
        Assert.Equal(1.0, Single(Prediction("m", "p", 1.0)).Score);
        Assert.Equal(1.0, Single(Record("ml.prediction", Attr("ml.model.id", "m"), Attr("ml.prediction.score", 1L))).Score);
    }

    [Theory]
    [InlineData(1.7, "ml.prediction.score 1.7 outside [0,1]")]
    [InlineData(-0.1, "ml.prediction.score -0.1 outside [0,1]")]
    [InlineData(double.NaN, "ml.prediction.score is NaN, not a finite number")]
    [InlineData(double.PositiveInfinity, "ml.prediction.score is Infinity, not a finite number")]
    public void Bad_scores_are_rejected(double score, string reason) =>
        Assert.Equal("record 0: " + reason, Rejection(Prediction("m", "p", score)));

    [Fact]
    public void Rule_violations_are_named()
    {
        Assert.Equal("record 0: missing ml.model.id", Rejection(Record("ml.prediction", Attr("ml.prediction.score", 0.5))));
        Assert.Equal("record 0: ml.model.id must be a string, got int", Rejection(Record("ml.prediction", Attr("ml.model.id", 5L), Attr("ml.prediction.score", 0.5))));
        Assert.Equal("record 0: ml.model.id is empty", Rejection(Record("ml.prediction", Attr("ml.model.id", ""), Attr("ml.prediction.score", 0.5))));
        Assert.Equal("record 0: ml.model.version must be a string, got double", Rejection(Prediction("m", "p", 0.5, Attr("ml.model.version", 2.0))));
        Assert.Equal("record 0: ml.prediction.score must be a number, got string", Rejection(Record("ml.prediction", Attr("ml.model.id", "m"), Attr("ml.prediction.score", "0.5"))));
        Assert.Equal("record 0: label without ml.prediction.id", Rejection(Record("ml.label", Attr("ml.model.id", "m"), Attr("ml.label.value", 1L))));
        Assert.Equal("record 0: label without ml.label.value", Rejection(Record("ml.label", Attr("ml.model.id", "m"), Attr("ml.prediction.id", "p"))));
        Assert.Equal(
            "record 0: prediction without ml.prediction.score, ml.prediction.class or ml.prediction.value",
            Rejection(Record("ml.prediction", Attr("ml.model.id", "m"), Attr("ml.prediction.id", "p"))));
        Assert.Equal("record 0: ml.prediction.latency_ms -1 is negative", Rejection(Prediction("m", "p", 0.5, Attr("ml.prediction.latency_ms", -1.0))));
        Assert.Equal("record 0: ml.prediction.value is NaN, not a finite number", Rejection(Prediction("m", "p", 0.5, Attr("ml.prediction.value", double.NaN))));
        Assert.Equal("record 0: ml.feature.x is NaN, not a finite number", Rejection(Prediction("m", "p", 0.5, Attr("ml.feature.x", double.NaN))));
        Assert.Equal("record 0: ml.feature.x must be a number, string or bool, got array", Rejection(Prediction("m", "p", 0.5, Attr("ml.feature.x", Nested(2)))));
        Assert.Equal("record 0: feature attribute 'ml.feature.' has no name", Rejection(Prediction("m", "p", 0.5, Attr("ml.feature.", 1.0))));
        Assert.Equal("record 0: ml.segment.region must be a string, got int", Rejection(Prediction("m", "p", 0.5, Attr("ml.segment.region", 1L))));
        Assert.Equal("record 0: ml.segment.region is empty", Rejection(Prediction("m", "p", 0.5, Attr("ml.segment.region", ""))));
        Assert.Equal("record 0: ml.label.value must be a number, string or bool, got kvlist", Rejection(Record("ml.label", Attr("ml.model.id", "m"), Attr("ml.prediction.id", "p"), Attr("ml.label.value", Nested(2, kvlist: true)))));
        Assert.Equal("record 0: ml.prediction.id must be a string, got int", Rejection(Record("ml.label", Attr("ml.model.id", "m"), Attr("ml.prediction.id", 9L), Attr("ml.label.value", 1L))));
    }

    [Fact]
    public void Unknown_missing_and_conflicting_event_types_are_rejected()
    {
        Assert.Equal(
            "record 0: missing event type (event_name ml.prediction or ml.label, or attribute ml.event)",
            Rejection(Record(string.Empty, Attr("ml.model.id", "m"), Attr("ml.prediction.score", 0.5))));
        Assert.Equal(
            "record 0: unknown event type: event_name 'checkout.done' and no ml.event",
            Rejection(Record("checkout.done", Attr("ml.model.id", "m"))));
        Assert.Equal(
            "record 0: unknown ml.event 'feedback' (expected prediction or label)",
            Rejection(Record(string.Empty, Attr("ml.event", "feedback"), Attr("ml.model.id", "m"))));
        Assert.Equal(
            "record 0: event_name 'ml.label' conflicts with ml.event 'prediction'",
            Rejection(Record("ml.label", Attr("ml.event", "prediction"), Attr("ml.model.id", "m"))));
        Assert.Equal(
            "record 0: ml.event must be a string, got bool",
            Rejection(Record("ml.prediction", Attr("ml.event", true), Attr("ml.model.id", "m"))));
    }

    [Fact]
    public void Invalid_resource_tenant_rejects_its_records()
    {
        Assert.Equal(
            "record 0: resource ml.tenant must be a non-empty string without '/', got string",
            Rejection(Prediction("m", "p", 0.5), Attr("ml.tenant", "a/b")));
        Assert.Equal(
            "record 0: resource ml.tenant must be a non-empty string without '/', got int",
            Rejection(Prediction("m", "p", 0.5), Attr("ml.tenant", 3L)));
    }

    [Fact]
    public void Times_beyond_int64_are_rejected()
    {
        var record = Prediction("m", "p", 0.5);
        record.TimeUnixNano = ulong.MaxValue;
        Assert.Equal("record 0: time_unix_nano 18446744073709551615 out of range", Rejection(record));
    }

    [Fact]
    public void Long_values_are_cut_in_reasons()
    {
        var reason = Rejection(Record(new string('x', 500), Attr("ml.model.id", "m")));
        Assert.Contains("'" + new string('x', 64) + "...'", reason, StringComparison.Ordinal);
        Assert.True(reason.Length < 200);
    }

    [Fact]
    public void Mixed_request_accepts_the_good_records_and_names_the_first_five_reasons()
    {
        var records = new List<LogRecord>();
        for (var i = 0; i < 12; i++)
        {
            records.Add(i % 2 == 0 ? Prediction("m", $"p{i}", 0.5) : Prediction("m", $"p{i}", 1.5));
        }

        records.Add(Record("ml.prediction", Attr("ml.prediction.score", 0.5)));
        var converted = Convert(Request([.. records]));

        Assert.Equal(6, converted.Accepted);
        Assert.Equal(7, converted.Rejected);
        Assert.Equal(
            "record 1: ml.prediction.score 1.5 outside [0,1]; record 3: ml.prediction.score 1.5 outside [0,1]; "
            + "record 5: ml.prediction.score 1.5 outside [0,1]; record 7: ml.prediction.score 1.5 outside [0,1]; "
            + "record 9: ml.prediction.score 1.5 outside [0,1]; and 2 more rejected",
            converted.ErrorMessage);
        Assert.Equal(["p0", "p2", "p4", "p6", "p8", "p10"], converted.Batches[0].Events.Select(e => e.PredictionId));
    }

    [Fact]
    public void Empty_request_converts_to_nothing()
    {
        var converted = Convert(new ExportLogsServiceRequest());
        Assert.Empty(converted.Batches);
        Assert.Equal(0, converted.Accepted);
        Assert.Equal(0, converted.Rejected);
        Assert.Null(converted.ErrorMessage);
    }
}
