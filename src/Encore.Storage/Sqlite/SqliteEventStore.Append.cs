using System.Text.Json;
using Encore.Core;
using Microsoft.Data.Sqlite;

namespace Encore.Storage;

// The append path. A batch is one transaction that appends rows to the index-free `staged_events` table: a
// few sequential pages per batch, written through the WAL before the commit returns. Members and sessions get
// their integer keys on the way (new ones are staged beside the events), and duplicates are caught on the way
// in (staged ids are held in memory; merged ones are one indexed lookup away). When enough rows are staged,
// one transaction merges them into `events`, where every index is updated in bulk.
public sealed partial class SqliteEventStore
{
    private const int SessionCacheLimit = 1 << 20;
    private const int MemberCacheLimit = 1 << 22;

    /// <summary>Staged events that trigger a merge into the indexed log (reads merge whatever is staged first).</summary>
    internal int MergeThreshold { get; set; } = 100_000;

    private readonly StagedEventIds _stagedIds = new();
    private readonly KeyInterner _members = new("members", "member_key", "staged_members", MemberCacheLimit);
    private readonly KeyInterner _sessions = new("sessions", "session_key", "staged_sessions", SessionCacheLimit);
    private RawStatement? _begin, _commit, _rollback, _stage, _findEvent, _insertBareTitle, _dataVersion;
    private long _knownDataVersion = -1;

    public async Task<AppendResult> AppendAsync(IReadOnlyList<ViewingEvent> events, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) return new AppendResult(0, 0);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var result = StageBatch(events, ct);
            if (_stagedIds.Count >= MergeThreshold) MergeStaged();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Merges every staged event into the indexed log now (reads do this on their own).</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RefreshIfChangedElsewhere();
            if (_stagedIds.Count > 0 || _members.StagedCount > 0 || _sessions.StagedCount > 0) MergeStaged();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private AppendResult StageBatch(IReadOnlyList<ViewingEvent> events, CancellationToken ct)
    {
        var db = _writer.Handle!;
        _begin ??= new RawStatement(db, "BEGIN IMMEDIATE");
        _commit ??= new RawStatement(db, "COMMIT");
        _rollback ??= new RawStatement(db, "ROLLBACK");
        var stage = _stage ??= new RawStatement(db, """
            INSERT INTO staged_events (event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key,
                position, rating, pause_seconds, seek_from, query, results, row_name, row_position, propensity)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
            """);
        var findEvent = _findEvent ??= new RawStatement(db, "SELECT 1 FROM events WHERE event_id = ?1");
        var newIds = new List<EncodedEventId>(events.Count);
        var newTitles = new List<string>();
        var newMembers = new List<string>();
        var newSessions = new List<string>();
        int stored = 0, duplicates = 0;
        _begin.Execute();
        long membersNext = _members.Next, sessionsNext = _sessions.Next;
        try
        {
            // Checked inside the transaction: with the file's write lock held, nobody else can commit now.
            RefreshIfChangedElsewhere();
            membersNext = _members.Next;
            sessionsNext = _sessions.Next;
            for (int i = 0; i < events.Count; i++)
            {
                if ((i & 255) == 0) ct.ThrowIfCancellationRequested();
                var e = events[i] ?? throw new ArgumentException($"event {i} of the batch is null", nameof(events));
                if (string.IsNullOrEmpty(e.EventId)) throw new ArgumentException($"event {i} of the batch has no EventId", nameof(events));
                if (string.IsNullOrEmpty(e.MemberId)) throw new ArgumentException($"event {i} of the batch ({e.EventId}) has no MemberId", nameof(events));
                if (string.IsNullOrEmpty(e.SessionId)) throw new ArgumentException($"event {i} of the batch ({e.EventId}) has no SessionId", nameof(events));
                var id = EncodedEventId.From(e.EventId);
                if (_stagedIds.Contains(id))
                {
                    duplicates++;
                    continue;
                }
                findEvent.EventId(1, id);
                if (findEvent.QueryInt64(out _))
                {
                    duplicates++;
                    continue;
                }
                stage.ClearBindings();
                stage.EventId(1, id);
                stage.Int64(2, (long)e.Kind);
                stage.Int64(3, _members.Resolve(db, e.MemberId, newMembers));
                stage.OptionalInt64(4, e.TitleId is null ? null : ResolveTitle(e.TitleId, newTitles));
                stage.OptionalInt64(5, e.EpisodeId is null ? null : ResolveEpisode(e, i));
                stage.Int64(6, (long)e.Device);
                stage.Int64(7, ToUnixMs(e.TimestampUtc));
                stage.Int64(8, _sessions.Resolve(db, e.SessionId, newSessions));
                stage.OptionalDouble(9, e.PositionSeconds);
                stage.OptionalDouble(10, e.Rating);
                stage.OptionalDouble(11, e.PauseSeconds);
                stage.OptionalDouble(12, e.SeekFromSeconds);
                stage.OptionalText(13, e.Query);
                stage.OptionalText(14, e.ResultsShown is null ? null : JsonSerializer.Serialize(e.ResultsShown));
                stage.OptionalText(15, e.Row);
                stage.OptionalInt64(16, e.RowPosition);
                stage.OptionalDouble(17, e.Propensity);
                stage.Execute();
                _stagedIds.Add(id);
                newIds.Add(id);
                stored++;
            }
            _commit.Execute();
        }
        catch
        {
            // Forget what the transaction added to the caches before anything else can fail, so that a retry of
            // this batch is stored rather than answered "duplicates"; and re-read the caches at the next append.
            foreach (var id in newIds) _stagedIds.Remove(id);
            _members.Undo(newMembers, membersNext);
            _sessions.Undo(newSessions, sessionsNext);
            foreach (var id in newTitles)
            {
                _titleKeys.Remove(id);
                _titleRuntimes.Remove(id);
            }
            _knownDataVersion = -1;
            try
            {
                _rollback.Execute();
            }
            catch (SqliteException)
            {
                // SQLite has already rolled back on its own (disk full, I/O error): no transaction is open, and
                // the error worth reporting is the original one.
            }
            throw;
        }
        if (newTitles.Count > 0) _snapshot = null;
        return new AppendResult(stored, duplicates);
    }

