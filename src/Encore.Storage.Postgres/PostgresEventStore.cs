using System.Net.Sockets;
using Encore.Core;
using Npgsql;

namespace Encore.Storage.Postgres;

/// <summary>
/// The event store on a PostgreSQL server (Npgsql), for services that outgrow one machine's SQLite file. It keeps
/// the same contract as <see cref="SqliteEventStore"/>: dense member/title/episode keys (1..N, never reused), tombstones
/// for removed titles and members, idempotent appends by event id, streaming reads in time order.
/// </summary>
/// <remarks>
/// <para>Appends: one transaction per batch. The batch is sent by binary COPY into a session-local staging table, then
/// <c>INSERT INTO event_ids ... ON CONFLICT DO NOTHING</c> decides which events are new (the others are reported as
/// duplicates), new members and titles get the next dense keys, and the accepted events go into <c>events</c> in one
/// <c>INSERT ... SELECT</c>. Every write that assigns keys holds a transaction-level advisory lock, so keys stay dense
/// (no gaps from rolled-back sequences) when several processes write. A batch is durable once the commit returns
/// (PostgreSQL's default <c>synchronous_commit = on</c>).</para>
/// <para>Layout: <c>events</c> is range-partitioned by month of its timestamp and indexed by (ts, seq), by
/// (member_key, ts, seq) and by (title_key, ts, seq): training reads walk the time index one page at a time (keyset
/// paging, so no read holds a transaction or a lock for long), a member's history is one index range per partition.</para>
/// </remarks>
public sealed partial class PostgresEventStore : IEventStore
{
    private readonly NpgsqlDataSource _source;
    // Pages of the log: these sessions never scan or sort a partition whole (see OpenReaderAsync).
    private readonly NpgsqlDataSource _readSource;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private NpgsqlConnection? _writer;
    private bool _disposed;

