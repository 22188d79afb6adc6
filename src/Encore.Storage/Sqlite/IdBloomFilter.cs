using System.Numerics;
using System.Runtime.InteropServices;

namespace Encore.Storage;

/// <summary>
/// A blocked Bloom filter of UUID event ids: each id sets one bit in each of the eight words of one 64-byte
/// block, so a test touches one cache line. About 10 bits per id, about one false "maybe" in a hundred.
/// </summary>
internal sealed class IdBloomFilter
{
    private const int BitsPerId = 10;
    private readonly ulong[] _words;
    private readonly ulong _blockMask;
    private long _count;

    /// <summary>A filter sized for <paramref name="capacity"/> ids.</summary>
    public IdBloomFilter(long capacity)
    {
        Capacity = Math.Max(capacity, 64);
        long blocks = (long)BitOperations.RoundUpToPowerOf2((ulong)(Capacity * BitsPerId / 512 + 1));
        _words = new ulong[blocks * 8];
        _blockMask = (ulong)blocks - 1;
    }

    private IdBloomFilter(ulong[] words, long count)
    {
        _words = words;
        _blockMask = (ulong)(words.Length / 8) - 1;
        _count = count;
        Capacity = words.Length * 64L / BitsPerId;
    }

    public long Capacity { get; }

    /// <summary>More ids than the filter was sized for: its false positives climb.</summary>
    public bool Full => _count > Capacity;

    public void Add(UInt128 id)
    {
        ulong h = Hash(id);
        var block = _words.AsSpan((int)((h & _blockMask) * 8), 8);
        ulong bits = BitsOf(h);
        for (int w = 0; w < 8; w++, bits >>= 6) block[w] |= 1UL << (int)(bits & 63);
        _count++;
    }

    /// <summary>False: surely not added. True: maybe.</summary>
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

    /// <summary>The filter's bits, as stored beside a segment (little-endian words).</summary>
    public ReadOnlySpan<byte> Bytes => MemoryMarshal.AsBytes(_words.AsSpan());

    /// <summary>A filter stored by <see cref="Bytes"/>, holding <paramref name="count"/> ids.</summary>
    public static IdBloomFilter FromBytes(ReadOnlySpan<byte> bytes, long count, string what)
    {
        if (bytes.Length < 64 || bytes.Length % 64 != 0 || !BitOperations.IsPow2(bytes.Length / 64))
            throw new InvalidDataException($"{what}: an id filter of {bytes.Length} bytes, not a power of two of 64-byte blocks; the event log is corrupt");
        return new IdBloomFilter(MemoryMarshal.Cast<byte, ulong>(bytes).ToArray(), count);
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
