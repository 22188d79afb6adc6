using Encore.Core;
using Microsoft.Data.Sqlite;

namespace Encore.Storage;

// The append path. A batch is one transaction that adds one row to `pending_batches`: the accepted events
// encoded as one BLOB (EventBlock), written through the WAL before the commit returns. Members and sessions
// get their integer keys on the way (new ones are staged beside the batch), and duplicates are caught on the
// way in (pending ids are held in memory; sealed ones are answered by SealedIds, nearly always from memory).
// When enough events are pending, one transaction seals them into a segment (SqliteEventStore.Seal.cs).
public sealed partial class SqliteEventStore
{
    private const int SessionCacheLimit = 1 << 20;
    private const int MemberCacheLimit = 1 << 22;

    /// <summary>Pending events that trigger sealing them into a segment (reads see pending events as they are).</summary>
    internal int SealThreshold { get; set; } = 100_000;

    private readonly PendingEventIds _pendingIds = new();
    private int _sealRetryAt;
    private readonly KeyInterner _members = new("members", "member_key", "staged_members", MemberCacheLimit);
    private readonly KeyInterner _sessions = new("sessions", "session_key", "staged_sessions", SessionCacheLimit);
    private readonly EventColumns _batch = new(1024);
    // 0, 1, 2, ...: a batch is encoded in the order it was accepted.
    private int[] _batchOrder = [];
    private byte[] _batchBuffer = new byte[1 << 17];
    private long _nextSeq = 1;
    private RawStatement? _begin, _commit, _rollback, _insertBatch, _findTextId, _insertBareTitle, _dataVersion;
    private long _knownDataVersion = -1;
    // Built at the first append; stale once another connection has written (it may have sealed).
    private SealedIds? _sealedIds;
    private bool _sealedIdsStale;

