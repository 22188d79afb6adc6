using System.Buffers.Binary;
using SQLitePCL;

namespace Encore.Storage;

/// <summary>
/// Writes sealed segments of the event log: a run of events sorted by (timestamp, accepted order), stored as
/// blocks of <see cref="BlockRows"/> rows, with one posting per member and per title that lists the rows
/// naming it, per-kind counts, and its event ids (see <see cref="SealedIds"/>) for the duplicate check.
/// </summary>
/// <remarks>
/// Why segments: an index entry per event per lookup (id, member, title, time) costs about a microsecond
/// each in SQLite, which alone spends the budget of 200,000 events/s (docs/INGESTION.md). A segment of
/// 100,000 events names about 40,000 members and 4,000 titles, so its postings are fewer than half an entry
/// per event, blocks are one row per thousand, and ids one row per 96. Runs inside the caller's
/// transaction; a segment is written once and never changed.
/// </remarks>
internal sealed class SegmentWriter : IDisposable
{
    /// <summary>Rows per block: small enough that a read touching one row decodes little, large enough to be few.</summary>
    public const int BlockRows = 1024;

    /// <summary>Bits of a block key that number the blocks within their segment.</summary>
    public const int BlockBits = 20;

    private readonly RawStatement _segment, _block, _member, _title, _kind, _idChunk, _textId;
    private byte[] _buffer = new byte[1 << 17];

