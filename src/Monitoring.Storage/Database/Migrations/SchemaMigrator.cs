using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace Monitoring.Storage.Database.Migrations;

/// <summary>
/// Brings a database to the newest schema version this binary knows. Each pending step runs in its own transaction that
/// first takes the database's migration lock (PostgreSQL: <c>pg_advisory_xact_lock</c> on a fixed key; SQLite:
/// <c>BEGIN IMMEDIATE</c>, its write lock), then reads <c>schema_migrations</c> again: so when several silos start at
/// once, one applies a step while the others wait, and they then find it recorded and move on. Every step is applied
/// exactly once. A database recorded at a newer version than the binary knows is refused (<see cref="SchemaVersionException"/>).
/// </summary>
internal static class SchemaMigrator
{
    /// <summary>Applies every pending migration of <paramref name="database"/>; returns how many this call applied.</summary>
    public static async Task<int> MigrateAsync(StorageDatabase database, ILogger logger, CancellationToken cancellationToken)
    {
        var migrations = database.Migrations;
        var known = migrations[^1].Version;
        var applied = 0;
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await database.PrepareMigrationAsync(connection, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var transaction = await database.BeginMigrationAsync(connection, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var command = connection.CreateCommand();
                    await using (command.ConfigureAwait(false))
                    {
                        command.Transaction = transaction;
                        var recorded = await ReadRecordedAsync(database, command, cancellationToken).ConfigureAwait(false);
                        if (recorded.Count > 0 && recorded.Max() > known)
                        {
                            throw new SchemaVersionException(database.BackendName, recorded.Max(), known);
                        }

                        var next = migrations.FirstOrDefault(m => !recorded.Contains(m.Version));
                        if (next is null)
                        {
                            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                            return applied;
                        }

                        if (recorded.Count == 0 && await HasTableAsync(database, command, "events", cancellationToken).ConfigureAwait(false))
                        {
                            StorageLog.SchemaBaseline(logger, database.BackendName);
                        }

                        command.Parameters.Clear();
                        await next.ApplyAsync(command, cancellationToken).ConfigureAwait(false);
                        command.Parameters.Clear();
                        command.CommandText = "INSERT INTO schema_migrations (version, name) VALUES (@version, @name)";
                        StorageDatabase.AddParameter(command, "version", next.Version);
                        StorageDatabase.AddParameter(command, "name", next.Name);
                        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        applied++;
                        StorageLog.MigrationApplied(logger, next.Version, next.Name, database.BackendName);
                    }
                }
            }
        }
    }

    /// <summary>The versions recorded in <c>schema_migrations</c> (created here, under the lock, when missing).</summary>
    private static async Task<HashSet<int>> ReadRecordedAsync(StorageDatabase database, DbCommand command, CancellationToken cancellationToken)
    {
        command.CommandText = database.MigrationTableSchema;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        command.CommandText = "SELECT version FROM schema_migrations";
        var versions = new HashSet<int>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                versions.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return versions;
    }

    private static async Task<bool> HasTableAsync(StorageDatabase database, DbCommand command, string table, CancellationToken cancellationToken)
    {
        command.Parameters.Clear();
        command.CommandText = database.TableExistsSql;
        StorageDatabase.AddParameter(command, "table", table);
        var found = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        command.Parameters.Clear();
        return found is not null and not DBNull && Convert.ToInt64(found, System.Globalization.CultureInfo.InvariantCulture) > 0;
    }
}
