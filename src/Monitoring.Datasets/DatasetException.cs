namespace Monitoring.Datasets;

/// <summary>A problem with an input file; the message names the file, row and column at fault and is safe to show.</summary>
public sealed class DatasetException(string message) : Exception(message);
