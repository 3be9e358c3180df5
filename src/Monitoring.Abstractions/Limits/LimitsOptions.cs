namespace Monitoring.Abstractions.Limits;

/// <summary>
/// Bounds on what a client can make the system hold (configuration section <see cref="SectionName"/>, e.g.
/// <c>Monitoring__Limits__MaxModelIdLength=512</c>). The receiver enforces the per-record limits (lengths, features and
/// segments per record) while converting; the model grain enforces the limits that need a model's state (features per
/// model, models per tenant). Every breach rejects the one record (OTLP <c>partial_success</c>) with a message naming the
/// field and the limit; the rest of the request is kept. Lengths count UTF-16 code units.
/// </summary>
public sealed class LimitsOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Monitoring:Limits";

    /// <summary>Default <see cref="MaxTenantLength"/>.</summary>
    public const int DefaultMaxTenantLength = 64;

    /// <summary>Default <see cref="MaxModelIdLength"/>.</summary>
    public const int DefaultMaxModelIdLength = 256;

    /// <summary>Default <see cref="MaxVersionLength"/>.</summary>
    public const int DefaultMaxVersionLength = 128;

    /// <summary>Default <see cref="MaxIdLength"/>: room for a UUID, a ULID or a composite key.</summary>
    public const int DefaultMaxIdLength = 256;

    /// <summary>Default <see cref="MaxNameLength"/>.</summary>
    public const int DefaultMaxNameLength = 128;

    /// <summary>Default <see cref="MaxValueLength"/>.</summary>
    public const int DefaultMaxValueLength = 1024;

    /// <summary>Default <see cref="MaxFeaturesPerRecord"/>.</summary>
    public const int DefaultMaxFeaturesPerRecord = 1000;

    /// <summary>Default <see cref="MaxSegmentsPerRecord"/>.</summary>
    public const int DefaultMaxSegmentsPerRecord = 32;

    /// <summary>Default <see cref="MaxFeaturesPerModel"/>.</summary>
    public const int DefaultMaxFeaturesPerModel = 2000;

    /// <summary>Default <see cref="MaxModelsPerTenant"/>.</summary>
    public const int DefaultMaxModelsPerTenant = 10_000;

    /// <summary>Largest value accepted for any length limit (1 MiChar): beyond that a "limit" bounds nothing.</summary>
    public const int MaxAllowedLength = 1 << 20;

    /// <summary>Longest tenant name (<c>ml.tenant</c> or the tenant header).</summary>
    public int MaxTenantLength { get; set; } = DefaultMaxTenantLength;

    /// <summary>Longest <c>ml.model.id</c>.</summary>
    public int MaxModelIdLength { get; set; } = DefaultMaxModelIdLength;

    /// <summary>Longest <c>ml.model.version</c>.</summary>
    public int MaxVersionLength { get; set; } = DefaultMaxVersionLength;

    /// <summary>Longest <c>ml.prediction.id</c> and <c>ml.request.id</c>.</summary>
    public int MaxIdLength { get; set; } = DefaultMaxIdLength;

    /// <summary>Longest feature or segment name (the part after <c>ml.feature.</c> / <c>ml.segment.</c>).</summary>
    public int MaxNameLength { get; set; } = DefaultMaxNameLength;

    /// <summary>Longest string value: categorical features, segment values, <c>ml.prediction.class</c>, text labels.</summary>
    public int MaxValueLength { get; set; } = DefaultMaxValueLength;

    /// <summary>Most <c>ml.feature.*</c> attributes on one record.</summary>
    public int MaxFeaturesPerRecord { get; set; } = DefaultMaxFeaturesPerRecord;

    /// <summary>Most <c>ml.segment.*</c> attributes on one record.</summary>
    public int MaxSegmentsPerRecord { get; set; } = DefaultMaxSegmentsPerRecord;

    /// <summary>
    /// Most distinct feature names a model ever tracks (its schema). A prediction bringing a new feature into a model
    /// that already tracks this many is rejected; predictions with known features only keep being accepted.
    /// </summary>
    public int MaxFeaturesPerModel { get; set; } = DefaultMaxFeaturesPerModel;

    /// <summary>Most models one tenant may have; records of a further model are rejected (existing models go on).</summary>
    public int MaxModelsPerTenant { get; set; } = DefaultMaxModelsPerTenant;

    /// <summary>Checks the values; returns the problems found, each naming its key (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Length(MaxTenantLength, nameof(MaxTenantLength));
        Length(MaxModelIdLength, nameof(MaxModelIdLength));
        Length(MaxVersionLength, nameof(MaxVersionLength));
        Length(MaxIdLength, nameof(MaxIdLength));
        Length(MaxNameLength, nameof(MaxNameLength));
        Length(MaxValueLength, nameof(MaxValueLength));
        Count(MaxFeaturesPerRecord, nameof(MaxFeaturesPerRecord));
        Count(MaxSegmentsPerRecord, nameof(MaxSegmentsPerRecord));
        Count(MaxFeaturesPerModel, nameof(MaxFeaturesPerModel));
        Count(MaxModelsPerTenant, nameof(MaxModelsPerTenant));
        return problems;

        void Length(int value, string name)
        {
            if (value < 1 || value > MaxAllowedLength)
            {
                problems.Add($"{SectionName}:{name} must be in [1, {MaxAllowedLength}] (got {value}).");
            }
        }

        void Count(int value, string name)
        {
            if (value < 1)
            {
                problems.Add($"{SectionName}:{name} must be at least 1 (got {value}).");
            }
        }
    }

    /// <summary>The configuration key of a limit, for error messages (<c>Monitoring:Limits:MaxModelIdLength</c>).</summary>
    public static string Key(string name) => $"{SectionName}:{name}";
}
