namespace Monitoring.Abstractions.Models;

/// <summary>One column of an uploaded reference: numbers (numeric feature) or strings (categorical); null entries are nulls.</summary>
/// <param name="Name">Feature name; the prediction columns are named <c>ml.prediction.score</c>, <c>ml.prediction.value</c>, <c>ml.prediction.class</c>.</param>
/// <param name="Numbers">Numeric values (NaN = null), when numeric.</param>
/// <param name="Texts">Categorical values (null = null), when categorical.</param>
[GenerateSerializer, Immutable, Alias("monitoring.reference-column")]
public sealed record ReferenceColumn([property: Id(0)] string Name, [property: Id(1)] double[]? Numbers, [property: Id(2)] string?[]? Texts);

/// <summary>An uploaded reference dataset.</summary>
/// <param name="Source">Where it came from (file name), for reports.</param>
/// <param name="Rows">Rows in the file.</param>
/// <param name="Columns">The columns.</param>
[GenerateSerializer, Immutable, Alias("monitoring.reference-upload")]
public sealed record ReferenceUpload([property: Id(0)] string Source, [property: Id(1)] int Rows, [property: Id(2)] ReferenceColumn[] Columns);
