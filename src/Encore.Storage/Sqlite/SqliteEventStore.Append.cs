using System.Text.Json;
using Encore.Core;
using Microsoft.Data.Sqlite;

namespace Encore.Storage;

// The append path: one transaction per batch, one prepared INSERT reused for every event, ids resolved to
// integer keys from in-memory caches (a miss costs one indexed SELECT, and an INSERT for a new id).
public sealed partial class SqliteEventStore
{
    // Sessions are short-lived and numerous: keep recent ones only, so memory stays bounded.
    private const int SessionCacheLimit = 1 << 20;

    private readonly Dictionary<string, long> _sessionKeys = new(StringComparer.Ordinal);
    private SqliteCommand? _insertEvent;
    private SqliteCommand? _findMember;
    private SqliteCommand? _insertMember;
    private SqliteCommand? _findSession;
    private SqliteCommand? _insertSession;
    private SqliteCommand? _insertBareTitle;

    public async Task<AppendResult> AppendAsync(IReadOnlyList<ViewingEvent> events, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) return new AppendResult(0, 0);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        var newMembers = new List<string>();
        var newSessions = new List<string>();
        var newTitles = new List<string>();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int stored = 0, duplicates = 0;
            using var tx = _writer.BeginTransaction();
            var insert = _insertEvent ??= CreateCommand("""
                INSERT INTO events (event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key,
                    position, rating, pause_seconds, seek_from, query, results, row_name, row_position, propensity)
                VALUES ($id, $kind, $member, $title, $episode, $device, $ts, $session,
                    $position, $rating, $pause, $seekFrom, $query, $results, $row, $rowPosition, $propensity)
                ON CONFLICT (event_id) DO NOTHING
                """, "$id", "$kind", "$member", "$title", "$episode", "$device", "$ts", "$session",
                "$position", "$rating", "$pause", "$seekFrom", "$query", "$results", "$row", "$rowPosition", "$propensity");
            insert.Transaction = tx;
            var p = insert.Parameters;
            for (int i = 0; i < events.Count; i++)
            {
                if ((i & 255) == 0) ct.ThrowIfCancellationRequested();
                var e = events[i] ?? throw new ArgumentException($"event {i} of the batch is null", nameof(events));
                if (string.IsNullOrEmpty(e.EventId)) throw new ArgumentException($"event {i} of the batch has no EventId", nameof(events));
                p[0].Value = e.EventId;
                p[1].Value = (int)e.Kind;
                p[2].Value = ResolveMember(e.MemberId, tx, newMembers, i);
                p[3].Value = e.TitleId is null ? DBNull.Value : ResolveTitle(e.TitleId, tx, newTitles);
                p[4].Value = e.EpisodeId is null ? DBNull.Value : ResolveEpisode(e, i);
                p[5].Value = (int)e.Device;
                p[6].Value = ToUnixMs(e.TimestampUtc);
                p[7].Value = ResolveSession(e.SessionId, tx, newSessions, i);
                p[8].Value = Nullable(e.PositionSeconds);
                p[9].Value = Nullable(e.Rating);
                p[10].Value = Nullable(e.PauseSeconds);
                p[11].Value = Nullable(e.SeekFromSeconds);
                p[12].Value = (object?)e.Query ?? DBNull.Value;
                p[13].Value = e.ResultsShown is null ? DBNull.Value : JsonSerializer.Serialize(e.ResultsShown);
                p[14].Value = (object?)e.Row ?? DBNull.Value;
                p[15].Value = e.RowPosition is { } rp ? rp : DBNull.Value;
                p[16].Value = Nullable(e.Propensity);
                if (insert.ExecuteNonQuery() == 1) stored++;
                else duplicates++;
            }
            tx.Commit();
            if (newTitles.Count > 0) _snapshot = null;
            return new AppendResult(stored, duplicates);
        }
        catch
        {
            // The transaction rolled back: forget the keys it had created.
            foreach (var id in newMembers) _memberKeys.Remove(id);
            foreach (var id in newSessions) _sessionKeys.Remove(id);
            foreach (var id in newTitles)
            {
                _titleKeys.Remove(id);
                _titleRuntimes.Remove(id);
            }
            throw;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private long ResolveMember(string memberId, SqliteTransaction tx, List<string> created, int index)
    {
        if (string.IsNullOrEmpty(memberId)) throw new ArgumentException($"event {index} of the batch has no MemberId", "events");
        if (TryGetMemberKey(memberId, tx, out var key)) return key;
        var insert = _insertMember ??= CreateCommand("INSERT INTO members (id) VALUES ($id) RETURNING member_key", "$id");
        insert.Transaction = tx;
        insert.Parameters[0].Value = memberId;
        key = (long)insert.ExecuteScalar()!;
        _memberKeys[memberId] = key;
        created.Add(memberId);
        return key;
    }

    private long ResolveSession(string sessionId, SqliteTransaction tx, List<string> created, int index)
    {
        if (string.IsNullOrEmpty(sessionId)) throw new ArgumentException($"event {index} of the batch has no SessionId", "events");
        if (_sessionKeys.TryGetValue(sessionId, out var key)) return key;
        var find = _findSession ??= CreateCommand("SELECT session_key FROM sessions WHERE id = $id", "$id");
        find.Transaction = tx;
        find.Parameters[0].Value = sessionId;
        if (find.ExecuteScalar() is long found)
        {
            key = found;
        }
        else
        {
            var insert = _insertSession ??= CreateCommand("INSERT INTO sessions (id) VALUES ($id) RETURNING session_key", "$id");
            insert.Transaction = tx;
            insert.Parameters[0].Value = sessionId;
            key = (long)insert.ExecuteScalar()!;
            created.Add(sessionId);
        }
        if (_sessionKeys.Count >= SessionCacheLimit)
        {
            // Dropping cached keys is always safe: a miss only costs a SELECT.
            _sessionKeys.Clear();
        }
        _sessionKeys[sessionId] = key;
        return key;
    }

    private long ResolveTitle(string titleId, SqliteTransaction tx, List<string> created)
    {
        if (_titleKeys.TryGetValue(titleId, out var key)) return key;
        // The store keeps what it is given: a title it has not seen becomes a bare catalogue entry (ingestion
        // decides by policy whether such events are accepted at all).
        var insert = _insertBareTitle ??= CreateCommand("INSERT INTO titles (id, name, kind, runtime_seconds) VALUES ($id, $id, 0, 0) RETURNING title_key", "$id");
        insert.Transaction = tx;
        insert.Parameters[0].Value = titleId;
        key = (long)insert.ExecuteScalar()!;
        _titleKeys[titleId] = key;
        _titleRuntimes[titleId] = 0;
        created.Add(titleId);
        return key;
    }

    private long ResolveEpisode(ViewingEvent e, int index)
    {
        // An episode needs its season and number, which an event does not carry: it must be in the catalogue.
        if (!_episodes.TryGetValue(e.EpisodeId!, out var episode))
            throw new ArgumentException($"event {index} of the batch ({e.EventId}) names episode '{e.EpisodeId}', which is not in the catalogue", "events");
        return episode.Key;
    }

    private static object Nullable(double? value) => value is { } v ? v : DBNull.Value;

    private SqliteCommand CreateCommand(string sql, params string[] parameters)
    {
        var command = _writer.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        return command;
    }

    private void DisposeStatements()
    {
        _insertEvent?.Dispose();
        _findMember?.Dispose();
        _insertMember?.Dispose();
        _findSession?.Dispose();
        _insertSession?.Dispose();
        _insertBareTitle?.Dispose();
    }
}
