using System.Globalization;
using System.Runtime.CompilerServices;
using Encore.Core;
using Npgsql;
using NpgsqlTypes;

namespace Encore.Storage.Postgres;

// The event log: appends by binary COPY, monthly partitions made on demand, keyset-paged streaming reads.
public sealed partial class PostgresEventStore
{
    private static readonly bool[] KnownKinds = Enumerable.Range(0, 256).Select(k => Enum.IsDefined((EventKind)k)).ToArray();

    // Months (as the unix ms of their first instant) whose partition is known to exist.
    private readonly HashSet<long> _partitions = [];

    /// <inheritdoc />
    public async Task<AppendResult> AppendAsync(IReadOnlyList<ViewingEvent> events, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) return new AppendResult(0, 0);
        // Checked before anything is sent: a refused event refuses the whole batch.
        var seen = new HashSet<string>(events.Count, StringComparer.Ordinal);
        var duplicates = new List<int>();
        var months = new HashSet<long>();
        bool anyEpisode = false;
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i] ?? throw new ArgumentException($"event {i} of the batch is null", nameof(events));
            if (string.IsNullOrEmpty(e.EventId)) throw new ArgumentException($"event {i} of the batch has no EventId", nameof(events));
            if (string.IsNullOrEmpty(e.MemberId)) throw new ArgumentException($"event {i} of the batch ({e.EventId}) has no MemberId", nameof(events));
            if (string.IsNullOrEmpty(e.SessionId)) throw new ArgumentException($"event {i} of the batch ({e.EventId}) has no SessionId", nameof(events));
            if (!KnownKinds[(byte)e.Kind]) throw new ArgumentException($"event {i} of the batch ({e.EventId}) has kind {(int)e.Kind}, which this store does not know", nameof(events));
            CheckEventText(e, i);
            if (!seen.Add(e.EventId))
            {
                duplicates.Add(i);
                continue;
            }
            months.Add(MonthStart(ToUnixMs(e.TimestampUtc)));
            anyEpisode |= e.EpisodeId is not null;
        }
        int sent = events.Count - duplicates.Count;
        var result = await WriteAsync(async (connection, tx) =>
        {
            await EnsurePartitionsAsync(connection, tx, months, ct).ConfigureAwait(false);
            await CopyEventsAsync(connection, events, duplicates, ct).ConfigureAwait(false);
            await LockKeysAsync(connection, tx, ct).ConfigureAwait(false);
            // Ids already stored are duplicates (index probes on event_ids); they leave the staging table, and the rest
            // go into event_ids, which must take every one of them: the key lock keeps other writers out meanwhile.
            var known = new List<int>();
            await using (var c = new NpgsqlCommand(
                "SELECT s.ord FROM encore_staging s WHERE EXISTS (SELECT 1 FROM event_ids e WHERE e.event_id = s.event_id) ORDER BY s.ord", connection, tx))
            await using (var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await r.ReadAsync(ct).ConfigureAwait(false)) known.Add(r.GetInt32(0));
            }
            if (known.Count > 0)
            {
                await using var c = new NpgsqlCommand("DELETE FROM encore_staging WHERE ord = ANY(@ords)", connection, tx);
                c.Parameters.AddWithValue("ords", known.ToArray());
                await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            int accepted = sent - known.Count;
            if (accepted > 0)
            {
                await using var c = new NpgsqlCommand("INSERT INTO event_ids (event_id) SELECT event_id FROM encore_staging ON CONFLICT DO NOTHING", connection, tx);
                int inserted = await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                if (inserted != accepted)
                    throw new InvalidOperationException($"{Location}: {accepted - inserted} event ids of the batch were stored by another writer meanwhile (one that does not take Encore's key lock); the batch was not stored, send it again");
            }
            if (anyEpisode && accepted > 0)
            {
                // An episode needs its season and number, which an event does not carry: it must be in the catalogue.
                await using var c = new NpgsqlCommand("""
                    SELECT s.ord, s.event_id, s.episode_id FROM encore_staging s
                    WHERE s.episode_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM episodes e WHERE e.id = s.episode_id)
                    ORDER BY s.ord LIMIT 1
                    """, connection, tx);
                await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
                if (await r.ReadAsync(ct).ConfigureAwait(false))
                    throw new ArgumentException($"event {r.GetInt32(0)} of the batch ({r.GetString(1)}) names episode '{r.GetString(2)}', which is not in the catalogue", nameof(events));
            }
            if (accepted > 0)
            {
                // New members and titles take the next dense keys in the order they first appear; then the events go in
                // with their sequence numbers (the tie-break of equal timestamps), and the counts by kind follow.
                await using var c = new NpgsqlCommand($"""
                    INSERT INTO members (member_key, id)
                    SELECT (SELECT coalesce(max(member_key), 0) FROM members) + row_number() OVER (ORDER BY n.first_ord), n.member_id
                    FROM (SELECT s.member_id, min(s.ord) AS first_ord FROM encore_staging s
                          WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = s.member_id) GROUP BY s.member_id) n;
                    WITH ins AS (
                        INSERT INTO titles (title_key, id, name, kind, runtime_seconds)
                        SELECT (SELECT coalesce(max(title_key), 0) FROM titles) + row_number() OVER (ORDER BY n.first_ord), n.title_id, n.title_id, 0, 0
                        FROM (SELECT s.title_id, min(s.ord) AS first_ord FROM encore_staging s
                              WHERE s.title_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM titles t WHERE t.id = s.title_id) GROUP BY s.title_id) n
                        RETURNING 1)
                    {BumpCatalogue} AND EXISTS (SELECT 1 FROM ins);
                    WITH base AS (UPDATE store_counters SET value = value + @n WHERE name = 'seq' RETURNING value - @n AS v)
                    INSERT INTO events (seq, ts, member_key, title_key, episode_key, kind, device, event_id, session_id, position, rating,
                        pause_seconds, seek_from, query, results, row_name, row_position, propensity)
                    SELECT base.v + s.ord + 1, s.ts, m.member_key, t.title_key, ep.episode_key, s.kind, s.device, s.event_id, s.session_id,
                        s.position, s.rating, s.pause_seconds, s.seek_from, s.query, s.results, s.row_name, s.row_position, s.propensity
                    FROM encore_staging s CROSS JOIN base
                    JOIN members m ON m.id = s.member_id
                    LEFT JOIN titles t ON t.id = s.title_id
                    LEFT JOIN episodes ep ON ep.id = s.episode_id;
                    INSERT INTO event_counts (kind, events) SELECT kind, count(*) FROM encore_staging GROUP BY kind
                    ON CONFLICT (kind) DO UPDATE SET events = event_counts.events + excluded.events;
                    """, connection, tx);
                c.Parameters.AddWithValue("n", (long)events.Count);
                await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return (accepted, known);
        }, ct).ConfigureAwait(false);
        if (result.known.Count == 0 && duplicates.Count == 0) return new AppendResult(result.accepted, 0);
        duplicates.AddRange(result.known);
        duplicates.Sort();
        return new AppendResult(result.accepted, duplicates.Count) { DuplicateIndices = duplicates };
    }

    private static void CheckEventText(ViewingEvent e, int index)
    {
        string What(string field) => $"event {index} of the batch: {field}";
        CheckText(e.EventId, What(nameof(ViewingEvent.EventId)));
        CheckText(e.MemberId, What(nameof(ViewingEvent.MemberId)));
        CheckText(e.SessionId, What(nameof(ViewingEvent.SessionId)));
        CheckText(e.TitleId, What(nameof(ViewingEvent.TitleId)));
        CheckText(e.EpisodeId, What(nameof(ViewingEvent.EpisodeId)));
        CheckText(e.Query, What(nameof(ViewingEvent.Query)));
        CheckText(e.Row, What(nameof(ViewingEvent.Row)));
        if (e.ResultsShown is { } results)
        {
            foreach (var result in results)
            {
                if (result is null) throw new ArgumentException($"event {index} of the batch: ResultsShown holds a null title id", "events");
                CheckText(result, What(nameof(ViewingEvent.ResultsShown)));
            }
        }
    }

    /// <summary>Sends the batch's events (less the in-batch repeats) to the staging table by binary COPY.</summary>
    private static async Task CopyEventsAsync(NpgsqlConnection connection, IReadOnlyList<ViewingEvent> events, List<int> skipped, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY encore_staging (ord, event_id, kind, member_id, title_id, episode_id, device, ts, session_id, position, rating,
                pause_seconds, seek_from, query, results, row_name, row_position, propensity) FROM STDIN (FORMAT BINARY)
            """, ct).ConfigureAwait(false);
        int skip = 0;
        for (int i = 0; i < events.Count; i++)
        {
            if (skip < skipped.Count && skipped[skip] == i)
            {
                skip++;
                continue;
            }
            var e = events[i];
            // Synchronous writes: they fill Npgsql's buffer (flushed as it fills); an await per field cost more than the rows.
            copy.StartRow();
            copy.Write(i, NpgsqlDbType.Integer);
            copy.Write(e.EventId, NpgsqlDbType.Text);
            copy.Write((short)e.Kind, NpgsqlDbType.Smallint);
            copy.Write(e.MemberId, NpgsqlDbType.Text);
            WriteNullable(copy, e.TitleId, NpgsqlDbType.Text);
            WriteNullable(copy, e.EpisodeId, NpgsqlDbType.Text);
            copy.Write((short)e.Device, NpgsqlDbType.Smallint);
            copy.Write(ToUnixMs(e.TimestampUtc), NpgsqlDbType.Bigint);
            copy.Write(e.SessionId, NpgsqlDbType.Text);
            WriteNullable(copy, e.PositionSeconds, NpgsqlDbType.Double);
            WriteNullable(copy, e.Rating, NpgsqlDbType.Double);
            WriteNullable(copy, e.PauseSeconds, NpgsqlDbType.Double);
            WriteNullable(copy, e.SeekFromSeconds, NpgsqlDbType.Double);
            WriteNullable(copy, e.Query, NpgsqlDbType.Text);
            if (e.ResultsShown is { } results) copy.Write(results as string[] ?? results.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            else copy.WriteNull();
            WriteNullable(copy, e.Row, NpgsqlDbType.Text);
            WriteNullable(copy, e.RowPosition, NpgsqlDbType.Integer);
            WriteNullable(copy, e.Propensity, NpgsqlDbType.Double);
        }
        await copy.CompleteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The unix ms of the first instant of the (UTC) month holding <paramref name="ms"/>.</summary>
    internal static long MonthStart(long ms)
    {
        var t = FromUnixMs(ms);
        return ToUnixMs(new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    /// <summary>
    /// Makes the monthly partitions the batch needs (events_yYYYYmMM covering [first ms of the month, first of the next)).
    /// Made in the batch's transaction: a failed batch leaves none behind.
    /// </summary>
    private async Task EnsurePartitionsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, HashSet<long> months, CancellationToken ct)
    {
        var missing = months.Where(m => !_partitions.Contains(m)).Order().ToList();
        if (missing.Count == 0) return;
        await LockKeysAsync(connection, tx, ct).ConfigureAwait(false);
        foreach (var month in missing)
        {
            var start = FromUnixMs(month);
            long end = start.Year == 9999 && start.Month == 12 ? long.MaxValue : ToUnixMs(start.AddMonths(1));
            var name = string.Create(CultureInfo.InvariantCulture, $"events_y{start.Year:D4}m{start.Month:D2}");
            await using var c = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture,
                $"CREATE TABLE IF NOT EXISTS {name} PARTITION OF events FOR VALUES FROM ({month}) TO ({end})"), connection, tx);
            await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        // Remembered only once the batch commits; until then another failure would leave the cache wrong.
        _pendingPartitions = missing;
    }

    private List<long>? _pendingPartitions;

    /// <summary>Called after a commit: the partitions the batch made now exist for good.</summary>
    private void PartitionsCommitted()
    {
        if (_pendingPartitions is null) return;
        foreach (var m in _pendingPartitions) _partitions.Add(m);
        _pendingPartitions = null;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ViewingEvent> ReadEventsAsync(EventQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var names = new KeyNames();
        // Pages come in (ts, seq) order; this read promises (ts, event id): events of one millisecond are gathered and
        // sorted by id before they go out (a millisecond may span two pages).
        var sameTime = new List<ViewingEvent>();
        long time = long.MinValue;
        await foreach (var page in ReadPagesAsync(query, full: true, ct).ConfigureAwait(false))
        {
            await names.ResolveAsync(this, page, ct).ConfigureAwait(false);
            foreach (var row in page)
            {
                if (row.Ts != time)
                {
                    if (sameTime.Count > 1) sameTime.Sort(ById);
                    foreach (var e in sameTime) yield return e;
                    sameTime.Clear();
                    time = row.Ts;
                }
                sameTime.Add(ToEvent(row, names));
            }
        }
        if (sameTime.Count > 1) sameTime.Sort(ById);
        foreach (var e in sameTime) yield return e;
    }

    /// <summary>A full row as the event it stores (its keys named through <paramref name="names"/>).</summary>
    private static ViewingEvent ToEvent(EventRow row, KeyNames names) => new()
    {
        EventId = row.EventId!,
        Kind = (EventKind)row.Kind,
        MemberId = names.Members[row.Member],
        TitleId = row.Title is { } t ? names.Titles[t] : null,
        EpisodeId = row.Episode is { } ep ? names.Episodes[ep] : null,
        Device = (DeviceKind)row.Device,
        TimestampUtc = FromUnixMs(row.Ts),
        SessionId = row.SessionId!,
        PositionSeconds = row.Position,
        Rating = row.Rating,
        PauseSeconds = row.Pause,
        SeekFromSeconds = row.SeekFrom,
        Query = row.Query,
        ResultsShown = row.Results,
        Row = row.RowName,
        RowPosition = row.RowPosition,
        Propensity = row.Propensity,
    };

    private static readonly Comparison<ViewingEvent> ById = (a, b) => string.CompareOrdinal(a.EventId, b.EventId);

    /// <inheritdoc />
    public async IAsyncEnumerable<InteractionRow> ReadInteractionsAsync(EventQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await foreach (var page in ReadPagesAsync(query, full: false, ct).ConfigureAwait(false))
        {
            foreach (var row in page)
            {
                var kind = (EventKind)row.Kind;
                double? value = kind switch
                {
                    EventKind.Rating => row.Rating,
                    EventKind.Pause => row.Pause,
                    EventKind.Seek => row.SeekFrom,
                    EventKind.Impression => row.Propensity,
                    _ => null,
                };
                yield return new InteractionRow(row.Member - 1, row.Title is { } t ? t - 1 : -1, row.Episode is { } e ? e - 1 : -1,
                    kind, (DeviceKind)row.Device, row.Ts, row.Position is { } p ? (float)p : float.NaN, value is { } v ? (float)v : float.NaN, row.Query);
            }
        }
    }

    /// <summary>One stored event as a page holds it: keys, not ids.</summary>
    private sealed class EventRow
    {
        public long Seq, Ts;
        public int Member;
        public int? Title, Episode, RowPosition;
        public short Kind, Device;
        public double? Position, Rating, Pause, SeekFrom, Propensity;
        public string? Query, EventId, SessionId, RowName;
        public string[]? Results;
    }

    /// <summary>
    /// The events matching <paramref name="query"/> in (ts, seq) order, one page per short query: each page starts after
    /// the last (ts, seq) of the one before (keyset paging), so a read of the whole log holds no transaction open and
    /// every page is an index range scan.
    /// </summary>
    private async IAsyncEnumerable<List<EventRow>> ReadPagesAsync(EventQuery query, bool full, [EnumeratorCancellation] CancellationToken ct)
    {
        if (query.Kinds is { Count: 0 }) yield break;
        int? member = null, title = null;
        if (query.MemberId is not null && (member = await LookupKeyAsync("SELECT member_key FROM members WHERE id = @id", query.MemberId, ct).ConfigureAwait(false)) is null) yield break;
        if (query.TitleId is not null && (title = await LookupKeyAsync("SELECT title_key FROM titles WHERE id = @id", query.TitleId, ct).ConfigureAwait(false)) is null) yield break;
        var where = new List<string> { "ts >= @after_ts", "(ts, seq) > (@after_ts, @after_seq)" };
        if (member is not null) where.Add("member_key = @member");
        if (title is not null) where.Add("title_key = @title");
        if (query.FromUtc is not null) where.Add("ts >= @from");
        if (query.ToUtc is not null) where.Add("ts < @to");
        if (query.Kinds is not null) where.Add("kind = ANY(@kinds)");
        var columns = full
            ? "seq, ts, member_key, title_key, episode_key, kind, device, position, rating, pause_seconds, seek_from, propensity, query, event_id, session_id, results, row_name, row_position"
            : "seq, ts, member_key, title_key, episode_key, kind, device, position, rating, pause_seconds, seek_from, propensity, query";
        var sql = $"SELECT {columns} FROM events WHERE {string.Join(" AND ", where)} ORDER BY ts, seq LIMIT {PageSize.ToString(CultureInfo.InvariantCulture)}";
        long afterTs = long.MinValue, afterSeq = long.MinValue;
        while (true)
        {
            var page = new List<EventRow>(Math.Min(PageSize, 4096));
            await using (var connection = await OpenReaderAsync(ct).ConfigureAwait(false))
            await using (var c = new NpgsqlCommand(sql, connection))
            {
                c.Parameters.AddWithValue("after_ts", afterTs);
                c.Parameters.AddWithValue("after_seq", afterSeq);
                if (member is not null) c.Parameters.AddWithValue("member", member.Value);
                if (title is not null) c.Parameters.AddWithValue("title", title.Value);
                if (query.FromUtc is { } f) c.Parameters.AddWithValue("from", ToUnixMs(f));
                if (query.ToUtc is { } t) c.Parameters.AddWithValue("to", ToUnixMs(t));
                if (query.Kinds is { } kinds) c.Parameters.AddWithValue("kinds", kinds.Select(k => (short)k).ToArray());
                await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    var row = new EventRow
                    {
                        Seq = r.GetInt64(0),
                        Ts = r.GetInt64(1),
                        Member = r.GetInt32(2),
                        Title = r.IsDBNull(3) ? null : r.GetInt32(3),
                        Episode = r.IsDBNull(4) ? null : r.GetInt32(4),
                        Kind = r.GetInt16(5),
                        Device = r.GetInt16(6),
                        Position = r.IsDBNull(7) ? null : r.GetDouble(7),
                        Rating = r.IsDBNull(8) ? null : r.GetDouble(8),
                        Pause = r.IsDBNull(9) ? null : r.GetDouble(9),
                        SeekFrom = r.IsDBNull(10) ? null : r.GetDouble(10),
                        Propensity = r.IsDBNull(11) ? null : r.GetDouble(11),
                        Query = r.IsDBNull(12) ? null : r.GetString(12),
                    };
                    if (full)
                    {
                        row.EventId = r.GetString(13);
                        row.SessionId = r.GetString(14);
                        row.Results = r.IsDBNull(15) ? null : r.GetFieldValue<string[]>(15);
                        row.RowName = r.IsDBNull(16) ? null : r.GetString(16);
                        row.RowPosition = r.IsDBNull(17) ? null : r.GetInt32(17);
                    }
                    page.Add(row);
                }
            }
            if (page.Count == 0) yield break;
            yield return page;
            if (page.Count < PageSize) yield break;
            (afterTs, afterSeq) = (page[^1].Ts, page[^1].Seq);
        }
    }

    private async Task<int?> LookupKeyAsync(string sql, string id, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var c = new NpgsqlCommand(sql, connection);
        c.Parameters.AddWithValue("id", id);
        return await c.ExecuteScalarAsync(ct).ConfigureAwait(false) is int key ? key : null;
    }

    /// <summary>The ids behind a read's keys, fetched once each, a page at a time.</summary>
    private sealed class KeyNames
    {
        private const int Limit = 1 << 20;
        public readonly Dictionary<int, string> Members = [], Titles = [], Episodes = [];

        public async Task ResolveAsync(PostgresEventStore store, List<EventRow> page, CancellationToken ct)
        {
            if (Members.Count > Limit) Members.Clear();
            var members = page.Select(r => r.Member).Where(k => !Members.ContainsKey(k)).Distinct().ToArray();
            var titles = page.Where(r => r.Title is not null).Select(r => r.Title!.Value).Where(k => !Titles.ContainsKey(k)).Distinct().ToArray();
            var episodes = page.Where(r => r.Episode is not null).Select(r => r.Episode!.Value).Where(k => !Episodes.ContainsKey(k)).Distinct().ToArray();
            if (members.Length + titles.Length + episodes.Length == 0) return;
            await using var connection = await store.OpenAsync(ct).ConfigureAwait(false);
            await Fill(connection, "members", "member_key", members, Members, ct).ConfigureAwait(false);
            await Fill(connection, "titles", "title_key", titles, Titles, ct).ConfigureAwait(false);
            await Fill(connection, "episodes", "episode_key", episodes, Episodes, ct).ConfigureAwait(false);
            foreach (var (keys, map, what) in new[] { (members, Members, "member"), (titles, Titles, "title"), (episodes, Episodes, "episode") })
            {
                foreach (var k in keys)
                {
                    if (!map.ContainsKey(k))
                        throw new InvalidDataException($"{store.Location}: an event names {what} key {k}, which the database does not have; the event log is corrupt");
                }
            }
        }

        private static async Task Fill(NpgsqlConnection connection, string table, string keyColumn, int[] keys, Dictionary<int, string> into, CancellationToken ct)
        {
            if (keys.Length == 0) return;
            await using var c = new NpgsqlCommand($"SELECT {keyColumn}, id FROM {table} WHERE {keyColumn} = ANY(@keys)", connection);
            c.Parameters.AddWithValue("keys", keys);
            await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false)) into[r.GetInt32(0)] = r.GetString(1);
        }
    }
}