    /// <summary>Moves everything staged into the indexed tables in one transaction; caller holds the write lock.</summary>
    private void MergeStaged()
    {
        using (var tx = _writer.BeginTransaction())
        {
            MergeStaged(tx);
            tx.Commit();
        }
        StagedWereMerged();
    }

    /// <summary>
    /// The merge itself, inside <paramref name="tx"/>: it takes whatever the file has staged, this process's
    /// or another's. Call <see cref="StagedWereMerged"/> once the transaction commits.
    /// </summary>
    private void MergeStaged(SqliteTransaction tx)
    {
        using var c = _writer.CreateCommand();
        c.Transaction = tx;
        c.CommandText = """
                INSERT INTO members (member_key, id) SELECT member_key, id FROM staged_members ORDER BY member_key
                    ON CONFLICT DO NOTHING;
                INSERT INTO sessions (session_key, id) SELECT session_key, id FROM staged_sessions ORDER BY session_key
                    ON CONFLICT DO NOTHING;
                INSERT INTO events (event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key,
                        position, rating, pause_seconds, seek_from, query, results, row_name, row_position, propensity)
                    SELECT event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key,
                        position, rating, pause_seconds, seek_from, query, results, row_name, row_position, propensity
                    FROM staged_events WHERE true ORDER BY rowid
                    ON CONFLICT (event_id) DO NOTHING;
                DELETE FROM staged_members;
                DELETE FROM staged_sessions;
                DELETE FROM staged_events;
                """;
        c.ExecuteNonQuery();
    }

    private void StagedWereMerged()
    {
        _stagedIds.Clear();
        _members.Merged();
        _sessions.Merged();
    }

    private long ResolveTitle(string titleId, List<string> created)
    {
        if (_titleKeys.TryGetValue(titleId, out var key)) return key;
        // The store keeps what it is given: a title it has not seen becomes a bare catalogue entry (ingestion
        // decides by policy whether such events are accepted at all).
        var insert = _insertBareTitle ??= new RawStatement(_writer.Handle!, "INSERT INTO titles (id, name, kind, runtime_seconds) VALUES (?1, ?1, 0, 0) RETURNING title_key");
        insert.Text(1, titleId);
        insert.QueryInt64(out key);
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

    /// <summary>
    /// Another connection (another process) committed since we last looked: reload what this store caches
    /// about the file, so its keys and duplicate checks stay right. Caller holds the write lock.
    /// </summary>
    private void RefreshIfChangedElsewhere()
    {
        var probe = _dataVersion ??= new RawStatement(_writer.Handle!, "PRAGMA data_version");
        probe.QueryInt64(out var version);
        if (version == _knownDataVersion) return;
        _titleKeys.Clear();
        _titleRuntimes.Clear();
        _episodes.Clear();
        _stagedIds.Clear();
        LoadCatalogueCache();
        _members.Reset(_writer);
        _sessions.Reset(_writer);
        using (var c = _writer.CreateCommand())
        {
            c.CommandText = "SELECT event_id FROM staged_events";
            using var r = c.ExecuteReader();
            while (r.Read()) _stagedIds.Add(EncodedEventId.FromColumn(r.GetValue(0)));
        }
        _snapshot = null;
        _knownDataVersion = version;
    }

    private void DisposeStatements()
    {
        foreach (var statement in new[] { _begin, _commit, _rollback, _stage, _findEvent, _insertBareTitle, _dataVersion }) statement?.Dispose();
        _members.Dispose();
        _sessions.Dispose();
    }
}
