namespace Monitoring.Aggregation.Schema;

/// <summary>A feature's inferred type, from the first non-null value seen.</summary>
[GenerateSerializer, Alias("monitoring.feature-schema")]
public sealed class FeatureSchema
{
    /// <summary>"numeric" (double/int attributes) or "categorical" (string/bool).</summary>
    [Id(0)] public string Kind { get; set; } = "numeric";
    /// <summary>When the feature first appeared (event time, Unix ns).</summary>
    [Id(1)] public long FirstSeenUnixNano { get; set; }
    /// <summary>Values seen with the other type (data-quality events).</summary>
    [Id(2)] public long TypeMismatches { get; set; }
    /// <summary>Last time a mismatching value arrived (Unix ns), 0 if never.</summary>
    [Id(3)] public long LastMismatchUnixNano { get; set; }
}

/// <summary>A data-quality event about the schema: a new feature, or a value of the wrong type.</summary>
/// <param name="Kind">"new_feature" or "type_mismatch".</param>
/// <param name="Feature">The feature.</param>
/// <param name="Detail">e.g. "numeric feature received a string".</param>
/// <param name="AtUnixNano">Event time.</param>
[GenerateSerializer, Immutable, Alias("monitoring.schema-event")]
public sealed record SchemaEvent([property: Id(0)] string Kind, [property: Id(1)] string Feature, [property: Id(2)] string Detail, [property: Id(3)] long AtUnixNano);
