using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Storage.Database;
using Npgsql;

namespace Monitoring.Storage;

/// <summary>One stored document: a JSON text under an id in a named collection.</summary>
/// <param name="Collection">The collection (e.g. "incidents").</param>
/// <param name="Id">The document's id in its collection.</param>
/// <param name="Json">The document.</param>
public sealed record StoredDocument(string Collection, string Id, string Json);

/// <summary>One change of a document: an upsert, or a delete when <see cref="Json"/> is null.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="Id">The document's id.</param>
/// <param name="Json">The new document, or null to delete it.</param>
public readonly record struct DocumentWrite(string Collection, string Id, string? Json);

/// <summary>
/// Small JSON documents by collection and id, written in batches: what a grain keeps as many independent records
/// (incidents, notification-log entries, held alerts, silences) stores one row per record, so a change writes the
/// records that changed instead of the whole state.
/// </summary>
public interface IDocumentStore
{
    /// <summary>Every document of a collection, ordered by id.</summary>
    Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default);

    /// <summary>Applies the changes in one durable transaction (all or none).</summary>
    Task WriteAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken = default);
}

/// <summary>Documents in the <c>documents</c> table of a SQLite or PostgreSQL database.</summary>
public sealed class SqlDocumentStore : IDocumentStore, IAsyncDisposable, IDisposable
{
    private const string UpsertSql =
        """
        INSERT INTO documents (collection, id, json) VALUES (@collection, @id, @json)
        ON CONFLICT (collection, id) DO UPDATE SET json = excluded.json
        """;

    private const string DeleteSql = "DELETE FROM documents WHERE collection = @collection AND id = @id";

    private const string ListSql = "SELECT id, json FROM documents WHERE collection = @collection ORDER BY id";

    private readonly StorageDatabase _database;
    private readonly SchemaGate _schema;

    internal SqlDocumentStore(StorageDatabase database, ILogger logger)
    {
        _database = database;
        _schema = new SchemaGate(database, "document store", logger);
    }

    /// <summary>Opens (creating if needed) the document store in a SQLite database file.</summary>
    /// <param name="databasePath">The database file.</param>
    /// <param name="loggerFactory">Optional logging.</param>
    public static SqlDocumentStore CreateSqlite(string databasePath, ILoggerFactory? loggerFactory = null) =>
        new(new SqliteDatabase(databasePath), CreateLogger(loggerFactory));

    /// <summary>Opens the document store in a PostgreSQL database (the table is created if missing).</summary>
    /// <param name="connectionString">Npgsql connection string.</param>
    /// <param name="loggerFactory">Optional logging.</param>
    public static SqlDocumentStore CreatePostgres(string connectionString, ILoggerFactory? loggerFactory = null) =>
        new(new PostgresDatabase(NpgsqlDataSource.Create(connectionString), ownsDataSource: true), CreateLogger(loggerFactory));

    /// <summary>Creates the table if it does not exist; every other call does this first on its own.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = ListSql;
                StorageDatabase.AddParameter(command, "collection", collection);
                var documents = new List<StoredDocument>();
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        documents.Add(new StoredDocument(collection, reader.GetString(0), reader.GetString(1)));
                    }
                }

                return documents;
            }
        }
    }

    /// <inheritdoc />
    public async Task WriteAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return;
        }

        foreach (var w in writes)
        {
            ArgumentException.ThrowIfNullOrEmpty(w.Collection, nameof(writes));
            ArgumentNullException.ThrowIfNull(w.Id, nameof(writes));
        }

        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        using var turn = await _database.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await _database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var upsert = Prepare(connection, transaction, UpsertSql, withJson: true);
                var delete = Prepare(connection, transaction, DeleteSql, withJson: false);
                await using (upsert.ConfigureAwait(false))
                await using (delete.ConfigureAwait(false))
                {
                    foreach (var w in writes)
                    {
                        var command = w.Json is null ? delete : upsert;
                        command.Parameters[0].Value = w.Collection;
                        command.Parameters[1].Value = w.Id;
                        if (w.Json is not null)
                        {
                            command.Parameters[2].Value = w.Json;
                        }

                        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static DbCommand Prepare(DbConnection connection, DbTransaction transaction, string sql, bool withJson)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        StorageDatabase.AddParameter(command, "collection", string.Empty);
        StorageDatabase.AddParameter(command, "id", string.Empty);
        if (withJson)
        {
            StorageDatabase.AddParameter(command, "json", string.Empty);
        }

        return command;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static ILogger CreateLogger(ILoggerFactory? loggerFactory) =>
        loggerFactory?.CreateLogger<SqlDocumentStore>() ?? (ILogger)NullLogger.Instance;
}
