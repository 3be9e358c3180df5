using System.Globalization;
using System.Text.Json.Serialization;
using Monitoring.Stats.Rollouts;
using Monitoring.Stats.Sketches;
using Monitoring.Stats.Slices;

namespace Monitoring.Aggregation.Labels;

/// <summary>
/// Realized and estimated performance of the predictions of one window (by the prediction's event time): every
/// prediction's score (for confidence-based estimates before labels arrive), the joined (score, label) pairs of binary
/// classifiers, regression errors and the multiclass confusion counts. Persisted as JSON in the report store, with the
/// highest event-log sequence folded into it, so a replay after a crash never folds a record twice.
/// </summary>
public sealed class PerformanceAccumulator
{
    /// <summary>Window start (Unix ns).</summary>
    public long Start { get; set; }

    /// <summary>Window end (Unix ns, exclusive).</summary>
    public long End { get; set; }

    /// <summary>Highest event-log sequence folded in; records at or below it are already counted.</summary>
    public long LastSequence { get; set; }

    /// <summary>Predictions in the window.</summary>
    public long Predictions { get; set; }

    /// <summary>Version of the reference in force when the window opened (0 = none): its slices are compared with that one's.</summary>
    public int ReferenceVersion { get; set; }

    /// <summary>Predictions whose label has been joined (distinct prediction ids).</summary>
    public long Labeled { get; set; }

    /// <summary>Scores of every scored prediction (labels unknown: all counted as class 0), for CBPE.</summary>
    public ScoreHistogramParts? AllScores { get; set; }

    /// <summary>Joined binary (score, label) pairs.</summary>
    public ScoreHistogramParts? Binary { get; set; }

    /// <summary>Regression pairs joined.</summary>
    public long RegressionCount { get; set; }

    /// <summary>Sum of |predicted - actual|.</summary>
    public double RegressionAbsoluteError { get; set; }

    /// <summary>Sum of (predicted - actual)^2.</summary>
    public double RegressionSquaredError { get; set; }

    /// <summary>Sum of (predicted - actual).</summary>
    public double RegressionError { get; set; }

