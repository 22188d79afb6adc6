using SQLitePCL;

namespace Encore.Storage;

/// <summary>What a read asks of the event log, in the log's own keys. Zero keys match everything.</summary>
internal sealed record LogFilter(int MemberKey, int TitleKey, long FromMs, long ToMs, ulong KindMask)
{
    public bool Matches(EventColumns events, int i) =>
        (MemberKey == 0 || events.Member[i] == MemberKey)
        && (TitleKey == 0 || (events.Title[i] == TitleKey && events.Has(i, EventFields.Title)))
        && events.Ts[i] >= FromMs && events.Ts[i] < ToMs
        && (KindMask & (1UL << (events.Kind[i] & 63))) != 0 && events.Kind[i] < 64;
}

/// <summary>
/// Streams the events of one read snapshot that match a <see cref="LogFilter"/>, in (timestamp, accepted
/// order) order: a k-way merge of the pending events (sorted in memory; at most one seal's worth) and of
/// every segment that may hold a match. A member or title read visits only the rows its postings list; a
/// time range skips the blocks outside it. Segments open lazily, when the merge reaches their first
/// timestamp, so a read holds one decoded block per segment that overlaps in time, not per segment.
/// </summary>
/// <remarks>
/// After <see cref="MoveNext"/> returns true, <see cref="Block"/> row <see cref="Row"/> is the event; it stays
/// valid until the next call. The caller keeps the connection in one read transaction for the scan.
/// </remarks>
internal sealed class EventLogScan : IDisposable
{
    private readonly LogFilter _filter;
    private readonly string _path;
    private readonly RawStatement _readBlock;
    private readonly List<Candidate> _candidates = [];
    private readonly PriorityQueue<Source, (long Ts, long Seq)> _heap = new();
    private int _nextCandidate;
    private Source? _last;

