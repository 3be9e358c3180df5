using System.Data.Common;

namespace Monitoring.Storage.Database.Migrations;

/// <summary>
/// One step of the schema, applied once per database in its own transaction and recorded in <c>schema_migrations</c>.
/// Steps are written so that they also succeed on a database whose tables were made by the DDL that ran before versioned
/// migrations existed (<c>IF NOT EXISTS</c>, or a check first): that is how such a database records its baseline.
/// Never change a shipped step; add a new one with the next version.
/// </summary>
/// <param name="Version">1, 2, 3 ... in the order they apply.</param>
/// <param name="Name">What the step does, for <c>schema_migrations.name</c> and the logs.</param>
/// <param name="ApplyAsync">Runs the step with a command bound to the migration's transaction.</param>
internal sealed record SchemaMigration(int Version, string Name, Func<DbCommand, CancellationToken, Task> ApplyAsync)
{
    /// <summary>A step that runs one SQL script.</summary>
    public static SchemaMigration Sql(int version, string name, string sql) => new(version, name, async (command, ct) =>
    {
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    });
}
