using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Storage.Reminders;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Monitoring.Storage.Hosting;

/// <summary>Registers the event log, report store and Orleans grain storage over SQLite or PostgreSQL.</summary>
public static class MonitoringStorageExtensions
{
    /// <summary>
    /// Registers <see cref="IEventLog"/>, <see cref="IReportStore"/> and <see cref="IDocumentStore"/> (singletons, disposed with the container) over
    /// one SQLite database file (WAL, synchronous=FULL). Tables are created when the host starts (or on first use).
    /// </summary>
    public static IServiceCollection AddMonitoringSqlite(this IServiceCollection services, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        services.AddSingleton(sp => DurableEventLog.CreateSqlite(databasePath, sp.GetService<ILoggerFactory>()));
        services.AddSingleton(sp => SqlReportStore.CreateSqlite(databasePath, sp.GetService<ILoggerFactory>()));
        services.AddSingleton(sp => SqlDocumentStore.CreateSqlite(databasePath, sp.GetService<ILoggerFactory>()));
        return AddInterfaces(services);
    }

    /// <summary>
    /// Registers <see cref="IEventLog"/>, <see cref="IReportStore"/> and <see cref="IDocumentStore"/> (singletons, disposed with the container) over a
    /// PostgreSQL database. Tables are created when the host starts (or on first use).
    /// </summary>
    public static IServiceCollection AddMonitoringPostgres(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        services.AddSingleton(sp => DurableEventLog.CreatePostgres(connectionString, sp.GetService<ILoggerFactory>()));
        services.AddSingleton(sp => SqlReportStore.CreatePostgres(connectionString, sp.GetService<ILoggerFactory>()));
        services.AddSingleton(sp => SqlDocumentStore.CreatePostgres(connectionString, sp.GetService<ILoggerFactory>()));
        return AddInterfaces(services);
    }

    /// <summary>Registers a named Orleans grain storage in a SQLite database file.</summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">Storage name, as in <c>[PersistentState("state", name)]</c>.</param>
    /// <param name="databasePath">The database file (may be the one given to <see cref="AddMonitoringSqlite"/>).</param>
    public static IServiceCollection AddMonitoringSqliteGrainStorage(this IServiceCollection services, string name, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        return services.AddGrainStorage(name, (sp, _) => MonitoringGrainStorage.CreateSqlite(
            databasePath, GrainStateSerializer.Create(sp), sp.GetService<ILoggerFactory>()));
    }

    /// <summary>Registers a named Orleans grain storage in a PostgreSQL database.</summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">Storage name, as in <c>[PersistentState("state", name)]</c>.</param>
    /// <param name="connectionString">Npgsql connection string.</param>
    public static IServiceCollection AddMonitoringPostgresGrainStorage(this IServiceCollection services, string name, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return services.AddGrainStorage(name, (sp, _) => MonitoringGrainStorage.CreatePostgres(
            connectionString, GrainStateSerializer.Create(sp), sp.GetService<ILoggerFactory>()));
    }

    /// <summary>Registers a named Orleans grain storage in a SQLite database file.</summary>
    /// <param name="builder">The silo.</param>
    /// <param name="name">Storage name, as in <c>[PersistentState("state", name)]</c>.</param>
    /// <param name="databasePath">The database file.</param>
    public static ISiloBuilder AddMonitoringSqliteStorage(this ISiloBuilder builder, string name, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMonitoringSqliteGrainStorage(name, databasePath);
        return builder;
    }

    /// <summary>Registers a named Orleans grain storage in a PostgreSQL database.</summary>
    /// <param name="builder">The silo.</param>
    /// <param name="name">Storage name, as in <c>[PersistentState("state", name)]</c>.</param>
    /// <param name="connectionString">Npgsql connection string.</param>
    public static ISiloBuilder AddMonitoringPostgresStorage(this ISiloBuilder builder, string name, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMonitoringPostgresGrainStorage(name, connectionString);
        return builder;
    }

    /// <summary>
    /// Orleans reminders kept in the <c>reminders</c> table of a SQLite database file (<see cref="SqlReminderTable"/>),
    /// under the silo's <see cref="ClusterOptions.ServiceId"/>.
    /// </summary>
    public static ISiloBuilder AddMonitoringSqliteReminders(this ISiloBuilder builder, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        builder.AddReminders();
        builder.Services.AddSingleton<IReminderTable>(sp => SqlReminderTable.CreateSqlite(
            databasePath, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, sp.GetService<ILoggerFactory>()));
        return builder;
    }

    /// <summary>
    /// Orleans reminders kept in the <c>reminders</c> table of a PostgreSQL database (<see cref="SqlReminderTable"/>),
    /// under the silo's <see cref="ClusterOptions.ServiceId"/>.
    /// </summary>
    public static ISiloBuilder AddMonitoringPostgresReminders(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        builder.AddReminders();
        builder.Services.AddSingleton<IReminderTable>(sp => SqlReminderTable.CreatePostgres(
            connectionString, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, sp.GetService<ILoggerFactory>()));
        return builder;
    }

    private static IServiceCollection AddInterfaces(IServiceCollection services)
    {
        services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<DurableEventLog>());
        services.AddSingleton<IReportStore>(sp => sp.GetRequiredService<SqlReportStore>());
        services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<SqlDocumentStore>());
        services.AddHostedService<MonitoringStorageInitializer>();
        return services;
    }
}