    private PostgresEventStore(PostgresAddress address, NpgsqlDataSource source, int schemaVersion)
    {
        Address = address;
        _source = source;
        _readSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(address.ConnectionString)
        {
            Options = "-c enable_seqscan=off -c enable_sort=off -c enable_hashjoin=off -c enable_mergejoin=off",
        }.ConnectionString);
        SchemaVersion = schemaVersion;
    }

    /// <summary>The server and database (no password).</summary>
    public PostgresAddress Address { get; }

    /// <inheritdoc />
    public string Location => Address.ToString();

    /// <summary>The schema version of the database (always the latest once opened).</summary>
    public int SchemaVersion { get; }

    /// <summary>The schema version this build writes.</summary>
    public static int LatestSchemaVersion => PostgresSchema.LatestVersion;

    /// <summary>Events per page of a streaming read: each page is one short query (keyset paging on (ts, seq)).</summary>
    internal int PageSize { get; set; } = 20_000;

    /// <summary>Opens the store at a <c>postgres://</c> URL, creating or migrating its tables.</summary>
    /// <exception cref="PostgresUnavailableException">The server cannot be reached, refuses the login, or has no such database.</exception>
    /// <exception cref="InvalidDataException">The database's schema is newer than this build.</exception>
    public static Task<PostgresEventStore> OpenAsync(string url, CancellationToken ct = default)
        => OpenAsync(PostgresAddress.Parse(url), ct);

    /// <inheritdoc cref="OpenAsync(string, CancellationToken)"/>
    public static async Task<PostgresEventStore> OpenAsync(PostgresAddress address, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var source = NpgsqlDataSource.Create(address.ConnectionString);
        try
        {
            int version;
            await using (var connection = await OpenConnectionAsync(source, address, ct).ConfigureAwait(false))
                version = await PostgresSchema.MigrateAsync(connection, address.ToString(), ct).ConfigureAwait(false);
            return new PostgresEventStore(address, source, version);
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<NpgsqlConnection> OpenConnectionAsync(NpgsqlDataSource source, PostgresAddress address, CancellationToken ct)
    {
        try
        {
            return await source.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            throw Explain(e, address);
        }
    }

    /// <summary>Turns a failure to connect into a message that names the server and the cause (never the password).</summary>
    internal static Exception Explain(Exception e, PostgresAddress a)
    {
        var where = $"PostgreSQL at {a.Host}:{a.Port}";
        if (e is PostgresException pg)
        {
            return pg.SqlState switch
            {
                "3D000" => new PostgresUnavailableException($"{where}: database \"{a.Database}\" does not exist; create it (e.g. `createdb -h {a.Host} -p {a.Port} {a.Database}`)", e),
                "28P01" or "28000" => new PostgresUnavailableException($"{where} refused the login of user \"{a.User ?? Environment.UserName}\" to database \"{a.Database}\": {pg.MessageText}", e),
                "53300" => new PostgresUnavailableException($"{where} has no connection slot left: {pg.MessageText}", e),
                _ => new PostgresUnavailableException($"{where}, database \"{a.Database}\": {pg.MessageText} (SQLSTATE {pg.SqlState})", e),
            };
        }
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
                return new PostgresUnavailableException($"{where} is unreachable: {socket.Message} (is the server running and listening on that address and port?)", e);
            if (inner is TimeoutException)
                return new PostgresUnavailableException($"{where} is unreachable: no answer within the connection timeout", e);
        }
        return new PostgresUnavailableException($"{where} is unreachable: {e.Message}", e);
    }

    /// <summary>A pooled connection for one read or one short write.</summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await OpenConnectionAsync(_source, Address, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A pooled connection for a page of the event log. Its session plans with sequential scans, sorts and hash or
    /// merge joins discouraged: a page is a keyset range on (ts, seq) or (member_key, ts, seq) with a LIMIT, which the
    /// indexes answer in order, but right after a bulk load (no statistics yet) the planner would otherwise scan and
    /// sort whole partitions for every page.
    /// </summary>
    private async Task<NpgsqlConnection> OpenReaderAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await OpenConnectionAsync(_readSource, Address, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The writer's own connection, with its staging tables (temporary, emptied at each commit). Reopened if the
    /// last one broke. Caller holds <see cref="_writeLock"/>.
    /// </summary>
    private async Task<NpgsqlConnection> WriterAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is { State: System.Data.ConnectionState.Open }) return _writer;
        if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
        var connection = await OpenAsync(ct).ConfigureAwait(false);
        try
        {
            await using var c = new NpgsqlCommand("""
                CREATE TEMP TABLE encore_staging (
                    ord integer NOT NULL, event_id text NOT NULL, kind smallint NOT NULL, member_id text NOT NULL, title_id text,
                    episode_id text, device smallint NOT NULL, ts bigint NOT NULL, session_id text NOT NULL,
                    position double precision, rating double precision, pause_seconds double precision, seek_from double precision,
                    query text, results text[], row_name text, row_position integer, propensity double precision) ON COMMIT DELETE ROWS;
                CREATE TEMP TABLE encore_member_staging (
                    ord integer NOT NULL, id text NOT NULL, joined_ms bigint, country text, attributes text NOT NULL, maturity_limit text
                    ) ON COMMIT DELETE ROWS;
                CREATE TEMP TABLE encore_title_staging (
                    ord integer NOT NULL, id text NOT NULL, name text NOT NULL, kind smallint NOT NULL, runtime_seconds integer NOT NULL,
                    maturity_rating text, language text, release_date date, available_from_ms bigint, available_until_ms bigint,
                    genres text[] NOT NULL, cast_members text[] NOT NULL, directors text[] NOT NULL) ON COMMIT DELETE ROWS;
                CREATE TEMP TABLE encore_episode_staging (
                    ord integer NOT NULL, title_id text NOT NULL, id text NOT NULL, season integer NOT NULL, number integer NOT NULL,
                    name text NOT NULL, runtime_seconds integer NOT NULL) ON COMMIT DELETE ROWS;
                -- A batch joins a thousand staged rows to tables of millions: index probes, never a hash of the big table
                -- (the staging tables have no statistics, so the planner cannot tell on its own).
                SET enable_hashjoin = off;
                SET enable_mergejoin = off;
                """, connection);
            await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return _writer = connection;
    }

    /// <summary>Runs <paramref name="write"/> on the writer connection under the write lock, in one transaction.</summary>
    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> write, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var connection = await WriterAsync(ct).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var result = await write(connection, tx).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            PartitionsCommitted();
            return result;
        }
        catch (NpgsqlException e) when (e is not PostgresException && !ct.IsCancellationRequested)
        {
            // The connection itself failed (server gone, network): say where.
            throw Explain(e, Address);
        }
        finally
        {
            _pendingPartitions = null;
            _writeLock.Release();
        }
    }

    /// <summary>Takes the transaction-level advisory lock that serialises key assignment across processes.</summary>
    private static async Task LockKeysAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var c = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@k)", connection, tx);
        c.Parameters.AddWithValue("k", PostgresSchema.WriteLock);
        await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Marks the catalogue changed, so every process's <see cref="GetCatalogueSnapshotAsync"/> rebuilds its snapshot.</summary>
    private const string BumpCatalogue = "UPDATE store_counters SET value = value + 1 WHERE name = 'catalogue'";

    /// <inheritdoc />
    public async Task<string?> GetPropertyAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var c = new NpgsqlCommand("SELECT value FROM store_properties WHERE name = @name", connection);
        c.Parameters.AddWithValue("name", name);
        return await c.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
    }

    /// <inheritdoc />
    public async Task SetPropertyAsync(string name, string? value, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (value is not null) CheckText(value, $"property {name}");
        await WriteAsync(async (connection, tx) =>
        {
            await using var c = new NpgsqlCommand(value is null
                ? "DELETE FROM store_properties WHERE name = @name"
                : "INSERT INTO store_properties (name, value) VALUES (@name, @value) ON CONFLICT (name) DO UPDATE SET value = excluded.value", connection, tx);
            c.Parameters.AddWithValue("name", name);
            if (value is not null) c.Parameters.AddWithValue("value", value);
            return await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<StoreStatistics> GetStatisticsAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        // One snapshot for all the counts; events by kind are kept by the appends, the date range comes from the time index.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        await using var c = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM titles), (SELECT min(ts) FROM events), (SELECT max(ts) FROM events);
            SELECT kind, events FROM event_counts WHERE events > 0;
            """, connection, tx);
        await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await r.ReadAsync(ct).ConfigureAwait(false);
        long members = r.GetInt64(0), titles = r.GetInt64(1);
        long? first = r.IsDBNull(2) ? null : r.GetInt64(2), last = r.IsDBNull(3) ? null : r.GetInt64(3);
        await r.NextResultAsync(ct).ConfigureAwait(false);
        var byKind = new Dictionary<EventKind, long>();
        long events = 0;
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            byKind[(EventKind)r.GetInt16(0)] = r.GetInt64(1);
            events += r.GetInt64(1);
        }
        return events == 0 || first is null
            ? new StoreStatistics(members, titles, 0, byKind, null, null)
            : new StoreStatistics(members, titles, events, byKind, FromUnixMs(first.Value), FromUnixMs(last!.Value));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
            await _source.DisposeAsync().ConfigureAwait(false);
            await _readSource.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Refuses text PostgreSQL cannot hold as given: a lone surrogate (not UTF-8) or a NUL character.</summary>
    private static void CheckText(string? text, string what)
    {
        if (text is null) return;
        if (!UnicodeText.IsWellFormed(text)) throw new ArgumentException($"{what} is not valid Unicode text (it holds half of a surrogate pair)");
        if (text.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException($"{what} holds a NUL character, which PostgreSQL text cannot store");
    }

    internal static long ToUnixMs(DateTime time) => UnixTime.Milliseconds(time);

    internal static DateTime FromUnixMs(long ms) => UnixTime.FromMilliseconds(ms);
}

/// <summary>The PostgreSQL server cannot be used: unreachable, login refused, no such database. The message names the host and port, never the password.</summary>
public sealed class PostgresUnavailableException(string message, Exception? inner = null) : IOException(message, inner);
