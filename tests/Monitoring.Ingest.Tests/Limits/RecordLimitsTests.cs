using Monitoring.Abstractions.Limits;
using Monitoring.Ingest.Conventions;
using Monitoring.Ingest.Proto.Common;
using Monitoring.Ingest.Proto.Logs;
using Xunit;
using static Monitoring.Ingest.Tests.Support.Otlp;

namespace Monitoring.Ingest.Tests.Limits;

/// <summary>Every per-record limit of <see cref="LimitsOptions"/>: at the limit accepted, one over rejected with its reason and key.</summary>
public sealed class RecordLimitsTests
{
    private const long Received = 1_700_000_000_000_000_000;

    private static readonly LimitsOptions Small = new()
    {
        MaxTenantLength = 5,
        MaxModelIdLength = 6,
        MaxVersionLength = 7,
        MaxIdLength = 8,
        MaxNameLength = 9,
        MaxValueLength = 10,
        MaxFeaturesPerRecord = 3,
        MaxSegmentsPerRecord = 2,
    };

    private static readonly Dictionary<string, (Func<int, LogRecord> Make, int Limit, string Reason, string Message)> Table = new()
    {
        ["model id"] = (n => Prediction(new string('m', n), "p", 0.5), 6, "too_long", "ml.model.id is 7 characters long, over the limit of 6 (Monitoring:Limits:MaxModelIdLength)"),
        ["version"] = (n => Prediction("m", "p", 0.5, Attr("ml.model.version", new string('v', n))), 7, "too_long", "ml.model.version is 8 characters long, over the limit of 7 (Monitoring:Limits:MaxVersionLength)"),
        ["prediction id"] = (n => Prediction("m", new string('p', n), 0.5), 8, "too_long", "ml.prediction.id is 9 characters long, over the limit of 8 (Monitoring:Limits:MaxIdLength)"),
        ["request id"] = (n => Prediction("m", "p", 0.5, Attr("ml.request.id", new string('r', n))), 8, "too_long", "ml.request.id is 9 characters long, over the limit of 8 (Monitoring:Limits:MaxIdLength)"),
        ["class"] = (n => Prediction("m", "p", 0.5, Attr("ml.prediction.class", new string('c', n))), 10, "too_long", "ml.prediction.class is 11 characters long, over the limit of 10 (Monitoring:Limits:MaxValueLength)"),
        ["label"] = (n => Record("ml.label", Attr("ml.model.id", "m"), Attr("ml.prediction.id", "p"), Attr("ml.label.value", new string('l', n))), 10, "too_long", "ml.label.value is 11 characters long, over the limit of 10 (Monitoring:Limits:MaxValueLength)"),
        ["feature name"] = (n => Prediction("m", "p", 0.5, Attr("ml.feature." + new string('f', n), 1.0)), 9, "too_long", "feature name 'ffffffffff' is 10 characters long, over the limit of 9 (Monitoring:Limits:MaxNameLength)"),
        ["feature value"] = (n => Prediction("m", "p", 0.5, Attr("ml.feature.x", new string('x', n))), 10, "too_long", "'ml.feature.x' value is 11 characters long, over the limit of 10 (Monitoring:Limits:MaxValueLength)"),
        ["segment name"] = (n => Prediction("m", "p", 0.5, Attr("ml.segment." + new string('s', n), "eu")), 9, "too_long", "segment name 'ssssssssss' is 10 characters long, over the limit of 9 (Monitoring:Limits:MaxNameLength)"),
        ["segment value"] = (n => Prediction("m", "p", 0.5, Attr("ml.segment.region", new string('e', n))), 10, "too_long", "'ml.segment.region' value is 11 characters long, over the limit of 10 (Monitoring:Limits:MaxValueLength)"),
        ["features"] = (n => Prediction("m", "p", 0.5, [.. Enumerable.Range(0, n).Select(i => Attr($"ml.feature.f{i}", (long)i))]), 3, "too_many_features", "4 ml.feature.* attributes, over the limit of 3 per record (Monitoring:Limits:MaxFeaturesPerRecord)"),
        ["segments"] = (n => Prediction("m", "p", 0.5, [.. Enumerable.Range(0, n).Select(i => Attr($"ml.segment.s{i}", "v"))]), 2, "too_many_segments", "3 ml.segment.* attributes, over the limit of 2 per record (Monitoring:Limits:MaxSegmentsPerRecord)"),
    };

