using Xunit;

namespace Monitoring.Client.Tests;

/// <summary>Argument checks and value mapping, without the network.</summary>
public sealed class PredictionLoggerValidationTests
{
    private static readonly Uri Nowhere = new("http://127.0.0.1:9");

    private static Prediction Valid() => new(
        "m", null, "p", 0.5, null, null, null,
        new Dictionary<string, object?>(), new Dictionary<string, string>());

    [Fact]
    public void Prediction_requires_model_id_prediction_id_and_an_output()
    {
        Assert.Throws<ArgumentException>(() => ModelEventState.ForPrediction(Valid() with { ModelId = " " }));
        Assert.Throws<ArgumentException>(() => ModelEventState.ForPrediction(Valid() with { PredictionId = "" }));
        Assert.Throws<ArgumentException>(() => ModelEventState.ForPrediction(Valid() with { Score = null }));
        Assert.Equal(4, ModelEventState.ForPrediction(Valid() with { Score = null, Value = 3.5 }).Count);
        Assert.Equal(4, ModelEventState.ForPrediction(Valid() with { Score = null, Class = "cat" }).Count);
    }

    [Theory]
    [InlineData(-0.0001)]
    [InlineData(1.0001)]
    [InlineData(double.NaN)]
    public void Score_outside_unit_interval_is_rejected(double score)
        => Assert.Throws<ArgumentOutOfRangeException>(() => ModelEventState.ForPrediction(Valid() with { Score = score }));

    [Fact]
    public void Feature_and_segment_names_must_be_non_empty()
    {
        Assert.Throws<ArgumentException>(() => ModelEventState.ForPrediction(Valid() with { Features = new Dictionary<string, object?> { [""] = 1 } }));
        Assert.Throws<ArgumentException>(() => ModelEventState.ForPrediction(Valid() with { Segments = new Dictionary<string, string> { [" "] = "x" } }));
    }

    [Fact]
    public void Label_requires_model_id_prediction_id_and_a_value()
    {
        Assert.Throws<ArgumentException>(() => ModelEventState.ForLabel("", "p", 1, null));
        Assert.Throws<ArgumentException>(() => ModelEventState.ForLabel("m", " ", 1, null));
        Assert.Throws<ArgumentNullException>(() => ModelEventState.ForLabel("m", "p", null!, null));
    }

    [Fact]
    public void Feature_values_map_to_otlp_int_double_bool_string_or_empty()
    {
        Assert.Equal(42L, ModelEventState.NormalizeFeature(42));
        Assert.Equal(7L, ModelEventState.NormalizeFeature((short)7));
        Assert.Equal(9L, ModelEventState.NormalizeFeature(9UL));
        Assert.Equal((double)ulong.MaxValue, ModelEventState.NormalizeFeature(ulong.MaxValue));
        Assert.Equal(2.5, ModelEventState.NormalizeFeature(2.5f));
        Assert.Equal(1.25, ModelEventState.NormalizeFeature(1.25m));
        Assert.Equal(3.0, ModelEventState.NormalizeFeature(3.0));
        Assert.Equal(true, ModelEventState.NormalizeFeature(true));
        Assert.Equal("DE", ModelEventState.NormalizeFeature("DE"));
        Assert.Equal(string.Empty, ModelEventState.NormalizeFeature(null));
        Assert.Equal(string.Empty, ModelEventState.NormalizeFeature(double.NaN));
        Assert.Equal(string.Empty, ModelEventState.NormalizeFeature(float.NaN));
        Assert.Equal("Friday", ModelEventState.NormalizeFeature(DayOfWeek.Friday));
        Assert.Equal("x", ModelEventState.NormalizeFeature('x'));
        Assert.Equal("2025-01-02T00:00:00.0000000Z", ModelEventState.NormalizeFeature(new DateTime(2025, 1, 2, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal("1.5", ModelEventState.NormalizeFeature(new Version(1, 5)));
    }

    [Fact]
    public void Label_values_map_to_double_or_string()
    {
        Assert.Equal(1.0, ModelEventState.NormalizeLabel(1));
        Assert.Equal(0.0, ModelEventState.NormalizeLabel(false));
        Assert.Equal(1.0, ModelEventState.NormalizeLabel(true));
        Assert.Equal(2.5, ModelEventState.NormalizeLabel(2.5m));
        Assert.Equal("spam", ModelEventState.NormalizeLabel("spam"));
    }

    [Theory]
    [InlineData("http://host:4318", "http://host:4318/v1/logs")]
    [InlineData("http://host:4318/", "http://host:4318/v1/logs")]
    [InlineData("http://host:4318/otlp", "http://host:4318/otlp/v1/logs")]
    [InlineData("http://host:4318/v1/logs", "http://host:4318/v1/logs")]
    public void Http_endpoint_gets_the_logs_path(string endpoint, string expected)
        => Assert.Equal(new Uri(expected), PredictionLogger.ExportEndpoint(new Uri(endpoint), OtlpProtocol.HttpProtobuf));

    [Fact]
    public void Grpc_endpoint_is_used_as_given()
        => Assert.Equal(new Uri("http://host:4317"), PredictionLogger.ExportEndpoint(new Uri("http://host:4317"), OtlpProtocol.Grpc));

    [Fact]
    public void Options_are_checked_on_construction()
    {
        var options = new PredictionLoggerOptions { Endpoint = Nowhere, ServiceName = "svc" };
        Assert.Throws<ArgumentException>(() => new PredictionLogger(options with { ServiceName = " " }));
        Assert.Throws<ArgumentException>(() => new PredictionLogger(options with { Tenant = "a,b" }));
        Assert.Throws<ArgumentException>(() => new PredictionLogger(options with { Headers = new Dictionary<string, string> { ["a=b"] = "x" } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PredictionLogger(options with { ScheduledDelay = TimeSpan.Zero }));
        Assert.Throws<ArgumentException>(() => new PredictionLogger(options with { Endpoint = new Uri("/relative", UriKind.Relative) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PredictionLogger(options with { MaxAttributesPerRecord = 8 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PredictionLogger(options with { ExportTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PredictionLogger(options with { MaxQueueSize = 100, MaxExportBatchSize = 200 }));
    }

    [Fact]
    public void A_prediction_wider_than_the_attribute_limit_is_rejected_not_truncated()
    {
        using var logger = new PredictionLogger(new PredictionLoggerOptions { Endpoint = Nowhere, ServiceName = "svc", MaxAttributesPerRecord = 20 });
        var features = Enumerable.Range(0, 16).ToDictionary(i => $"f{i}", i => (object?)i);
        logger.LogPrediction(Valid() with { Features = features }); // 4 + 16 = 20
        features["f16"] = 16;
        var error = Assert.Throws<ArgumentException>(() => logger.LogPrediction(Valid() with { Features = features }));
        Assert.Contains("21 attributes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Logging_after_dispose_throws_and_dispose_is_idempotent()
    {
        var logger = new PredictionLogger(new PredictionLoggerOptions { Endpoint = Nowhere, ServiceName = "svc" });
        logger.Dispose();
        logger.Dispose();
        Assert.Throws<ObjectDisposedException>(() => logger.LogPrediction(Valid()));
        Assert.Throws<ObjectDisposedException>(() => logger.LogLabel("m", "p", 1));
        Assert.False(logger.ForceFlush());
    }
}
