using System.Buffers.Binary;
using SQLitePCL;

namespace Encore.Storage;

/// <summary>
/// The duplicate check against sealed UUID event ids, without an index entry per event. Each segment keeps
/// its UUIDs sorted in chunks of <see cref="ChunkIds"/> and a Bloom filter of them; this store holds every
/// segment's filter and one filter of all ids in memory. A new id (nearly every id) is answered by the
/// filter of all ids alone; a "maybe" (a duplicate, or about one new id in a hundred) asks the segments
/// whose own filter says maybe, each with one chunk lookup.
/// </summary>
/// <remarks>
/// Built at the first append after opening, from the segments' filters and chunks (sequential reads, about
/// a tenth of a second per million ids); then kept up to date by this store's seals and caught up with
/// segments other processes sealed. Memory: about 2.5 bytes per sealed id. Text ids (rare) have their own
/// exact index, <c>event_text_ids</c>.
/// </remarks>
internal sealed class SealedIds : IDisposable
{
    /// <summary>
    /// Ids per chunk row: one 1.5 KiB read answers a lookup, and five rows fill an 8 KiB page (a row over
    /// about 2,000 bytes would spill into an overflow page of its own).
    /// </summary>
    public const int ChunkIds = 96;

    public const int IdBytes = 16;

    private readonly IdBloomFilter _all;
    private readonly List<(long Segment, IdBloomFilter Filter)> _segments = [];
    private readonly string _path;
    private RawStatement? _findChunk;

    private SealedIds(long capacity, string path)
    {
        _all = new IdBloomFilter(capacity);
        _path = path;
    }

    /// <summary>The newest segment whose ids are held.</summary>
    public long CoveredSegment { get; private set; }

    /// <summary>More ids than the filter of all was sized for: build anew (twice as large).</summary>
    public bool Full => _all.Full;

    public static SealedIds Build(sqlite3 db, string path)
    {
        using var count = new RawStatement(db, "SELECT coalesce(sum(uuid_count), 0) FROM segments");
        count.QueryInt64(out long ids);
        var sealedIds = new SealedIds(Math.Max(2 * ids, 1 << 20), path);
        sealedIds.CatchUp(db);
        return sealedIds;
    }

    /// <summary>Takes in the segments sealed after <see cref="CoveredSegment"/> (by another process, or all of them when built).</summary>
    public void CatchUp(sqlite3 db)
    {
        using (var filters = new RawStatement(db, "SELECT segment_key, uuid_count, id_filter FROM segments WHERE segment_key > ?1 ORDER BY segment_key"))
        {
            filters.Int64(1, CoveredSegment);
            long newest = CoveredSegment;
            while (filters.Read())
            {
                long segment = filters.ColumnInt64(0);
                newest = segment;
                if (filters.IsNull(2)) continue;
                _segments.Add((segment, IdBloomFilter.FromBytes(filters.ColumnBlob(2), filters.ColumnInt64(1), $"{_path}: segment {segment}")));
            }
            filters.Reset();
            using var chunks = new RawStatement(db, "SELECT ids FROM segment_id_chunks WHERE segment_key > ?1");
            chunks.Int64(1, CoveredSegment);
            while (chunks.Read())
            {
                var bytes = chunks.ColumnBlob(0);
                for (int at = 0; at + IdBytes <= bytes.Length; at += IdBytes) _all.Add(FromKey(BinaryPrimitives.ReadUInt128LittleEndian(bytes[at..])));
            }
            chunks.Reset();
            CoveredSegment = newest;
        }
    }

    /// <summary>This store sealed <paramref name="segment"/>, the next one after those held, with these ids.</summary>
    public void Sealed(long segment, IdBloomFilter? filter, ReadOnlySpan<UInt128> ids)
    {
        foreach (var id in ids) _all.Add(id);
        if (filter is not null) _segments.Add((segment, filter));
        CoveredSegment = segment;
    }

    /// <summary>Whether a sealed segment holds <paramref name="id"/> (exact).</summary>
    public bool Contains(sqlite3 db, UInt128 id)
    {
        if (!_all.MayContain(id)) return false;
        foreach (var (segment, filter) in _segments)
        {
            if (filter.MayContain(id) && ChunkContains(db, segment, id)) return true;
        }
        return false;
    }

    private bool ChunkContains(sqlite3 db, long segment, UInt128 id)
    {
        var key = ToKey(id);
        var (hi, lo) = Split(key);
        var find = _findChunk ??= new RawStatement(db, """
            SELECT ids FROM segment_id_chunks
            WHERE segment_key = ?1 AND (first_hi, first_lo) <= (?2, ?3)
            ORDER BY first_hi DESC, first_lo DESC LIMIT 1
            """);
        find.Int64(1, segment);
        find.Int64(2, hi);
        find.Int64(3, lo);
        try
        {
            if (!find.Read()) return false;
            var bytes = find.ColumnBlob(0);
            int low = 0, high = bytes.Length / IdBytes - 1;
            while (low <= high)
            {
                int mid = (low + high) >>> 1;
                var at = BinaryPrimitives.ReadUInt128LittleEndian(bytes.Slice(mid * IdBytes, IdBytes));
                if (at == key) return true;
                if (at < key) low = mid + 1;
                else high = mid - 1;
            }
            return false;
        }
        finally
        {
            find.Reset();
        }
    }

    /// <summary>
    /// The id with both sign bits flipped: the unsigned order of keys is the order of their two halves as
    /// signed INTEGER columns, so chunks sort the same in SQLite and in memory. Its own inverse.
    /// </summary>
    public static UInt128 ToKey(UInt128 id) => id ^ ((UInt128.One << 127) | (UInt128.One << 63));

    public static UInt128 FromKey(UInt128 key) => ToKey(key);

    /// <summary>A key's two halves as the signed values SQLite stores.</summary>
    public static (long Hi, long Lo) Split(UInt128 key)
    {
        var raw = FromKey(key);
        return ((long)(ulong)(raw >> 64), (long)(ulong)raw);
    }

    public void Dispose() => _findChunk?.Dispose();
}
