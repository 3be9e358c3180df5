namespace Monitoring.Reports.Components.Errors;

/// <summary>A 404 or 400 page: what was asked for and why it cannot be shown.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Title">Heading ("Not found", "Bad request").</param>
/// <param name="Field">The path or query parameter at fault.</param>
/// <param name="Message">Why.</param>
public sealed record ErrorPage(int Status, string Title, string Field, string Message);
