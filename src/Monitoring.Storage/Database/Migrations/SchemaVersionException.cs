namespace Monitoring.Storage.Database.Migrations;

/// <summary>
/// The database's schema is at a version newer than this binary knows (a newer release migrated it): this binary must
/// not write to it. Upgrade the silo, or point it at another database.
/// </summary>
public sealed class SchemaVersionException : InvalidOperationException
{
    /// <summary>Creates the exception with a message naming both versions.</summary>
    public SchemaVersionException(string backend, int databaseVersion, int knownVersion)
        : base($"The {backend} database's schema is at version {databaseVersion}, newer than the newest this binary knows ({knownVersion}): " +
            "it was migrated by a newer release. Refusing to start; run that release (or newer), or use another database.")
    {
        DatabaseVersion = databaseVersion;
        KnownVersion = knownVersion;
    }

    /// <summary>Creates the exception (serialization and tooling).</summary>
    public SchemaVersionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SchemaVersionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SchemaVersionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The highest version recorded in the database's <c>schema_migrations</c>.</summary>
    public int DatabaseVersion { get; }

    /// <summary>The highest version this binary knows.</summary>
    public int KnownVersion { get; }
}
