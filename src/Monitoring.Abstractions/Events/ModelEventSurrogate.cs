namespace Monitoring.Abstractions.Events;

/// <summary>
/// The Orleans wire form of a <see cref="ModelEvent"/>: its event-log encoding (<see cref="ModelEventCodec"/>) as one
/// byte array. A batch that crosses silos (it arrived at one that does not host its model's grain) is 512 records of
/// about 20 features each; Orleans' generated serializer wrote every record, feature and string as fields of their
/// own and kept a reference table of all of them, which cost 25-60x the encoding's write and read
/// (<c>BatchTransferBenchmarks</c>). The encoding round-trips every field exactly; decoding reuses repeated strings
/// (feature names, versions, categories). Old and new silos cannot exchange records across this change: upgrade a
/// cluster's silos together.
/// </summary>
/// <param name="encoded">The record's <see cref="ModelEventCodec"/> bytes.</param>
[GenerateSerializer, Immutable, Alias("monitoring.model-event.encoded")]
public readonly struct ModelEventSurrogate(byte[] encoded)
{
    /// <summary>The record's <see cref="ModelEventCodec"/> bytes.</summary>
    [Id(0)]
    public readonly byte[] Encoded = encoded;
}

/// <summary>Converts <see cref="ModelEvent"/> to and from its wire form.</summary>
[RegisterConverter]
public sealed class ModelEventSurrogateConverter : IConverter<ModelEvent, ModelEventSurrogate>
{
    /// <inheritdoc />
    public ModelEvent ConvertFromSurrogate(in ModelEventSurrogate surrogate) => ModelEventCodec.Decode(surrogate.Encoded);

    /// <inheritdoc />
    public ModelEventSurrogate ConvertToSurrogate(in ModelEvent value) => new(ModelEventCodec.Encode(value));
}
