using SkiaSharp;

namespace Monitoring.Reports.Charts;

/// <summary>
/// The font charts are drawn in. ScottPlot (through Skia) draws no text at all when the machine has no font, so charts
/// pick <see cref="PreferredFamily"/> (Debian's <c>fonts-dejavu-core</c>, which <c>scripts/run.sh</c> and
/// <c>scripts/test.sh</c> install) by name when present, else the system default, and say so here: the host logs
/// <see cref="Warning"/> at start when it is not null.
/// </summary>
public static class ChartFonts
{
    /// <summary>The family asked for first.</summary>
    public const string PreferredFamily = "DejaVu Sans";

    private static readonly Lazy<(string? Family, string? Warning)> Resolved = new(Resolve);

    /// <summary>The family charts are drawn in, or null when the machine has no font at all.</summary>
    public static string? Family => Resolved.Value.Family;

    /// <summary>Whether charts can draw text (some font was found).</summary>
    public static bool TextAvailable => Resolved.Value.Family is not null;

    /// <summary>Whether <see cref="PreferredFamily"/> is the one in use.</summary>
    public static bool IsPreferred => Resolved.Value.Family == PreferredFamily;

    /// <summary>What is wrong with chart text on this machine and how to fix it, or null when DejaVu Sans is in use.</summary>
    public static string? Warning => Resolved.Value.Warning;

    private static (string?, string?) Resolve()
    {
        // Without any font file Skia still lists one family, with an empty name (its empty typeface).
        var families = SKFontManager.Default.GetFontFamilies().Where(f => !string.IsNullOrWhiteSpace(f)).ToArray();
        if (families.Contains(PreferredFamily, StringComparer.OrdinalIgnoreCase))
        {
            ScottPlot.Fonts.Default = PreferredFamily;
            return (PreferredFamily, null);
        }

        if (families.Length == 0)
        {
            return (null, $"No font is installed, so charts are drawn without any text (titles, axes, legends). Install {PreferredFamily} (Debian: apt-get install fonts-dejavu-core; scripts/run.sh does).");
        }

        // The system's default family, as Skia resolves it.
        using var typeface = SKTypeface.FromFamilyName(null);
        var fallback = typeface?.FamilyName is { Length: > 0 } name ? name : families.Order(StringComparer.Ordinal).First();
        ScottPlot.Fonts.Default = fallback;
        return (fallback, $"{PreferredFamily} is not installed; charts use {fallback}, so their text may look different from the reference rendering (Debian: apt-get install fonts-dejavu-core).");
    }
}
