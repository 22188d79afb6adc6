using Encore.Storage.Postgres;

namespace Encore.Storage;

/// <summary>
/// The one place that turns a store's name (a <c>--db</c> value or <c>$ENCORE_DB</c>) into an <see cref="IEventStore"/>:
/// a <c>postgres://</c> (or <c>postgresql://</c>) URL opens <see cref="PostgresEventStore"/>, anything else is a SQLite file
/// path (<see cref="SqliteEventStore"/>).
/// </summary>
public static class EventStores
{
    /// <summary>Whether <paramref name="db"/> names a PostgreSQL store rather than a file.</summary>
    public static bool IsPostgres(string? db) => PostgresAddress.IsPostgresUrl(db);

    /// <summary>Opens (creating or migrating) the store named by <paramref name="db"/> to read and write.</summary>
    /// <exception cref="PostgresUnavailableException">A PostgreSQL server that cannot be used (the message names host and port).</exception>
    /// <exception cref="InvalidDataException">Not an Encore store, or one whose schema is newer than this build.</exception>
    public static async Task<IEventStore> OpenAsync(string db, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(db);
        return IsPostgres(db)
            ? await PostgresEventStore.OpenAsync(db, ct).ConfigureAwait(false)
            : await SqliteEventStore.OpenAsync(db, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens the existing store named by <paramref name="db"/> for a command that only reads: a SQLite file is opened
    /// read-only (<see cref="SqliteEventStore.OpenReadOnlyAsync"/>); a PostgreSQL database is opened as usual (the
    /// server's permissions decide what may be written).
    /// </summary>
    public static async Task<IEventStore> OpenReadOnlyAsync(string db, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(db);
        return IsPostgres(db)
            ? await PostgresEventStore.OpenAsync(db, ct).ConfigureAwait(false)
            : await SqliteEventStore.OpenReadOnlyAsync(db, ct).ConfigureAwait(false);
    }

    /// <summary>How to show <paramref name="db"/> in messages: a URL without its password, or the file's full path.</summary>
    public static string Describe(string db)
    {
        if (!IsPostgres(db)) return Path.GetFullPath(db);
        try
        {
            return PostgresAddress.Parse(db).ToString();
        }
        catch (ArgumentException)
        {
            return "a postgres:// URL";
        }
    }

    /// <summary>
    /// Where the model registry of the store named by <paramref name="db"/> lives: beside a SQLite file as <c>DB.models/</c>
    /// with <c>DB.model</c> the file `encore train` writes; for a PostgreSQL store in
    /// <see cref="EncorePaths.LocalFolderForServer"/> (<c>$XDG_DATA_HOME/encore/postgres/HOST-PORT-DATABASE/</c>) as
    /// <c>models/</c> and <c>encore.model</c>.
    /// </summary>
    public static (string ModelsDirectory, string ModelFile) ModelPaths(string db)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(db);
        if (!IsPostgres(db)) return (db + ".models", db + ".model");
        var a = PostgresAddress.Parse(db);
        var folder = EncorePaths.LocalFolderForServer(a.Host, a.Port, a.Database);
        return (Path.Combine(folder, "models"), Path.Combine(folder, "encore.model"));
    }
}
