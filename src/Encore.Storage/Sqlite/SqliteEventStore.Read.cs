using System.Runtime.CompilerServices;
using Encore.Core;
using Microsoft.Data.Sqlite;

namespace Encore.Storage;

// Streaming reads of the event log. Each read runs in one read transaction (a snapshot: a seal committing
// meanwhile is not seen half-done), and merges the pending events with the segments that may hold matches
// (EventLogScan): a member or title read visits only the rows its postings name.
public sealed partial class SqliteEventStore
{
    private long _blocksDecoded;
    private readonly PendingBatchCache _pendingCache = new();

    /// <summary>Segment blocks every finished read of this store has decoded (for tests of what reads skip).</summary>
    internal long BlocksDecoded => Interlocked.Read(ref _blocksDecoded);

    /// <inheritdoc />
    public async IAsyncEnumerable<ViewingEvent> ReadEventsAsync(EventQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var snapshot = await OpenSnapshotAsync(query, ct).ConfigureAwait(false);
        if (snapshot.Scan is not { } scan) yield break;
        using var names = new KeyNames(snapshot.Connection.Handle!);
        // The log is in (timestamp, accepted order); this read promises (timestamp, event id): events of one
        // millisecond are gathered and sorted by id before they go out.
        var sameTime = new List<ViewingEvent>();
        long time = long.MinValue, n = 0;
        while (scan.MoveNext())
        {
            if ((++n & 4095) == 0) ct.ThrowIfCancellationRequested();
            var block = scan.Block;
            int i = scan.Row;
            if (block.Ts[i] != time)
            {
                if (sameTime.Count > 1) sameTime.Sort(ById);
                foreach (var e in sameTime) yield return e;
                sameTime.Clear();
                time = block.Ts[i];
            }
            sameTime.Add(new ViewingEvent
            {
                EventId = block.EventId(i),
                Kind = (EventKind)block.Kind[i],
                MemberId = names.Member(block.Member[i]),
                TitleId = block.Has(i, EventFields.Title) ? names.Title(block.Title[i]) : null,
                EpisodeId = block.Has(i, EventFields.Episode) ? names.Episode(block.Episode[i]) : null,
                Device = (DeviceKind)block.Device[i],
                TimestampUtc = FromUnixMs(block.Ts[i]),
                SessionId = names.Session(block.Session[i]),
                PositionSeconds = block.Has(i, EventFields.Position) ? block.Position[i] : null,
                Rating = block.Has(i, EventFields.Rating) ? block.Rating[i] : null,
                PauseSeconds = block.Has(i, EventFields.Pause) ? block.Pause[i] : null,
                SeekFromSeconds = block.Has(i, EventFields.SeekFrom) ? block.SeekFrom[i] : null,
                Query = block.Has(i, EventFields.Query) ? block.Query[i] : null,
                ResultsShown = block.Has(i, EventFields.Results) ? block.Results[i] : null,
                Row = block.Has(i, EventFields.Row) ? block.Row[i] : null,
                RowPosition = block.Has(i, EventFields.RowPosition) ? block.RowPosition[i] : null,
                Propensity = block.Has(i, EventFields.Propensity) ? block.Propensity[i] : null,
            });
        }
        if (sameTime.Count > 1) sameTime.Sort(ById);
        foreach (var e in sameTime) yield return e;
    }

    private static readonly Comparison<ViewingEvent> ById = (a, b) => string.CompareOrdinal(a.EventId, b.EventId);

    /// <inheritdoc />
    public async IAsyncEnumerable<InteractionRow> ReadInteractionsAsync(EventQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var snapshot = await OpenSnapshotAsync(query, ct).ConfigureAwait(false);
        if (snapshot.Scan is not { } scan) yield break;
        long n = 0;
        while (scan.MoveNext())
        {
            if ((++n & 4095) == 0) ct.ThrowIfCancellationRequested();
            var block = scan.Block;
            int i = scan.Row;
            yield return new InteractionRow(
                block.Member[i] - 1,
                block.Has(i, EventFields.Title) ? block.Title[i] - 1 : -1,
                block.Has(i, EventFields.Episode) ? block.Episode[i] - 1 : -1,
                (EventKind)block.Kind[i],
                (DeviceKind)block.Device[i],
                block.Ts[i],
                block.Has(i, EventFields.Position) ? (float)block.Position[i] : float.NaN,
                block.Value(i),
                block.Has(i, EventFields.Query) ? block.Query[i] : null);
        }
    }