    public EventLogScan(sqlite3 db, string path, LogFilter filter, IReadOnlyList<EventColumns> pending)
    {
        _filter = filter;
        _path = path;
        _readBlock = new RawStatement(db, "SELECT min_ts, max_ts, payload FROM segment_blocks WHERE block_key = ?1");
        try
        {
            FindCandidates(db);
        }
        catch
        {
            _readBlock.Dispose();
            throw;
        }
        // Pending events: filtered here, then sorted like a segment.
        var matching = new EventColumns();
        foreach (var batch in pending)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                if (filter.Matches(batch, i)) matching.CopyRow(batch, i);
            }
        }
        if (matching.Count > 0)
        {
            var sorted = new EventColumns(matching.Count);
            foreach (int i in matching.TimeOrder()) sorted.CopyRow(matching, i);
            var source = new Source(this, 0, null, sorted.Count) { Block = sorted };
            if (source.Advance()) _heap.Enqueue(source, source.Key);
        }
    }

    public EventColumns Block { get; private set; } = null!;

    public int Row { get; private set; }

    /// <summary>Segment blocks decoded so far (what a read cost; tests check that reads skip what they can).</summary>
    public int BlocksDecoded { get; private set; }

    public bool MoveNext()
    {
        if (_last is not null && _last.Advance()) _heap.Enqueue(_last, _last.Key);
        _last = null;
        while (_nextCandidate < _candidates.Count
               && (_heap.Count == 0 || _candidates[_nextCandidate].MinTs <= _heap.Peek().Key.Ts))
        {
            var c = _candidates[_nextCandidate++];
            List<int>? rows = null;
            if (c.Posting is not null)
            {
                rows = [];
                PostingRows.Decode(c.Posting, rows, $"{_path}: posting of segment {c.Segment}");
            }
            var source = new Source(this, c.Segment, rows, c.Count);
            if (source.Advance()) _heap.Enqueue(source, source.Key);
        }
        if (!_heap.TryDequeue(out var next, out _)) return false;
        Block = next.Block!;
        Row = next.Row;
        _last = next;
        return true;
    }

    public void Dispose() => _readBlock.Dispose();

    private void FindCandidates(sqlite3 db)
    {
        // A member's postings are the shortest list; a title's next; else every segment.
        string sql = _filter.MemberKey != 0
            ? "SELECT s.segment_key, s.event_count, s.min_ts, s.max_ts, p.rows FROM member_postings AS p JOIN segments AS s USING (segment_key) WHERE p.member_key = ?1"
            : _filter.TitleKey != 0
                ? "SELECT s.segment_key, s.event_count, s.min_ts, s.max_ts, p.rows FROM title_postings AS p JOIN segments AS s USING (segment_key) WHERE p.title_key = ?1"
                : "SELECT segment_key, event_count, min_ts, max_ts, NULL FROM segments";
        using var find = new RawStatement(db, sql);
        if (_filter.MemberKey != 0) find.Int64(1, _filter.MemberKey);
        else if (_filter.TitleKey != 0) find.Int64(1, _filter.TitleKey);
        while (find.Read())
        {
            long minTs = find.ColumnInt64(2), maxTs = find.ColumnInt64(3);
            if (maxTs < _filter.FromMs || minTs >= _filter.ToMs) continue;
            byte[]? posting = find.IsNull(4) ? null : find.ColumnBlob(4).ToArray();
            _candidates.Add(new Candidate(find.ColumnInt64(0), checked((int)find.ColumnInt64(1)), minTs, posting));
        }
        find.Reset();
        _candidates.Sort((a, b) => a.MinTs.CompareTo(b.MinTs));
    }

    /// <summary>
    /// Decodes block <paramref name="block"/> of <paramref name="segment"/> into <paramref name="into"/> (only
    /// <paramref name="rows"/> when given); false when it lies wholly outside the time range.
    /// </summary>
    private bool LoadBlock(long segment, int block, EventColumns into, List<int>? rows, out bool pastRange)
    {
        _readBlock.Int64(1, SegmentWriter.BlockKey(segment, block));
        try
        {
            if (!_readBlock.Read()) throw new InvalidDataException($"{_path}: block {block} of segment {segment} is missing; the event log is corrupt");
            long minTs = _readBlock.ColumnInt64(0), maxTs = _readBlock.ColumnInt64(1);
            pastRange = minTs >= _filter.ToMs;
            if (maxTs < _filter.FromMs || pastRange) return false;
            into.Clear();
            BlocksDecoded++;
            var what = $"{_path}: block {block} of segment {segment}";
            if (rows is null) EventBlock.Decode(_readBlock.ColumnBlob(2), into, what);
            else EventBlock.Decode(_readBlock.ColumnBlob(2), into, what, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows));
            return true;
        }
        finally
        {
            _readBlock.Reset();
        }
    }

    private sealed record Candidate(long Segment, int Count, long MinTs, byte[]? Posting);

    /// <summary>One segment's matching rows in order (or the sorted pending events, segment 0).</summary>
    private sealed class Source(EventLogScan scan, long segment, List<int>? rows, int count)
    {
        private int _next;                  // the next segment row (or posting entry) to look at
        private int _blockPosition;         // the next row of the decoded block to look at
        private readonly List<int> _wanted = [];

        public EventColumns? Block;
        public int Row;

        public (long Ts, long Seq) Key => (Block!.Ts[Row], Block.Seq[Row]);

        /// <summary>Moves to the next matching row; false when the source is done.</summary>
        public bool Advance()
        {
            if (segment == 0)
            {
                // Pending events, already filtered and sorted.
                if (_next >= count) return false;
                Row = _next++;
                return true;
            }
            while (true)
            {
                if (Block is not null && _blockPosition < Block.Count)
                {
                    int i = _blockPosition++;
                    if (!scan._filter.Matches(Block, i)) continue;
                    Row = i;
                    return true;
                }
                // The next block: all its rows, or only the rows the posting names in it.
                int total = rows?.Count ?? count;
                if (_next >= total) return false;
                int block = (rows?[_next] ?? _next) / SegmentWriter.BlockRows;
                int blockStart = block * SegmentWriter.BlockRows, blockEnd = blockStart + SegmentWriter.BlockRows;
                List<int>? only = null;
                if (rows is null) _next = Math.Min(blockEnd, count);
                else
                {
                    only = _wanted;
                    only.Clear();
                    while (_next < rows.Count && rows[_next] < blockEnd) only.Add(rows[_next++] - blockStart);
                }
                Block ??= new EventColumns(SegmentWriter.BlockRows);
                _blockPosition = 0;
                if (!scan.LoadBlock(segment, block, Block, only, out bool pastRange))
                {
                    Block.Clear();
                    if (pastRange) return false;
                }
            }
        }
    }
}