    /// <summary>Multiclass confusion: actual -> predicted -> count.</summary>
    public Dictionary<string, Dictionary<string, long>> Confusion { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The same per model version (their own <see cref="ByVersion"/> stays null), once the model has seen a second version
    /// (<see cref="Windows.VersionTracking"/>): predictions and scores by the prediction's version, labels joined to the
    /// version of the prediction they label, so a late label lands in the right version. At most
    /// <see cref="Windows.VersionTracking.MaxVersionsPerWindow"/> versions; null while the model has one version only.
    /// </summary>
    public Dictionary<string, PerformanceAccumulator>? ByVersion { get; set; }

    /// <summary>Predictions of versions beyond the per-window cap (counted, not tracked per version).</summary>
    public long UntrackedVersionPredictions { get; set; }

    /// <summary>
    /// The accumulator of <paramref name="version"/> (created on first use, sharing this window's bounds and pair
    /// dimensions; when the first one is created, this window's content so far goes to <paramref name="onlyVersion"/>, the
    /// version it all belonged to, if known), or null when the window's version cap is reached.
    /// </summary>
    public PerformanceAccumulator? ForVersion(string version, string? onlyVersion)
    {
        if (ByVersion is null)
        {
            ByVersion = new Dictionary<string, PerformanceAccumulator>(StringComparer.Ordinal);
            if (onlyVersion is not null && Predictions > 0)
            {
                ByVersion[onlyVersion] = CopyWithoutVersions();
            }
        }

        if (!ByVersion.TryGetValue(version, out var sub))
        {
            if (ByVersion.Count >= Windows.VersionTracking.MaxVersionsPerWindow)
            {
                return null;
            }

            sub = new PerformanceAccumulator { Start = Start, End = End, ReferenceVersion = ReferenceVersion, PairDimensionNames = PairDimensionNames };
            ByVersion[version] = sub;
        }

        return sub;
    }

    /// <summary>The accumulator of <paramref name="version"/> if it is tracked.</summary>
    public PerformanceAccumulator? TrackedVersion(string version) => ByVersion?.GetValueOrDefault(version);

    private PerformanceAccumulator CopyWithoutVersions()
    {
        var versions = ByVersion;
        ByVersion = null;
        try
        {
            Freeze();
            var copy = System.Text.Json.JsonSerializer.Deserialize<PerformanceAccumulator>(
                System.Text.Json.JsonSerializer.Serialize(this, Abstractions.Reports.ReportJson.Options), Abstractions.Reports.ReportJson.Options)!;
            copy.LastSequence = 0;
            copy.ShadowPairs = null;
            copy.PairedLabels = null;
            return copy;
        }
        finally
        {
            ByVersion = versions;
        }
    }

    /// <summary>
    /// Shadow pairs (two versions' predictions of one request, <c>ml.request.id</c>) whose earlier prediction falls in
    /// this window, by "{baseline}\u001F{candidate}": each pair is kept in both orientations, so either version can be
    /// asked about as the baseline. Null until a pair joins.
    /// </summary>
    public Dictionary<string, ShadowPairParts>? ShadowPairs { get; set; }

    private Dictionary<string, ShadowPairAccumulator>? _shadow;

    /// <summary>The shadow pairs live, by orientation key (<see cref="ShadowKey"/>).</summary>
    [JsonIgnore]
    public Dictionary<string, ShadowPairAccumulator> LiveShadowPairs => _shadow ??= ShadowPairs?.ToDictionary(
        kv => kv.Key, kv => ShadowPairAccumulator.FromParts(kv.Value), StringComparer.Ordinal) ?? new Dictionary<string, ShadowPairAccumulator>(StringComparer.Ordinal);

    /// <summary>The key of the shadow pairs of <paramref name="baseline"/> against <paramref name="candidate"/>.</summary>
    public static string ShadowKey(string baseline, string candidate) => $"{baseline}\u001F{candidate}";

    /// <summary>Adds a shadow pair in both orientations, with the request's slice values.</summary>
    public void AddShadowPair(string firstVersion, double firstScore, string secondVersion, double secondScore, IReadOnlyList<(string Dimension, string Value)> slices)
    {
        Shadow(firstVersion, secondVersion).Add(firstScore, secondScore, slices);
        Shadow(secondVersion, firstVersion).Add(secondScore, firstScore, slices);
    }

    /// <summary>The shadow pairs of <paramref name="baseline"/> against <paramref name="candidate"/>, if any joined.</summary>
    public ShadowPairAccumulator? ShadowPairsOf(string baseline, string candidate) => LiveShadowPairs.GetValueOrDefault(ShadowKey(baseline, candidate));

    /// <summary>
    /// Labelled shadow pairs whose pair falls in this window (see <see cref="ShadowPairs"/>), for the paired AUC and Brier
    /// tests: kept once per pair of versions, under <see cref="ShadowKey"/> of the two in ordinal order (the first as
    /// the baseline); <see cref="PairedLabelsOf"/> transposes for the other orientation. Null until a pair is labelled.
    /// Bounded: at most 2 x 100 x 100 cells per pair of versions (<see cref="PairedLabelSketch"/>).
    /// </summary>
    public Dictionary<string, PairedLabelSketch>? PairedLabels { get; set; }

    /// <summary>Adds a labelled shadow pair (label 0 or 1).</summary>
    public void AddPairedLabel(string firstVersion, double firstScore, string secondVersion, double secondScore, double label)
    {
        var inOrder = string.CompareOrdinal(firstVersion, secondVersion) <= 0;
        var key = inOrder ? ShadowKey(firstVersion, secondVersion) : ShadowKey(secondVersion, firstVersion);
        PairedLabels ??= new Dictionary<string, PairedLabelSketch>(StringComparer.Ordinal);
        if (!PairedLabels.TryGetValue(key, out var sketch))
        {
            sketch = new PairedLabelSketch();
            PairedLabels[key] = sketch;
        }

        if (inOrder)
        {
            sketch.Add(firstScore, secondScore, label);
        }
        else
        {
            sketch.Add(secondScore, firstScore, label);
        }
    }

    /// <summary>The labelled shadow pairs of <paramref name="baseline"/> against <paramref name="candidate"/>, if any.</summary>
    public PairedLabelSketch? PairedLabelsOf(string baseline, string candidate)
    {
        if (PairedLabels is null)
        {
            return null;
        }

        return string.CompareOrdinal(baseline, candidate) <= 0
            ? PairedLabels.GetValueOrDefault(ShadowKey(baseline, candidate))
            : PairedLabels.GetValueOrDefault(ShadowKey(candidate, baseline))?.Transposed();
    }

    private ShadowPairAccumulator Shadow(string baseline, string candidate)
    {
        var key = ShadowKey(baseline, candidate);
        if (!LiveShadowPairs.TryGetValue(key, out var acc))
        {
            acc = new ShadowPairAccumulator();
            _shadow![key] = acc;
        }

        return acc;
    }

    private ScoreHistogramSketch? _allScores;
    private ScoreHistogramSketch? _binary;

    /// <summary>The CBPE sketch (live; <see cref="Freeze"/> copies it into <see cref="AllScores"/>).</summary>
    [JsonIgnore]
    public ScoreHistogramSketch? AllScoresSketch => _allScores ??= AllScores is null ? null : ScoreHistogramSketch.FromParts(AllScores);

    /// <summary>The joined binary sketch (live).</summary>
    [JsonIgnore]
    public ScoreHistogramSketch? BinarySketch => _binary ??= Binary is null ? null : ScoreHistogramSketch.FromParts(Binary);

    /// <summary>Values tracked per slice dimension and window; further values are counted under "(other)".</summary>
    public const int MaxValuesPerDimension = Abstractions.Models.ModelSettings.MaxSliceValues;

    /// <summary>Slice dimensions tracked per window (segments first, then categorical features, by name).</summary>
    public const int MaxDimensions = 16;

    /// <summary>Segment dimensions whose value pairs are also tracked (the first ones by name).</summary>
    public const int PairDimensions = 3;

    /// <summary>
    /// Segment dimensions (first by name) whose pairs a window counts predictions for while its pair dimensions are not
    /// chosen yet (a model's first window, until its first label): the chosen ones keep their counts from the start.
    /// </summary>
    public const int ProvisionalPairDimensions = 6;

    /// <summary>
    /// The segment dimensions whose value pairs this window tracks: the <see cref="PairDimensions"/> with the most
    /// predictions (ties by name) when its first prediction was folded, kept for the window so its pair slices count
    /// every prediction and a correction takes a pair out of the same slices it went into. Null until then.
    /// </summary>
    public List<string>? PairDimensionNames { get; set; }

    /// <summary>Binary counts of every joined pair (the whole model, for slice complements).</summary>
    public SliceCountsParts? Overall { get; set; }

    /// <summary>Binary counts per slice: dimension (or "a & b" for pairs) -> value -> counts.</summary>
    public Dictionary<string, Dictionary<string, SliceCountsParts>> Slices { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Scores of every prediction per slice (labelled or not), over the <see cref="SlicePredictionDrift.BinCount"/>
    /// score bins: dimension -> value -> counts. Single dimensions only (no pairs); same caps as <see cref="Slices"/>.
    /// </summary>
    public Dictionary<string, Dictionary<string, long[]>> SliceScores { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Scored predictions per pair slice (labelled or not): "a &amp; b" -> "x &amp; y" -> count, among
    /// <see cref="PairDimensionNames"/>, at most <see cref="MaxValuesPerDimension"/> values per pair (the rest as "(other)").
    /// </summary>
    public Dictionary<string, Dictionary<string, long>> PairPredictions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Fixes the window's pair dimensions (<see cref="PairDimensionNames"/>) and keeps the provisional prediction counts
    /// of the pairs among them only.
    /// </summary>
    public void ChoosePairDimensions(List<string> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        PairDimensionNames = dimensions;
        foreach (var pair in PairPredictions.Keys.ToList())
        {
            var cut = pair.IndexOf(" & ", StringComparison.Ordinal);
            if (cut < 0 || !dimensions.Contains(pair[..cut], StringComparer.Ordinal) || !dimensions.Contains(pair[(cut + 3)..], StringComparer.Ordinal))
            {
                PairPredictions.Remove(pair);
            }
        }
    }

    /// <summary>Counts a prediction in a pair slice (no allocation once the value pair has been seen).</summary>
    public void AddPairPrediction(string dimension, ReadOnlySpan<char> value)
    {
        if (!PairPredictions.TryGetValue(dimension, out var values))
        {
            values = new Dictionary<string, long>(StringComparer.Ordinal);
            PairPredictions[dimension] = values;
        }

        if (values.TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup) && lookup.TryGetValue(value, out var seen))
        {
            lookup[value] = seen + 1;
            return;
        }

        var text = value.ToString();
        var key = values.ContainsKey(text) || values.Count < MaxValuesPerDimension ? text : SliceKey.OtherValue;
        values[key] = values.GetValueOrDefault(key) + 1;
    }

    /// <summary>Counts a prediction's score in a slice.</summary>
    public void AddSliceScore(string dimension, string value, double score) => AddSliceScoreCount(SliceScores, dimension, value, score);

    /// <summary>Counts a score in a slice of a per-slice score table (same caps as the window's).</summary>
    public static void AddSliceScoreCount(Dictionary<string, Dictionary<string, long[]>> target, string dimension, string value, double score) =>
        AddSliceScores(target, dimension, value, SlicePredictionDrift.BinOf(score), 1);

    /// <summary>Adds per-slice score counts into <paramref name="target"/> (reference windows, roll-ups).</summary>
    public static void MergeSliceScores(Dictionary<string, Dictionary<string, long[]>> target, Dictionary<string, Dictionary<string, long[]>> source)
    {
        foreach (var (dimension, values) in source)
        {
            foreach (var (value, counts) in values)
            {
                for (var b = 0; b < counts.Length; b++)
                {
                    if (counts[b] != 0)
                    {
                        AddSliceScores(target, dimension, value, b, counts[b]);
                    }
                }
            }
        }
    }

    private static void AddSliceScores(Dictionary<string, Dictionary<string, long[]>> target, string dimension, string value, int bin, long count)
    {
        if (!target.TryGetValue(dimension, out var values))
        {
            if (target.Count >= MaxDimensions)
            {
                return;
            }

            values = new Dictionary<string, long[]>(StringComparer.Ordinal);
            target[dimension] = values;
        }

        if (!values.TryGetValue(value, out var counts))
        {
            var key = values.Count < MaxValuesPerDimension ? value : SliceKey.OtherValue;
            if (!values.TryGetValue(key, out counts))
            {
                counts = new long[SlicePredictionDrift.BinCount];
                values[key] = counts;
            }
        }

        counts[bin] += count;
    }

    private SliceCounts? _overall;
    private Dictionary<string, Dictionary<string, SliceCounts>>? _slices;

    /// <summary>The whole-model slice counts (live).</summary>
    [JsonIgnore]
    public SliceCounts? OverallCounts => _overall ??= Overall is null ? null : SliceCounts.FromParts(Overall);

    /// <summary>The per-slice counts (live).</summary>
    [JsonIgnore]
    public Dictionary<string, Dictionary<string, SliceCounts>> LiveSlices => _slices ??= Slices.ToDictionary(
        d => d.Key,
        d => d.Value.ToDictionary(v => v.Key, v => Stats.Slices.SliceCounts.FromParts(v.Value), StringComparer.Ordinal),
        StringComparer.Ordinal);

    /// <summary>Adds a joined binary pair to the whole and to each slice the prediction belongs to.</summary>
    public void AddSlices(IReadOnlyList<(string Dimension, string Value)> conditions, double score, double label, double threshold)
    {
        _overall = OverallCounts ?? new SliceCounts();
        _overall.Add(score, label, threshold);
        var slices = LiveSlices;
        foreach (var (dimension, value) in conditions)
        {
            if (!slices.TryGetValue(dimension, out var values))
            {
                if (slices.Count >= MaxDimensions)
                {
                    continue;
                }

                values = new Dictionary<string, SliceCounts>(StringComparer.Ordinal);
                slices[dimension] = values;
            }

            var key = values.ContainsKey(value) || values.Count < MaxValuesPerDimension ? value : SliceKey.OtherValue;
            if (!values.TryGetValue(key, out var counts))
            {
                counts = new SliceCounts();
                values[key] = counts;
            }

            counts.Add(score, label, threshold);
        }
    }

    /// <summary>Adds a prediction's score to the CBPE sketch.</summary>
    public void AddScore(double score)
    {
        _allScores = AllScoresSketch ?? new ScoreHistogramSketch();
        _allScores.Add(score, 0.0);
    }

    /// <summary>Adds a joined binary pair.</summary>
    public void AddBinary(double score, double label)
    {
        _binary = BinarySketch ?? new ScoreHistogramSketch();
        _binary.Add(score, label);
    }

    /// <summary>Copies the live sketches into their serializable parts (before persisting).</summary>
    public PerformanceAccumulator Freeze()
    {
        if (ByVersion is not null)
        {
            foreach (var sub in ByVersion.Values)
            {
                sub.Freeze();
            }
        }

        AllScores = _allScores?.ToParts() ?? AllScores;
        Binary = _binary?.ToParts() ?? Binary;
        if (_shadow is { Count: > 0 })
        {
            ShadowPairs = _shadow.ToDictionary(kv => kv.Key, kv => kv.Value.ToParts(), StringComparer.Ordinal);
        }

        Overall = _overall?.ToParts() ?? Overall;
        if (_slices is not null)
        {
            Slices = _slices.ToDictionary(
                d => d.Key,
                d => d.Value.ToDictionary(v => v.Key, v => v.Value.ToParts(), StringComparer.Ordinal),
                StringComparer.Ordinal);
        }

        return this;
    }

    /// <summary>
    /// Drops the serializable copies of sketches that are live (after persisting): a window's sketches are then held
    /// once in memory, not twice (~3 KB per score sketch per open window, 1,000 models and more).
    /// </summary>
    public void Thaw()
    {
        if (ByVersion is not null)
        {
            foreach (var sub in ByVersion.Values)
            {
                sub.Thaw();
            }
        }

        AllScores = _allScores is null ? AllScores : null;
        Binary = _binary is null ? Binary : null;
        ShadowPairs = _shadow is null ? ShadowPairs : null;
        Overall = _overall is null ? Overall : null;
        if (_slices is not null)
        {
            Slices.Clear();
        }
    }

    /// <summary>Removes a joined binary pair (a corrected label) from the whole, the slices and the binary sketch.</summary>
    public void RemoveBinary(IReadOnlyList<(string Dimension, string Value)> conditions, double score, double label, double threshold)
    {
        var one = new ScoreHistogramSketch();
        one.Add(score, label);
        BinarySketch?.Subtract(one);
        var row = new SliceCounts();
        row.Add(score, label, threshold);
        if (OverallCounts is { } overall)
        {
            _overall = overall.Minus(row);
        }

        foreach (var (dimension, value) in conditions)
        {
            if (LiveSlices.TryGetValue(dimension, out var values))
            {
                var key = values.ContainsKey(value) ? value : SliceKey.OtherValue;
                if (values.TryGetValue(key, out var counts) && counts.Count > 0)
                {
                    values[key] = counts.Minus(row);
                }
            }
        }
    }

    /// <summary>Removes a joined regression pair.</summary>
    public void RemoveRegression(double predicted, double actual)
    {
        var d = predicted - actual;
        RegressionCount--;
        RegressionAbsoluteError -= Math.Abs(d);
        RegressionSquaredError -= d * d;
        RegressionError -= d;
    }

    /// <summary>Removes a joined multiclass pair.</summary>
    public void RemoveClass(string actual, string predicted)
    {
        if (Confusion.TryGetValue(actual, out var row) && row.GetValueOrDefault(predicted) > 0)
        {
            row[predicted]--;
        }
    }

    /// <summary>Adds a joined regression pair.</summary>
    public void AddRegression(double predicted, double actual)
    {
        var d = predicted - actual;
        RegressionCount++;
        RegressionAbsoluteError += Math.Abs(d);
        RegressionSquaredError += d * d;
        RegressionError += d;
    }

    /// <summary>Adds a joined multiclass pair.</summary>
    public void AddClass(string actual, string predicted)
    {
        if (!Confusion.TryGetValue(actual, out var row))
        {
            row = new Dictionary<string, long>(StringComparer.Ordinal);
            Confusion[actual] = row;
        }

        row[predicted] = row.GetValueOrDefault(predicted) + 1;
    }

    /// <summary>A label value as text for class comparison.</summary>
    public static string ClassText(double? number, string? text) =>
        text ?? number?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty;
}
