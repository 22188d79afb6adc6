using Encore.Core;
using Microsoft.Data.Sqlite;

namespace Encore.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with <c>synchronous=NORMAL</c>, so a committed batch
/// survives the process being killed (the WAL is written before the commit returns; only an OS crash or
/// power loss may lose the last commits). One writer connection, serialised by a lock, reuses prepared
/// statements; every streaming read opens its own connection, so reads run beside writes.
/// </summary>
/// <remarks>
/// Appends land as one BLOB per batch in <c>pending_batches</c> and are sealed into segments every 100,000
/// events: see SqliteEventStore.Append.cs, SegmentWriter and migration 5 for why. Reads always see every
/// acknowledged event, pending or sealed. Several processes may open one file; each notices the others'
/// commits (<c>PRAGMA data_version</c>) and reloads its caches, and writes are serialised by SQLite.
/// </remarks>
public sealed partial class SqliteEventStore : IEventStore
{
    private readonly SqliteConnection _writer;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _disposed;

    private SqliteEventStore(string path, SqliteConnection writer, string connectionString, int schemaVersion, bool readOnly)
    {
        Path = path;
        IsReadOnly = readOnly;
        _writer = writer;
        _connectionString = connectionString;
        SchemaVersion = schemaVersion;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Location => Path;

    // Properties live in a table of their own, made by the first write of one: a file from before it (or one opened
    // read-only) simply has none, so no migration is needed for it.
    /// <inheritdoc />
    public async Task<string?> GetPropertyAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'store_properties'";
        if ((long)(await c.ExecuteScalarAsync(ct).ConfigureAwait(false))! == 0) return null;
        c.CommandText = "SELECT value FROM store_properties WHERE name = $name";
        c.Parameters.AddWithValue("$name", name);
        return await c.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
    }

