namespace Monitoring.Abstractions.Conventions;

// Public here; the same OtlpConventions.cs linked into Monitoring.Client stays internal there.
public static partial class OtlpConventions;