    /// <summary>
    /// A reader connection in a read transaction, with the pending events and (unless the query can match
    /// nothing) a scan over everything matching <paramref name="query"/>.
    /// </summary>
    private async Task<LogSnapshot> OpenSnapshotAsync(EventQuery? query, CancellationToken ct)
    {
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        try
        {
            var db = connection.Handle!;
            using (var begin = new RawStatement(db, "BEGIN")) begin.Execute();
            // The first read pins the snapshot; segments and pending batches are then read from the same one.
            var pending = _pendingCache.Read(db, Path);
            EventLogScan? scan = null;
            if (query is not null && BuildFilter(db, query) is { } filter) scan = new EventLogScan(db, Path, filter, pending);
            return new LogSnapshot(connection, pending, scan, blocks => Interlocked.Add(ref _blocksDecoded, blocks));
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Translates <paramref name="query"/> into the log's keys; null when it can match nothing (an unknown member or title, no kinds).</summary>
    private static LogFilter? BuildFilter(SQLitePCL.sqlite3 db, EventQuery query)
    {
        int member = 0, title = 0;
        if (query.MemberId is not null && (member = LookupKey(db, "SELECT member_key FROM members WHERE id = ?1 UNION ALL SELECT member_key FROM staged_members WHERE id = ?1", query.MemberId)) == 0) return null;
        if (query.TitleId is not null && (title = LookupKey(db, "SELECT title_key FROM titles WHERE id = ?1", query.TitleId)) == 0) return null;
        ulong kinds = ulong.MaxValue;
        if (query.Kinds is { } only)
        {
            kinds = 0;
            foreach (var kind in only) kinds |= 1UL << ((int)kind & 63);
            if (kinds == 0) return null;
        }
        long from = query.FromUtc is { } f ? ToUnixMs(f) : long.MinValue;
        long to = query.ToUtc is { } t ? ToUnixMs(t) : long.MaxValue;
        return new LogFilter(member, title, from, to, kinds);
    }

    private static int LookupKey(SQLitePCL.sqlite3 db, string sql, string id)
    {
        using var find = new RawStatement(db, sql);
        find.Text(1, id);
        return find.QueryInt64(out var key) && key is > 0 and <= int.MaxValue ? (int)key : 0;
    }

    /// <summary>A read's connection, its read transaction, and what it reads; disposing ends all three.</summary>
    private sealed class LogSnapshot(SqliteConnection connection, IReadOnlyList<EventColumns> pending, EventLogScan? scan, Action<int> countBlocks) : IAsyncDisposable
    {
        public SqliteConnection Connection { get; } = connection;
        public IReadOnlyList<EventColumns> Pending { get; } = pending;
        public EventLogScan? Scan { get; } = scan;

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            if (Scan is not null)
            {
                countBlocks(Scan.BlocksDecoded);
                Scan.Dispose();
            }
            // Closing the connection ends the read transaction.
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The string ids behind a read's integer keys, looked up once each (staged members and sessions included).</summary>
    private sealed class KeyNames(SQLitePCL.sqlite3 db) : IDisposable
    {
        private const int SessionCacheLimit = 1 << 16;
        private readonly Dictionary<int, string> _members = [], _titles = [], _episodes = [];
        private readonly Dictionary<long, string> _sessions = [];
        private readonly RawStatement _member = new(db, "SELECT id FROM members WHERE member_key = ?1 UNION ALL SELECT id FROM staged_members WHERE member_key = ?1");
        private readonly RawStatement _session = new(db, "SELECT id FROM sessions WHERE session_key = ?1 UNION ALL SELECT id FROM staged_sessions WHERE session_key = ?1");
        private readonly RawStatement _title = new(db, "SELECT id FROM titles WHERE title_key = ?1");
        private readonly RawStatement _episode = new(db, "SELECT id FROM episodes WHERE episode_key = ?1");

        public string Member(int key) => Find(_members, _member, key, "member");

        public string Title(int key) => Find(_titles, _title, key, "title");

        public string Episode(int key) => Find(_episodes, _episode, key, "episode");

        public string Session(long key)
        {
            if (_sessions.TryGetValue(key, out var id)) return id;
            if (_sessions.Count >= SessionCacheLimit) _sessions.Clear();
            return _sessions[key] = Lookup(_session, key, "session");
        }

        private static string Find(Dictionary<int, string> cache, RawStatement find, int key, string what)
        {
            if (!cache.TryGetValue(key, out var id)) cache[key] = id = Lookup(find, key, what);
            return id;
        }

        private static string Lookup(RawStatement find, long key, string what)
        {
            find.Int64(1, key);
            try
            {
                return find.Read() ? find.ColumnText(0) : throw new InvalidDataException($"an event names {what} key {key}, which the database does not have; the event log is corrupt");
            }
            finally
            {
                find.Reset();
            }
        }

        public void Dispose()
        {
            foreach (var statement in new[] { _member, _session, _title, _episode }) statement.Dispose();
        }
    }
}
