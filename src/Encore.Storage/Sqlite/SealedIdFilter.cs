using System.Numerics;
using SQLitePCL;

namespace Encore.Storage;

/// <summary>
/// A Bloom filter over the UUID event ids sealed in segments: "surely new" for almost every new id without
/// a lookup in <c>event_uuids</c>, which at about a microsecond per event was the largest single cost of an
/// append. A "maybe" (a duplicate, or about one new id in a hundred) still takes the exact lookup.
/// </summary>
/// <remarks>
/// Blocked layout: each id sets one bit in each of the eight words of one 64-byte block, so a test touches
/// one cache line. About 10 bits per id. Built by scanning the id tables on the first append after opening
/// (a sequential read, about a tenth of a second per million ids), then kept up to date by the seals of
/// this store and caught up with segments other processes sealed. Rebuilt twice as large when full.
/// </remarks>
internal sealed class SealedIdFilter
{
    private const int BitsPerId = 10;
    private readonly ulong[] _words;
    private readonly ulong _blockMask;
    private readonly long _capacity;
    private long _count;

    private SealedIdFilter(long capacity)
    {
        _capacity = Math.Max(capacity, 1 << 20);
        long blocks = (long)BitOperations.RoundUpToPowerOf2((ulong)(_capacity * BitsPerId / 512 + 1));
        _words = new ulong[blocks * 8];
        _blockMask = (ulong)blocks - 1;
    }

    /// <summary>The newest segment whose ids are in the filter.</summary>
    public long CoveredSegment { get; private set; }

    /// <summary>More ids than the filter was sized for: its false positives climb, so build a new one.</summary>
    public bool Full => _count > _capacity;

    /// <summary>A filter of every UUID id the file has sealed, sized for twice as many.</summary>
    public static SealedIdFilter Build(sqlite3 db)
    {
        long count = 0;
        using (var c = new RawStatement(db, "SELECT (SELECT count(*) FROM event_uuids) + (SELECT count(*) FROM event_uuid_overflow), (SELECT coalesce(max(segment_key), 0) FROM segments)"))
        {
            c.Read();
            count = c.ColumnInt64(0);
            var filter = new SealedIdFilter(2 * count) { CoveredSegment = c.ColumnInt64(1) };
            c.Reset();
            foreach (var sql in new[] { "SELECT hi, lo FROM event_uuids", "SELECT hi, lo FROM event_uuid_overflow" })
            {
                using var scan = new RawStatement(db, sql);
                while (scan.Read()) filter.Add(((UInt128)(ulong)scan.ColumnInt64(0) << 64) | (ulong)scan.ColumnInt64(1));
                scan.Reset();
            }
            return filter;
        }
    }

    /// <summary>Adds the ids of segments sealed since <see cref="CoveredSegment"/> (by another process).</summary>
    public void CatchUp(sqlite3 db, string path)
    {
        using var newer = new RawStatement(db, "SELECT block_key, payload FROM segment_blocks WHERE block_key >= ?1 ORDER BY block_key");
        newer.Int64(1, SegmentWriter.BlockKey(CoveredSegment + 1, 0));
        var block = new EventColumns(SegmentWriter.BlockRows);
        while (newer.Read())
        {
            long key = newer.ColumnInt64(0);
            block.Clear();
            EventBlock.Decode(newer.ColumnBlob(1), block, $"{path}: block {key & ((1L << SegmentWriter.BlockBits) - 1)} of segment {key >> SegmentWriter.BlockBits}");
            for (int i = 0; i < block.Count; i++)
            {
                if (!block.Has(i, EventFields.TextId)) Add(block.Uuid[i]);
            }
            CoveredSegment = Math.Max(CoveredSegment, key >> SegmentWriter.BlockBits);
        }
        newer.Reset();
    }

    /// <summary>Every id of segments up to <paramref name="segment"/> has been added.</summary>
    public void Covered(long segment) => CoveredSegment = Math.Max(CoveredSegment, segment);

    public void Add(UInt128 id)
    {
        ulong h = Hash(id);
        var block = _words.AsSpan((int)((h & _blockMask) * 8), 8);
        ulong bits = BitsOf(h);
        for (int w = 0; w < 8; w++, bits >>= 6) block[w] |= 1UL << (int)(bits & 63);
        _count++;
    }

    /// <summary>False: surely not sealed. True: maybe (look it up).</summary>
    public bool MayContain(UInt128 id)
    {
        ulong h = Hash(id);
        var block = _words.AsSpan((int)((h & _blockMask) * 8), 8);
        ulong bits = BitsOf(h);
        for (int w = 0; w < 8; w++, bits >>= 6)
        {
            if ((block[w] & (1UL << (int)(bits & 63))) == 0) return false;
        }
        return true;
    }

    /// <summary>48 bits for the eight positions, from the top of a product so they do not repeat the block's low bits.</summary>
    private static ulong BitsOf(ulong h) => (h * 0xD6E8FEB86659FD93UL) >> 16;

    /// <summary>Mixes all 128 bits: ids from clocks (UUID v1, v7) are far from random in their first half.</summary>
    private static ulong Hash(UInt128 id)
    {
        ulong x = (ulong)(id >> 64) * 0x9E3779B97F4A7C15UL ^ (ulong)id;
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        x *= 0xC4CEB9FE1A85EC53UL;
        x ^= x >> 33;
        return x;
    }
}