    /// <inheritdoc />
    public async Task<AppendResult> AppendAsync(IReadOnlyList<ViewingEvent> events, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ThrowIfReadOnly();
        if (events.Count == 0) return new AppendResult(0, 0);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var result = AppendBatch(events, ct);
            if (_pendingIds.Count >= Math.Max(SealThreshold, _sealRetryAt)) SealAfterAppend();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Seals after an append whose batch is already committed: a failure here must not tell the caller the
    /// batch failed (a retry would be answered "duplicates"). The batch stays pending, readable and durable; the
    /// seal is tried again once twice as many events are pending, and <see cref="FlushAsync"/> reports it.
    /// </summary>
    private void SealAfterAppend()
    {
        try
        {
            SealPending();
            _sealRetryAt = 0;
            LastSealError = null;
        }
        catch (Exception e) when (e is SqliteException or InvalidDataException or IOException)
        {
            _sealRetryAt = 2 * _pendingIds.Count;
            LastSealError = e;
        }
    }

    /// <summary>Why the last seal after an append failed (null once one succeeds): its events are still pending.</summary>
    public Exception? LastSealError { get; private set; }

    /// <summary>Seals every pending event into a segment now (appends do this every <see cref="SealThreshold"/> events).</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        ThrowIfReadOnly();
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RefreshIfChangedElsewhere();
            if (_pendingIds.Count > 0 || _members.StagedCount > 0 || _sessions.StagedCount > 0) SealPending();
            _sealRetryAt = 0;
            LastSealError = null;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private AppendResult AppendBatch(IReadOnlyList<ViewingEvent> events, CancellationToken ct)
    {
        var db = _writer.Handle!;
        _begin ??= new RawStatement(db, "BEGIN IMMEDIATE");
        _commit ??= new RawStatement(db, "COMMIT");
        _rollback ??= new RawStatement(db, "ROLLBACK");
        var insertBatch = _insertBatch ??= new RawStatement(db, "INSERT INTO pending_batches (first_seq, event_count, payload) VALUES (?1, ?2, ?3)");
        var newIds = new List<EncodedEventId>(events.Count);
        var newTitles = new List<string>();
        var newMembers = new List<string>();
        var newSessions = new List<string>();
        List<int>? duplicates = null;
        _batch.Clear();
        BeginWrite();
        long membersNext = _members.Next, sessionsNext = _sessions.Next;
        try
        {
            // Checked inside the transaction: with the file's write lock held, nobody else can commit now.
            RefreshIfChangedElsewhere();
            membersNext = _members.Next;
            sessionsNext = _sessions.Next;
            if (_sealedIds is null || _sealedIds.Full)
            {
                _sealedIds?.Dispose();
                _sealedIds = SealedIds.Build(db, Path);
            }
            else if (_sealedIdsStale) _sealedIds.CatchUp(db);
            _sealedIdsStale = false;
            for (int i = 0; i < events.Count; i++)
            {
                if ((i & 255) == 0) ct.ThrowIfCancellationRequested();
                var e = events[i] ?? throw new ArgumentException($"event {i} of the batch is null", nameof(events));
                if (string.IsNullOrEmpty(e.EventId)) throw new ArgumentException($"event {i} of the batch has no EventId", nameof(events));
                if (string.IsNullOrEmpty(e.MemberId)) throw new ArgumentException($"event {i} of the batch ({e.EventId}) has no MemberId", nameof(events));
                if (string.IsNullOrEmpty(e.SessionId)) throw new ArgumentException($"event {i} of the batch ({e.EventId}) has no SessionId", nameof(events));
                CheckStorable(e, i);
                var id = EncodedEventId.From(e.EventId);
                if (_pendingIds.Contains(id) || IsSealed(db, id))
                {
                    (duplicates ??= []).Add(i);
                    continue;
                }
                _batch.Add(e, id, _nextSeq + _batch.Count, ToUnixMs(e.TimestampUtc),
                    KeyOf(_members.Resolve(db, e.MemberId, newMembers), "member"),
                    e.TitleId is null ? 0 : KeyOf(ResolveTitle(e.TitleId, newTitles), "title"),
                    e.EpisodeId is null ? 0 : KeyOf(ResolveEpisode(e, i), "episode"),
                    _sessions.Resolve(db, e.SessionId, newSessions));
                _pendingIds.Add(id);
                newIds.Add(id);
            }
            if (_batch.Count > 0)
            {
                if (_batchOrder.Length < _batch.Count)
                {
                    _batchOrder = new int[Math.Max(_batch.Count, 1024)];
                    for (int i = 0; i < _batchOrder.Length; i++) _batchOrder[i] = i;
                }
                int length = EventBlock.Encode(_batch, _batchOrder.AsSpan(0, _batch.Count), ref _batchBuffer);
                insertBatch.Int64(1, _nextSeq);
                insertBatch.Int64(2, _batch.Count);
                insertBatch.Blob(3, _batchBuffer.AsSpan(0, length));
                insertBatch.Execute();
            }
            _commit.Execute();
        }
        catch
        {
            // Forget what the transaction added to the caches before anything else can fail, so that a retry of
            // this batch is stored rather than answered "duplicates"; and re-read the caches at the next append.
            foreach (var id in newIds) _pendingIds.Remove(id);
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
        _nextSeq += _batch.Count;
        if (newTitles.Count > 0) _snapshot = null;
        return duplicates is null ? new AppendResult(_batch.Count, 0) : new AppendResult(_batch.Count, duplicates.Count) { DuplicateIndices = duplicates };
    }

    /// <summary>
    /// BEGIN IMMEDIATE, waiting up to 30 s while another process holds the file's write lock. Done here
    /// rather than with SQLite's busy_timeout, which slowed every append by about 5%.
    /// </summary>
    private void BeginWrite()
    {
        long deadline = Environment.TickCount64 + 30_000;
        for (int wait = 1; ; wait = Math.Min(wait * 2, 50))
        {
            try
            {
                _begin!.Execute();
                return;
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 5 && Environment.TickCount64 < deadline)
            {
                Thread.Sleep(wait);
            }
        }
    }

    /// <summary>
    /// What the log cannot hold as given, refused rather than changed: a kind this build does not know (its
    /// number is a filter bit in reads), or text that is not well-formed UTF-16 (blocks hold UTF-8, which has
    /// no lone surrogates: two different ids would read back as one).
    /// </summary>
    private static readonly bool[] KnownKinds = Enumerable.Range(0, 256).Select(k => Enum.IsDefined((EventKind)k)).ToArray();

    private static void CheckStorable(ViewingEvent e, int index)
    {
        if (!KnownKinds[(byte)e.Kind]) throw new ArgumentException($"event {index} of the batch ({e.EventId}) has kind {(int)e.Kind}, which this store does not know", "events");
        CheckText(e.EventId, nameof(ViewingEvent.EventId));
        CheckText(e.MemberId, nameof(ViewingEvent.MemberId));
        CheckText(e.SessionId, nameof(ViewingEvent.SessionId));
        CheckText(e.TitleId, nameof(ViewingEvent.TitleId));
        CheckText(e.EpisodeId, nameof(ViewingEvent.EpisodeId));
        CheckText(e.Query, nameof(ViewingEvent.Query));
        CheckText(e.Row, nameof(ViewingEvent.Row));
        if (e.ResultsShown is { } results)
        {
            foreach (var result in results)
            {
                if (result is null) throw new ArgumentException($"event {index} of the batch: ResultsShown holds a null title id", "events");
                CheckText(result, nameof(ViewingEvent.ResultsShown));
            }
        }

        void CheckText(string? text, string field)
        {
            if (text is not null && !UnicodeText.IsWellFormed(text))
                throw new ArgumentException($"event {index} of the batch: {field} is not valid Unicode text (it holds half of a surrogate pair)", "events");
        }
    }

    /// <summary>Whether a sealed segment holds the event id (pending ones are in <see cref="_pendingIds"/>).</summary>
    private bool IsSealed(SQLitePCL.sqlite3 db, in EncodedEventId id)
    {
        if (id.IsUuid) return _sealedIds!.Contains(db, id.Uuid);
        var findText = _findTextId ??= new RawStatement(db, "SELECT 1 FROM event_text_ids WHERE id = ?1");
        findText.Text(1, id.Text);
        return findText.QueryInt64(out _);
    }

    /// <summary>Blocks hold member, title and episode keys in 32 bits; say so plainly if a file ever outgrows that.</summary>
    private int KeyOf(long key, string what) => key is > 0 and <= int.MaxValue
        ? (int)key
        : throw new InvalidDataException($"{Path}: {what} key {key} is beyond the 32-bit keys the event log holds");

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
        _pendingIds.Clear();
        _sealedIdsStale = true;
        LoadCatalogueCache();
        _members.Reset(_writer);
        _sessions.Reset(_writer);
        var pending = new EventColumns();
        ReadPendingBatches(_writer.Handle!, pending);
        for (int i = 0; i < pending.Count; i++)
        {
            _pendingIds.Add(pending.Uuid[i], pending.Has(i, EventFields.TextId) ? pending.TextId[i] : null);
        }
        using (var c = _writer.CreateCommand())
        {
            c.CommandText = """
                SELECT max(coalesce((SELECT max(max_seq) FROM segments), 0),
                           coalesce((SELECT max(first_seq + event_count - 1) FROM pending_batches), 0))
                """;
            _nextSeq = (long)c.ExecuteScalar()! + 1;
        }
        _snapshot = null;
        _knownDataVersion = version;
    }

    private void DisposeStatements()
    {
        foreach (var statement in new[] { _begin, _commit, _rollback, _insertBatch, _findTextId, _insertBareTitle, _dataVersion }) statement?.Dispose();
        _segmentWriter?.Dispose();
        _sealedIds?.Dispose();
        _members.Dispose();
        _sessions.Dispose();
    }
}
