using Encore.Core;
using SQLitePCL;

namespace Encore.Storage;

/// <summary>
/// Writes sealed segments of the event log: a run of events sorted by (timestamp, accepted order), stored as
/// blocks of <see cref="BlockRows"/> rows, with one posting per member and per title that lists the rows
/// naming it, per-kind counts, and every event id in the id tables that catch duplicates.
/// </summary>
/// <remarks>
/// Why segments: an index entry per event per lookup (id, member, title, time) costs about a microsecond
/// each in SQLite, which alone spends the budget of 200,000 events/s (docs/INGESTION.md). A segment of
/// 100,000 events names about 40,000 members and 4,000 titles, so its postings are fewer than half an entry
/// per event, and blocks are one row per thousand. Only the id check stays per event. Runs inside the
/// caller's transaction; a segment is written once and never changed.
/// </remarks>
internal sealed class SegmentWriter : IDisposable
{
    /// <summary>Rows per block: small enough that a read touching one row decodes little, large enough to be few.</summary>
    public const int BlockRows = 1024;

    /// <summary>Bits of a block key that number the blocks within their segment.</summary>
    public const int BlockBits = 20;

    private readonly RawStatement _segment, _block, _member, _title, _kind, _uuid, _uuidOverflow, _textId;
    private byte[] _buffer = new byte[1 << 17];

    public SegmentWriter(sqlite3 db)
    {
        _segment = new RawStatement(db, "INSERT INTO segments (segment_key, event_count, min_ts, max_ts, max_seq) VALUES (?1, ?2, ?3, ?4, ?5)");
        _block = new RawStatement(db, "INSERT INTO segment_blocks (block_key, min_ts, max_ts, payload) VALUES (?1, ?2, ?3, ?4)");
        _member = new RawStatement(db, "INSERT INTO member_postings (member_key, segment_key, rows) VALUES (?1, ?2, ?3)");
        _title = new RawStatement(db, "INSERT INTO title_postings (title_key, segment_key, rows) VALUES (?1, ?2, ?3)");
        _kind = new RawStatement(db, "INSERT INTO segment_kind_counts (segment_key, kind, events) VALUES (?1, ?2, ?3)");
        _uuid = new RawStatement(db, "INSERT INTO event_uuids (hi, lo) VALUES (?1, ?2) ON CONFLICT (hi) DO NOTHING");
        _uuidOverflow = new RawStatement(db, "INSERT INTO event_uuid_overflow (hi, lo) VALUES (?1, ?2)");
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
        _segment.Execute();
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
        WriteIds(events);
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

    private void WriteIds(EventColumns events)
    {
        // Sorted by the columns' signed order, so the id B-trees are filled front to back.
        var uuids = new UInt128[events.Count];
        var texts = new List<string>();
        int count = 0;
        for (int i = 0; i < events.Count; i++)
        {
            if (events.Has(i, EventFields.TextId)) texts.Add(events.TextId[i]!);
            else uuids[count++] = EventIdColumns.SortKey(events.Uuid[i]);
        }
        Array.Sort(uuids, 0, count);
        for (int i = 0; i < count; i++)
        {
            var (hi, lo) = EventIdColumns.Split(EventIdColumns.SortKey(uuids[i]));
            _uuid.Int64(1, hi);
            _uuid.Int64(2, lo);
            if (_uuid.ExecuteChanges() == 0)
            {
                // Another id has the same first 64 bits (random UUIDs first do somewhere near a billion ids): overflow.
                _uuidOverflow.Int64(1, hi);
                _uuidOverflow.Int64(2, lo);
                _uuidOverflow.Execute();
            }
        }
        texts.Sort(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            _textId.Text(1, text);
            _textId.Execute();
        }
    }

    public void Dispose()
    {
        foreach (var statement in new[] { _segment, _block, _member, _title, _kind, _uuid, _uuidOverflow, _textId }) statement.Dispose();
    }
}

/// <summary>
/// How a UUID event id is held: its first 64 bits are the rowid of <c>event_uuids</c> (an integer-keyed
/// B-tree, the cheapest SQLite has to insert into and probe), the last 64 a column beside it; the rare id
/// whose first half is taken goes whole into <c>event_uuid_overflow</c>.
/// </summary>
internal static class EventIdColumns
{
    private static readonly UInt128 SignBits = (UInt128.One << 127) | (UInt128.One << 63);

    public static (long Hi, long Lo) Split(UInt128 uuid) => ((long)(ulong)(uuid >> 64), (long)(ulong)uuid);

    /// <summary>Flips both sign bits: unsigned order of the result is the (hi, lo) order of the signed columns (and the reverse).</summary>
    public static UInt128 SortKey(UInt128 uuid) => uuid ^ SignBits;
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