    public static TheoryData<string> Cases => [.. Table.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_record_at_the_limit_is_accepted_and_one_over_is_rejected_naming_the_field_and_key(string what)
    {
        var (make, limit, reason, message) = Table[what];
        var atLimit = LogRecordConverter.Convert(Request(make(limit)), null, Received, Small);
        var over = LogRecordConverter.Convert(Request(make(limit + 1)), null, Received, Small);

        Assert.True(atLimit.Rejected == 0, $"{what}: {atLimit.ErrorMessage}");
        Assert.Equal(1, atLimit.Accepted);
        Assert.Equal(0, over.Accepted);
        Assert.Equal("record 0: " + message, over.ErrorMessage);
        Assert.Equal(1, over.RejectedByReason[Array.IndexOf(RejectReasons.Names, reason)]);
    }

    [Fact]
    public void Resource_tenant_over_the_limit_rejects_its_records_as_too_long()
    {
        var request = Request([Attr("ml.tenant", "tenant")], Prediction("m", "p", 0.5));
        request.ResourceLogs.Add(ResourceLogs([Attr("ml.tenant", "acme")], Prediction("m", "q", 0.5)));

        var converted = LogRecordConverter.Convert(request, null, Received, Small);

        Assert.Equal(1, converted.Accepted);
        Assert.Equal("acme", Assert.Single(converted.Batches).Model.Tenant);
        Assert.Equal("record 0: resource ml.tenant is 6 characters long, over the limit of 5 (Monitoring:Limits:MaxTenantLength)", converted.ErrorMessage);
        Assert.Equal(1, converted.RejectedByReason[(int)RejectReason.TooLong]);
    }

    [Fact]
    public void Defaults_accept_what_real_models_send()
    {
        var features = Enumerable.Range(0, LimitsOptions.DefaultMaxFeaturesPerRecord)
            .Select(i => Attr($"ml.feature.{new string('f', LimitsOptions.DefaultMaxNameLength - 6)}{i:D6}", new string('v', LimitsOptions.DefaultMaxValueLength)));
        var record = Prediction(new string('m', LimitsOptions.DefaultMaxModelIdLength), Guid.NewGuid().ToString(), 0.5, [.. features]);

        var converted = LogRecordConverter.Convert(Request(record), null, Received, new LimitsOptions());

        Assert.True(converted.Rejected == 0, converted.ErrorMessage);
        Assert.Equal(LimitsOptions.DefaultMaxFeaturesPerRecord, Assert.Single(Assert.Single(converted.Batches).Events).Features.Length);
    }

    [Fact]
    public void Every_reason_has_a_metric_name()
    {
        Assert.Equal(Enum.GetValues<RejectReason>().Length, RejectReasons.Count);
        Assert.Equal(RejectReason.ModelFeatureLimit, RejectReasons.Parse("model_feature_limit"));
        Assert.Equal(RejectReason.TenantModelLimit, RejectReasons.Parse("tenant_model_limit"));
        Assert.Null(RejectReasons.Parse("nonsense"));
    }

    [Fact]
    public void Default_limits_are_valid_and_bad_ones_are_named()
    {
        Assert.Empty(new LimitsOptions().Validate());
        var problems = new LimitsOptions { MaxModelIdLength = 0, MaxFeaturesPerModel = -1, MaxValueLength = LimitsOptions.MaxAllowedLength + 1 }.Validate();

        Assert.Equal(
        [
            "Monitoring:Limits:MaxModelIdLength must be in [1, 1048576] (got 0).",
            "Monitoring:Limits:MaxValueLength must be in [1, 1048576] (got 1048577).",
            "Monitoring:Limits:MaxFeaturesPerModel must be at least 1 (got -1).",
        ], problems);
    }


    [Theory]
    [InlineData("ml.prediction.id", "prediction_id", "p\u001F2", 1)]
    [InlineData("ml.request.id", "request_id", "\u0000r", 0)]
    [InlineData("ml.model.version", "model_version", "v1\u007F", 2)]
    public void An_id_with_a_control_character_is_rejected_naming_it_and_the_rest_is_kept(string attribute, string reason, string value, int position)
    {
        var bad = attribute == "ml.prediction.id" ? Prediction("m", value, 0.5) : Prediction("m", "p1", 0.5, Attr(attribute, value));
        var converted = LogRecordConverter.Convert(Request(bad, Prediction("m", "p2", 0.5)), null, Received, Small);

        Assert.Equal(1, converted.Accepted);
        Assert.Equal(
            $"record 0: {attribute} contains the control character U+{(int)value[position]:X4} at position {position}; ids must be printable text",
            converted.ErrorMessage);
        Assert.Equal(1, converted.RejectedByReason[Array.IndexOf(RejectReasons.Names, reason)]);
    }
}
