using Encore.Storage.Models;
using Encore.Storage.Postgres;

namespace Encore.Storage;

/// <summary>
/// The one place that chooses where a store's trained models are kept: a PostgreSQL event store keeps them in its own
/// database (<see cref="PostgresModelStore"/>, so every node on that database sees the same versions); a SQLite store
/// keeps them in a folder beside it (<see cref="FileModelStore"/>, <see cref="EventStores.ModelPaths"/>).
/// </summary>
public static class ModelStores
{
    /// <summary>The model store for <paramref name="store"/>; <paramref name="directory"/> is the folder a file store uses.</summary>
    public static IModelStore For(IEventStore store, string directory)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store is PostgresEventStore postgres ? new PostgresModelStore(postgres.Address) : new FileModelStore(directory);
    }

    /// <summary>
    /// The model store of the store named by <paramref name="db"/> (a <c>--db</c> value), without opening its events:
    /// the database's model tables (migrating its schema) for a <c>postgres://</c> URL, else <c>DB.models/</c>.
    /// </summary>
    public static async Task<IModelStore> OpenAsync(string db, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(db);
        return EventStores.IsPostgres(db)
            ? await PostgresModelStore.OpenAsync(db, ct).ConfigureAwait(false)
            : new FileModelStore(EventStores.ModelPaths(db).ModelsDirectory);
    }
}
