using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Encore.Core;
using Microsoft.Data.Sqlite;

namespace Encore.Storage;

// Streaming reads of the event log. Each query names the index that serves its filter, so a read by member,
// by title or by time range walks that index in order and never sorts or loads the whole log.
public sealed partial class SqliteEventStore
{
    public async IAsyncEnumerable<ViewingEvent> ReadEventsAsync(EventQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReaderAsync(ct, flush: true).ConfigureAwait(false);
        using var c = connection.CreateCommand();
        if (!BuildFilter(connection, query, c, out var index, out var where)) yield break;
        c.CommandText = $"""
            SELECT e.event_id, e.kind, m.id, t.id, ep.id, e.device, e.ts_ms, s.id, e.position, e.rating, e.pause_seconds,
                e.seek_from, e.query, e.results, e.row_name, e.row_position, e.propensity
            FROM events AS e INDEXED BY {index}
                JOIN members AS m ON m.member_key = e.member_key
                JOIN sessions AS s ON s.session_key = e.session_key
                LEFT JOIN titles AS t ON t.title_key = e.title_key
                LEFT JOIN episodes AS ep ON ep.episode_key = e.episode_key
            {where}
            ORDER BY e.ts_ms, e.event_id
            """;
        using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            yield return new ViewingEvent
            {
                EventId = EventIds.Decode(r.GetValue(0)),
                Kind = (EventKind)r.GetInt32(1),
                MemberId = r.GetString(2),
                TitleId = r.IsDBNull(3) ? null : r.GetString(3),
                EpisodeId = r.IsDBNull(4) ? null : r.GetString(4),
                Device = (DeviceKind)r.GetInt32(5),
                TimestampUtc = FromUnixMs(r.GetInt64(6)),
                SessionId = r.GetString(7),
                PositionSeconds = r.IsDBNull(8) ? null : r.GetDouble(8),
                Rating = r.IsDBNull(9) ? null : r.GetDouble(9),
                PauseSeconds = r.IsDBNull(10) ? null : r.GetDouble(10),
                SeekFromSeconds = r.IsDBNull(11) ? null : r.GetDouble(11),
                Query = r.IsDBNull(12) ? null : r.GetString(12),
                ResultsShown = r.IsDBNull(13) ? null : JsonSerializer.Deserialize<string[]>(r.GetString(13)),
                Row = r.IsDBNull(14) ? null : r.GetString(14),
                RowPosition = r.IsDBNull(15) ? null : r.GetInt32(15),
                Propensity = r.IsDBNull(16) ? null : r.GetDouble(16),
            };
        }
    }

    public async IAsyncEnumerable<InteractionRow> ReadInteractionsAsync(EventQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReaderAsync(ct, flush: true).ConfigureAwait(false);
        using var filter = connection.CreateCommand();
        if (!BuildFilter(connection, query, filter, out var index, out var where)) yield break;
        // The kind's own number comes out as one column, so the row stays small. Rows are read through the C
        // API: this is the path training reads millions of rows by, and a data reader costs twice as much.
        using var statement = new RawStatement(connection.Handle!, $"""
            SELECT e.member_key, e.title_key, e.kind, e.device, e.ts_ms, e.position,
                CASE e.kind WHEN {(int)EventKind.Rating} THEN e.rating WHEN {(int)EventKind.Pause} THEN e.pause_seconds
                    WHEN {(int)EventKind.Seek} THEN e.seek_from WHEN {(int)EventKind.Impression} THEN e.propensity END
            FROM events AS e INDEXED BY {index}
            {where}
            ORDER BY e.ts_ms, e.event_key
            """);
        foreach (Microsoft.Data.Sqlite.SqliteParameter p in filter.Parameters) statement.Int64(p.ParameterName, (long)p.Value!);
        long n = 0;
        while (statement.Read())
        {
            if ((++n & 4095) == 0) ct.ThrowIfCancellationRequested();
            yield return new InteractionRow(
                (int)(statement.ColumnInt64(0) - 1),
                statement.IsNull(1) ? -1 : (int)(statement.ColumnInt64(1) - 1),
                (EventKind)statement.ColumnInt64(2),
                (DeviceKind)statement.ColumnInt64(3),
                statement.ColumnInt64(4),
                statement.IsNull(5) ? float.NaN : (float)statement.ColumnDouble(5),
                statement.IsNull(6) ? float.NaN : (float)statement.ColumnDouble(6));
        }
    }

    /// <summary>
    /// Translates <paramref name="query"/> into a WHERE clause over <c>events AS e</c> and picks the index that
    /// serves it. Returns false when the query names a member or title the store does not have (no rows).
    /// </summary>
    private static bool BuildFilter(SqliteConnection connection, EventQuery query, SqliteCommand command, out string index, out string where)
    {
        var conditions = new List<string>();
        index = "events_by_time";
        if (query.TitleId is not null)
        {
            var key = LookupKey(connection, "SELECT title_key FROM titles WHERE id = $id", query.TitleId);
            if (key is null) { where = ""; return false; }
            conditions.Add("e.title_key = $title");
            command.Parameters.AddWithValue("$title", key.Value);
            index = "events_by_title";
        }
        if (query.MemberId is not null)
        {
            var key = LookupKey(connection, "SELECT member_key FROM members WHERE id = $id", query.MemberId);
            if (key is null) { where = ""; return false; }
            conditions.Add("e.member_key = $member");
            command.Parameters.AddWithValue("$member", key.Value);
            // A member's history is far shorter than a title's audience: prefer the member index.
            index = "events_by_member";
        }
        if (query.FromUtc is { } from)
        {
            conditions.Add("e.ts_ms >= $from");
            command.Parameters.AddWithValue("$from", ToUnixMs(from));
        }
        if (query.ToUtc is { } to)
        {
            conditions.Add("e.ts_ms < $to");
            command.Parameters.AddWithValue("$to", ToUnixMs(to));
        }
        if (query.Kinds is { } kinds)
        {
            if (kinds.Count == 0) { where = ""; return false; }
            var list = new StringBuilder();
            foreach (var kind in kinds)
            {
                if (list.Length > 0) list.Append(',');
                list.Append((int)kind);
            }
            conditions.Add($"e.kind IN ({list})");
        }
        where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        return true;
    }

    private static long? LookupKey(SqliteConnection connection, string sql, string id)
    {
        using var c = connection.CreateCommand();
        c.CommandText = sql;
        c.Parameters.AddWithValue("$id", id);
        return c.ExecuteScalar() as long?;
    }

    /// <summary>The plan SQLite chose for a query (for tests that check a read walks its index).</summary>
    internal async Task<string> ExplainReadAsync(EventQuery query, bool interactions, CancellationToken ct = default)
    {
        await using var connection = await OpenReaderAsync(ct, flush: true).ConfigureAwait(false);
        using var c = connection.CreateCommand();
        if (!BuildFilter(connection, query, c, out var index, out var where)) return "";
        c.CommandText = $"EXPLAIN QUERY PLAN SELECT e.member_key FROM events AS e INDEXED BY {index} {where} ORDER BY e.ts_ms, {(interactions ? "e.event_key" : "e.event_id")}";
        using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var plan = new StringBuilder();
        while (await r.ReadAsync(ct).ConfigureAwait(false)) plan.AppendLine(r.GetString(3));
        return plan.ToString();
    }
}
