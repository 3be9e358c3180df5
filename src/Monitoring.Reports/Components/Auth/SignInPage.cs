namespace Monitoring.Reports.Components.Auth;

/// <summary>The sign-in page: a form that takes an API key (never echoed back) and where to go afterwards.</summary>
/// <param name="ReturnPath">The local path to go back to after signing in.</param>
/// <param name="Problem">Why the last attempt failed, or why sign-in is needed; null for none.</param>
/// <param name="SignedInAs">The tenant and key id of the current session, or null when signed out.</param>
public sealed record SignInPage(string ReturnPath, string? Problem, string? SignedInAs);