    public SegmentWriter(sqlite3 db)
    {
        _segment = new RawStatement(db, "INSERT INTO segments (segment_key, event_count, min_ts, max_ts, max_seq, uuid_count, id_filter) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        _block = new RawStatement(db, "INSERT INTO segment_blocks (block_key, min_ts, max_ts, payload) VALUES (?1, ?2, ?3, ?4)");
        _member = new RawStatement(db, "INSERT INTO member_postings (member_key, segment_key, rows) VALUES (?1, ?2, ?3)");
        _title = new RawStatement(db, "INSERT INTO title_postings (title_key, segment_key, rows) VALUES (?1, ?2, ?3)");
        _kind = new RawStatement(db, "INSERT INTO segment_kind_counts (segment_key, kind, events) VALUES (?1, ?2, ?3)");
        _idChunk = new RawStatement(db, "INSERT INTO segment_id_chunks (segment_key, first_hi, first_lo, ids) VALUES (?1, ?2, ?3, ?4)");
        _textId = new RawStatement(db, "INSERT INTO event_text_ids (id) VALUES (?1)");
    }

    /// <summary>The key of segment <paramref name="segment"/>'s block <paramref name="block"/>.</summary>
    public static long BlockKey(long segment, int block) => (segment << BlockBits) | (long)block;

    /// <summary>Writes every row of <paramref name="events"/> as segment <paramref name="segmentKey"/>.</summary>
    public void Write(EventColumns events, long segmentKey)
    {
        int n = events.Count;
        if (n == 0) return;
        if ((long)n > (long)BlockRows << BlockBits) throw new InvalidOperationException($"a segment holds at most {(long)BlockRows << BlockBits} events");
        var order = events.TimeOrder();
        long maxSeq = long.MinValue;
        Span<long> kinds = stackalloc long[256];
        kinds.Clear();
        for (int i = 0; i < n; i++)
        {
            maxSeq = Math.Max(maxSeq, events.Seq[i]);
            kinds[events.Kind[i]]++;
        }
        _segment.Int64(1, segmentKey);
        _segment.Int64(2, n);
        _segment.Int64(3, events.Ts[order[0]]);
        _segment.Int64(4, events.Ts[order[^1]]);
        _segment.Int64(5, maxSeq);
        var (uuids, filter) = WriteIds(events, segmentKey);
        _segment.Int64(6, uuids.Length);
        if (filter is null) _segment.Text(7, null);
        else _segment.Blob(7, filter.Bytes);
        _segment.Execute();
        LastUuids = uuids;
        LastIdFilter = filter;
        for (int k = 0; k < kinds.Length; k++)
        {
            if (kinds[k] == 0) continue;
            _kind.Int64(1, segmentKey);
            _kind.Int64(2, k);
            _kind.Int64(3, kinds[k]);
            _kind.Execute();
        }

        for (int start = 0, block = 0; start < n; start += BlockRows, block++)
        {
            var rows = order.AsSpan(start, Math.Min(BlockRows, n - start));
            int length = EventBlock.Encode(events, rows, ref _buffer);
            _block.Int64(1, BlockKey(segmentKey, block));
            _block.Int64(2, events.Ts[rows[0]]);
            _block.Int64(3, events.Ts[rows[^1]]);
            _block.Blob(4, _buffer.AsSpan(0, length));
            _block.Execute();
        }

        WritePostings(_member, events.Member, order, segmentKey, EventFields.None, events);
        WritePostings(_title, events.Title, order, segmentKey, EventFields.Title, events);
    }

    /// <summary>
    /// One row per key: the segment rows (positions in time order) that name it, as varint deltas. Keys are
    /// sorted first, so the posting B-tree is filled in order.
    /// </summary>
    private void WritePostings(RawStatement insert, int[] keyOf, int[] order, long segmentKey, EventFields required, EventColumns events)
    {
        var pairs = new long[order.Length];
        int count = 0;
        for (int row = 0; row < order.Length; row++)
        {
            int i = order[row];
            if (required != EventFields.None && !events.Has(i, required)) continue;
            pairs[count++] = ((long)keyOf[i] << 32) | (uint)row;
        }
        Array.Sort(pairs, 0, count);
        for (int start = 0; start < count;)
        {
            int key = (int)(pairs[start] >> 32);
            int end = start;
            int length = 0;
            uint previous = 0;
            while (end < count && (int)(pairs[end] >> 32) == key)
            {
                uint row = (uint)pairs[end];
                length = PostingRows.Append(ref _buffer, length, row - previous);
                previous = row;
                end++;
            }
            insert.Int64(1, key);
            insert.Int64(2, segmentKey);
            insert.Blob(3, _buffer.AsSpan(0, length));
            insert.Execute();
            start = end;
        }
    }

    /// <summary>The UUID ids of the segment last written, and their filter (null when it has none).</summary>
    public UInt128[] LastUuids { get; private set; } = [];

    public IdBloomFilter? LastIdFilter { get; private set; }

    /// <summary>
    /// The segment's UUID ids sorted in chunks of <see cref="SealedIds.ChunkIds"/>, with a Bloom filter of
    /// them; text ids into their exact index. Returns the UUIDs and the filter.
    /// </summary>
    private (UInt128[] Uuids, IdBloomFilter? Filter) WriteIds(EventColumns events, long segmentKey)
    {
        var keys = new List<UInt128>(events.Count);
        var texts = new List<string>();
        for (int i = 0; i < events.Count; i++)
        {
            if (events.Has(i, EventFields.TextId)) texts.Add(events.TextId[i]!);
            else keys.Add(SealedIds.ToKey(events.Uuid[i]));
        }
        keys.Sort();
        var uuids = new UInt128[keys.Count];
        IdBloomFilter? filter = keys.Count == 0 ? null : new IdBloomFilter(keys.Count);
        Span<byte> chunk = stackalloc byte[SealedIds.ChunkIds * SealedIds.IdBytes];
        for (int start = 0; start < keys.Count; start += SealedIds.ChunkIds)
        {
            int n = Math.Min(SealedIds.ChunkIds, keys.Count - start);
            for (int k = 0; k < n; k++)
            {
                var key = keys[start + k];
                BinaryPrimitives.WriteUInt128LittleEndian(chunk[(k * SealedIds.IdBytes)..], key);
                uuids[start + k] = SealedIds.FromKey(key);
                filter!.Add(uuids[start + k]);
            }
            var (hi, lo) = SealedIds.Split(keys[start]);
            _idChunk.Int64(1, segmentKey);
            _idChunk.Int64(2, hi);
            _idChunk.Int64(3, lo);
            _idChunk.Blob(4, chunk[..(n * SealedIds.IdBytes)]);
            _idChunk.Execute();
        }
        texts.Sort(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            _textId.Text(1, text);
            _textId.Execute();
        }
        return (uuids, filter);
    }

    public void Dispose()
    {
        foreach (var statement in new[] { _segment, _block, _member, _title, _kind, _idChunk, _textId }) statement.Dispose();
    }
}

/// <summary>The rows of a posting: ascending segment row numbers as varint deltas.</summary>
internal static class PostingRows
{
    public static int Append(ref byte[] buffer, int length, uint delta)
    {
        if (length + 5 > buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
        while (delta >= 0x80)
        {
            buffer[length++] = (byte)(delta | 0x80);
            delta >>= 7;
        }
        buffer[length++] = (byte)delta;
        return length;
    }

    /// <summary>Decodes <paramref name="posting"/> into <paramref name="rows"/> (cleared first).</summary>
    public static void Decode(ReadOnlySpan<byte> posting, List<int> rows, string what)
    {
        rows.Clear();
        uint row = 0, delta = 0;
        int shift = 0;
        foreach (byte b in posting)
        {
            if (shift > 28) throw new InvalidDataException($"{what}: a row number longer than 32 bits; the event log is corrupt");
            delta |= (uint)(b & 0x7f) << shift;
            if (b >= 0x80)
            {
                shift += 7;
                continue;
            }
            row += delta;
            rows.Add((int)row);
            delta = 0;
            shift = 0;
        }
        if (shift != 0) throw new InvalidDataException($"{what}: the posting ends inside a number; the event log is corrupt");
    }
}
