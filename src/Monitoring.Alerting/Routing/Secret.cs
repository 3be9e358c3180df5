using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monitoring.Alerting.Routing;

/// <summary>
/// A secret from the configuration (a webhook URL, a routing key, or the contents of a <c>*_file</c>). Its
/// <see cref="ToString"/> and its JSON form are <c>&lt;secret&gt;</c>, so logging or serializing a receiver record never
/// reveals the value; only <see cref="Reveal"/> does, and only the notifier that sends should call it.
/// </summary>
[JsonConverter(typeof(SecretJsonConverter))]
public sealed class Secret : IEquatable<Secret>
{
    /// <summary>What <see cref="ToString"/> and JSON show instead of the value.</summary>
    public const string Redacted = "<secret>";

    private readonly string _value;

    private Secret(string value, string? filePath)
    {
        _value = value;
        FilePath = filePath;
    }

    /// <summary>The file the value was read from (a path is not secret), or null when it was written inline.</summary>
    public string? FilePath { get; }

    /// <summary>A secret written inline in the configuration.</summary>
    public static Secret FromValue(string value) => new(value, null);

    /// <summary>A secret read from <paramref name="filePath"/> (the caller has read and trimmed it).</summary>
    public static Secret FromFile(string value, string filePath) => new(value, filePath);

    /// <summary>The value itself. Call it only where the value is sent, never to log or show it.</summary>
    public string Reveal() => _value;

    /// <summary>Always <c>&lt;secret&gt;</c>.</summary>
    public override string ToString() => Redacted;

    /// <inheritdoc />
    public bool Equals(Secret? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Secret);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);
}

/// <summary>Writes a <see cref="Secret"/> as <c>"&lt;secret&gt;"</c>; refuses to read one (secrets come from the configuration).</summary>
public sealed class SecretJsonConverter : JsonConverter<Secret>
{
    /// <inheritdoc />
    public override Secret Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new JsonException("secrets are read from the Alertmanager configuration, not from JSON");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Secret value, JsonSerializerOptions options) => writer.WriteStringValue(Secret.Redacted);
}
