using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monitoring.Abstractions.Reports;

/// <summary>How reports are written as JSON (stored reports and the API): snake_case names, nulls left out unless a
/// property says otherwise, NaN and infinities as named literals.</summary>
public static class ReportJson
{
    /// <summary>The options.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    /// <summary>The value when finite, else null (reports never carry NaN or infinities where a number is expected).</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
