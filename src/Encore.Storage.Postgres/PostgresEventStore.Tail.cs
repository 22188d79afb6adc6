using System.Runtime.CompilerServices;
using Encore.Core;
using Npgsql;

namespace Encore.Storage.Postgres;

public sealed partial class PostgresEventStore
{
    /// <summary>
    /// The events stored after sequence number <paramref name="afterSeq"/>, in the order they were stored (at most
    /// <paramref name="max"/>), each with its sequence number: how a node follows what other nodes append. Appends take
    /// their sequence numbers under a row lock held to their commit, so a reader that resumes after the last number it
    /// saw never skips an event committed later with a smaller one.
    /// </summary>
    public async IAsyncEnumerable<(long Seq, ViewingEvent Event)> ReadEventsAfterAsync(long afterSeq, int max, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var page = new List<EventRow>(Math.Min(max, 4096));
        await using (var connection = await OpenReaderAsync(ct).ConfigureAwait(false))
        await using (var c = new NpgsqlCommand(
            "SELECT seq, ts, member_key, title_key, episode_key, kind, device, position, rating, pause_seconds, seek_from, propensity, query, " +
            "event_id, session_id, results, row_name, row_position FROM events WHERE seq > @after ORDER BY seq LIMIT @max", connection))
        {
            c.Parameters.AddWithValue("after", afterSeq);
            c.Parameters.AddWithValue("max", max);
            await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                page.Add(ReadFullRow(r));
            }
        }
        if (page.Count == 0) yield break;
        var names = new KeyNames();
        await names.ResolveAsync(this, page, ct).ConfigureAwait(false);
        foreach (var row in page) yield return (row.Seq, ToEvent(row, names));
    }

    /// <summary>
    /// The events stored up to sequence number <paramref name="throughSeq"/> (those of one member where
    /// <paramref name="memberId"/> is given), in (timestamp, sequence) order: the order
    /// <see cref="ReadInteractionsAsync"/> gives, so that what is folded from them is what a single node folds at start.
    /// Read a page at a time (keyset paging).
    /// </summary>
    public async IAsyncEnumerable<ViewingEvent> ReadEventsThroughAsync(long throughSeq, string? memberId = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        int? member = null;
        if (memberId is not null && (member = await LookupKeyAsync("SELECT member_key FROM members WHERE id = @id", memberId, ct).ConfigureAwait(false)) is null) yield break;
        var names = new KeyNames();
        long afterTs = long.MinValue, afterSeq = long.MinValue;
        while (true)
        {
            var page = new List<EventRow>(4096);
            await using (var connection = await OpenReaderAsync(ct).ConfigureAwait(false))
            await using (var c = new NpgsqlCommand(
                "SELECT seq, ts, member_key, title_key, episode_key, kind, device, position, rating, pause_seconds, seek_from, propensity, query, " +
                "event_id, session_id, results, row_name, row_position FROM events WHERE seq <= @through AND ts >= @after_ts AND (ts, seq) > (@after_ts, @after_seq)" +
                (member is null ? "" : " AND member_key = @member") + " ORDER BY ts, seq LIMIT @max", connection))
            {
                c.Parameters.AddWithValue("through", throughSeq);
                c.Parameters.AddWithValue("after_ts", afterTs);
                c.Parameters.AddWithValue("after_seq", afterSeq);
                c.Parameters.AddWithValue("max", PageSize);
                if (member is not null) c.Parameters.AddWithValue("member", member.Value);
                await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false)) page.Add(ReadFullRow(r));
            }
            if (page.Count == 0) yield break;
            await names.ResolveAsync(this, page, ct).ConfigureAwait(false);
            foreach (var row in page) yield return ToEvent(row, names);
            if (page.Count < PageSize) yield break;
            (afterTs, afterSeq) = (page[^1].Ts, page[^1].Seq);
        }
    }

    private static EventRow ReadFullRow(NpgsqlDataReader r) => new()
    {
        Seq = r.GetInt64(0), Ts = r.GetInt64(1), Member = r.GetInt32(2),
        Title = r.IsDBNull(3) ? null : r.GetInt32(3), Episode = r.IsDBNull(4) ? null : r.GetInt32(4),
        Kind = r.GetInt16(5), Device = r.GetInt16(6),
        Position = r.IsDBNull(7) ? null : r.GetDouble(7), Rating = r.IsDBNull(8) ? null : r.GetDouble(8),
        Pause = r.IsDBNull(9) ? null : r.GetDouble(9), SeekFrom = r.IsDBNull(10) ? null : r.GetDouble(10),
        Propensity = r.IsDBNull(11) ? null : r.GetDouble(11), Query = r.IsDBNull(12) ? null : r.GetString(12),
        EventId = r.GetString(13), SessionId = r.GetString(14),
        Results = r.IsDBNull(15) ? null : r.GetFieldValue<string[]>(15),
        RowName = r.IsDBNull(16) ? null : r.GetString(16), RowPosition = r.IsDBNull(17) ? null : r.GetInt32(17),
    };

    /// <summary>
    /// The catalogue's change counter: it moves with every change of titles, episodes or the set of removed members
    /// (an upsert, a removal, a title first named by an event), in the transaction that makes the change. A reader that
    /// saw a value and later reads another knows the catalogue changed meanwhile (a cluster node then reads it again).
    /// </summary>
    public async Task<long> ReadCatalogueVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using var c = new NpgsqlCommand("SELECT value FROM store_counters WHERE name = 'catalogue'", connection);
        return (long)(await c.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>The highest sequence number stored (0 for an empty log).</summary>
    public async Task<long> ReadLastSequenceAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using var c = new NpgsqlCommand("SELECT value FROM store_counters WHERE name = 'seq'", connection);
        return (long)(await c.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }
}