    /// <inheritdoc />
    public async Task SetPropertyAsync(string name, string? value, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ThrowIfReadOnly();
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var tx = _writer.BeginTransaction();
            using var c = _writer.CreateCommand();
            c.Transaction = tx;
            c.CommandText = "CREATE TABLE IF NOT EXISTS store_properties (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID";
            c.ExecuteNonQuery();
            c.CommandText = value is null
                ? "DELETE FROM store_properties WHERE name = $name"
                : "INSERT INTO store_properties (name, value) VALUES ($name, $value) ON CONFLICT (name) DO UPDATE SET value = excluded.value";
            c.Parameters.AddWithValue("$name", name);
            if (value is not null) c.Parameters.AddWithValue("$value", value);
            c.ExecuteNonQuery();
            tx.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The schema version of the open file (always the latest once opened).</summary>
    public int SchemaVersion { get; }

    /// <summary>The schema version this build writes.</summary>
    public static int LatestSchemaVersion => SqliteSchema.LatestVersion;

    /// <summary>Opens (creating the folders and the file if needed) and migrates the database at <paramref name="path"/>.</summary>
    public static Task<SqliteEventStore> OpenAsync(string path, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ct.ThrowIfCancellationRequested();
        var fullPath = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        return Task.FromResult(Open(fullPath, readOnly: false, immutable: false));
    }

    /// <summary>
    /// Opens the existing database at <paramref name="path"/> for reading only: nothing is written to it (no
    /// migration, no merge), so a file the user may not write (or a folder they may not write beside it) can
    /// be read. Every write through this store is refused with an <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not an Encore database, or one whose schema this build would first have to upgrade (or cannot read).</exception>
    public static Task<SqliteEventStore> OpenReadOnlyAsync(string path, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ct.ThrowIfCancellationRequested();
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new FileNotFoundException($"{fullPath}: no such database", fullPath);
        try
        {
            return Task.FromResult(Open(fullPath, readOnly: true, immutable: false));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 14 || e.SqliteErrorCode == 8)
        {
            // SQLITE_CANTOPEN / SQLITE_READONLY: a WAL file's shared-memory index cannot be created beside it (a
            // read-only folder). Nobody can be writing such a file, so it is read as immutable.
            return Task.FromResult(Open(fullPath, readOnly: true, immutable: true));
        }
    }

    private static SqliteEventStore Open(string fullPath, bool readOnly, bool immutable)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = immutable ? new Uri(fullPath).AbsoluteUri + "?immutable=1" : fullPath,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            // Pooled connections would keep the file open after the store is disposed.
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        var writer = new SqliteConnection(connectionString);
        try
        {
            int version;
            try
            {
                writer.Open();
                if (!readOnly)
                {
                    // SQLite quietly opens a file it may not write read-only; say so now rather than at the first write.
                    if (SQLitePCL.raw.sqlite3_db_readonly(writer.Handle, "main") == 1)
                        throw new UnauthorizedAccessException($"{fullPath}: the file cannot be written (no write permission on it or its folder); commands that only read can still open it");
                    // 8 KiB pages cut a merge's B-tree work by about an eighth against 4 KiB (measured with the
                    // merge SQL). Only a new, empty file takes it; an existing one keeps its page size.
                    Execute(writer, "PRAGMA page_size = 8192");
                    Execute(writer, "PRAGMA journal_mode = WAL");
                    Execute(writer, "PRAGMA synchronous = NORMAL");
                }
                // A large page cache (256 MiB, taken only as the file grows) keeps the indexes a merge updates in memory.
                Execute(writer, "PRAGMA cache_size = -262144");
                Execute(writer, "PRAGMA temp_store = MEMORY");
                version = readOnly ? SqliteSchema.RequireLatest(writer, fullPath) : SqliteSchema.Migrate(writer, fullPath);
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 26 or 11)
            {
                // SQLITE_NOTADB, SQLITE_CORRUPT: say which file, not just what SQLite felt.
                throw new InvalidDataException($"{fullPath}: not an Encore database, or corrupt ({e.Message})", e);
            }
            var store = new SqliteEventStore(fullPath, writer, connectionString, version, readOnly);
            store.RefreshIfChangedElsewhere();
            return store;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Whether this store was opened with <see cref="OpenReadOnlyAsync"/>.</summary>
    public bool IsReadOnly { get; }

    private void ThrowIfReadOnly()
    {
        if (IsReadOnly) throw new InvalidOperationException($"{Path} was opened read-only; writing to it needs SqliteEventStore.OpenAsync");
    }

    /// <inheritdoc />
    public async Task<StoreStatistics> GetStatisticsAsync(CancellationToken ct = default)
    {
        // Members first, then one snapshot of the log: counts by kind and the date range come from the
        // segments' summaries and the pending events, never from a scan of the log.
        long members, titles;
        await using (var connection = await OpenReaderAsync(ct).ConfigureAwait(false))
        {
            using var c = connection.CreateCommand();
            c.CommandText = $"SELECT (SELECT count(*) FROM {AllMembers}), (SELECT count(*) FROM titles)";
            using var r = c.ExecuteReader();
            r.Read();
            members = r.GetInt64(0);
            titles = r.GetInt64(1);
        }
        await using var snapshot = await OpenSnapshotAsync(null, ct).ConfigureAwait(false);
        var db = snapshot.Connection.Handle!;
        var byKind = new Dictionary<EventKind, long>();
        long events = 0, first = long.MaxValue, last = long.MinValue;
        using (var kinds = new RawStatement(db, "SELECT kind, sum(events) FROM segment_kind_counts GROUP BY kind"))
        {
            while (kinds.Read())
            {
                var kind = (EventKind)kinds.ColumnInt64(0);
                byKind[kind] = kinds.ColumnInt64(1);
                events += kinds.ColumnInt64(1);
            }
            kinds.Reset();
        }
        using (var range = new RawStatement(db, "SELECT min(min_ts), max(max_ts) FROM segments"))
        {
            if (range.Read() && !range.IsNull(0))
            {
                first = range.ColumnInt64(0);
                last = range.ColumnInt64(1);
            }
            range.Reset();
        }
        foreach (var pending in snapshot.Pending)
        {
            for (int i = 0; i < pending.Count; i++)
            {
                var kind = (EventKind)pending.Kind[i];
                byKind[kind] = byKind.GetValueOrDefault(kind) + 1;
                first = Math.Min(first, pending.Ts[i]);
                last = Math.Max(last, pending.Ts[i]);
            }
            events += pending.Count;
        }
        return events == 0
            ? new StoreStatistics(members, titles, 0, byKind, null, null)
            : new StoreStatistics(members, titles, events, byKind, FromUnixMs(first), FromUnixMs(last));
    }

    /// <summary>Bytes the database occupies on disk now (the file plus its WAL).</summary>
    public long SizeOnDisk()
    {
        long size = 0;
        foreach (var suffix in new[] { "", "-wal" })
        {
            var f = new FileInfo(Path + suffix);
            if (f.Exists) size += f.Length;
        }
        return size;
    }

    /// <summary>
    /// Moves the WAL's pages into the main file and truncates the WAL (SQLite also does this on its own as the
    /// WAL grows, and when the last connection closes).
    /// </summary>
    public async Task CheckpointAsync(CancellationToken ct = default)
    {
        ThrowIfReadOnly();
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            Execute(_writer, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Runs SQLite's integrity check; returns "ok" for a sound file, else the problems found.</summary>
    public async Task<string> CheckIntegrityAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        using var c = connection.CreateCommand();
        c.CommandText = "PRAGMA integrity_check";
        using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var lines = new List<string>();
        while (await r.ReadAsync(ct).ConfigureAwait(false)) lines.Add(r.GetString(0));
        return string.Join('\n', lines);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            // Pending events stay pending: they are durable, reads see them, and the next store seals them.
            _disposed = true;
            DisposeStatements();
            _writer.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// A connection for one read. Reads never write: members staged by appends (not yet moved to their table
    /// by a seal) are read beside the table (<see cref="AllMembers"/>), so a read-only file reads the same.
    /// </summary>
    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            // Its statements run through the C API (RawStatement), which Microsoft.Data.Sqlite does not retry:
            // let SQLite wait when another connection briefly holds the WAL index. (The writer waits for the
            // write lock in BeginWrite instead: a busy handler on it cost 5% of ingest.)
            Execute(connection, "PRAGMA busy_timeout = 30000");
            Execute(connection, "PRAGMA cache_size = -16384");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var c = connection.CreateCommand();
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }

    internal static long ToUnixMs(DateTime time) => UnixTime.Milliseconds(time);

    internal static DateTime FromUnixMs(long ms) => UnixTime.FromMilliseconds(ms);
}
