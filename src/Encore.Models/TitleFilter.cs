using Encore.Core;

namespace Encore.Models;

/// <summary>
/// A set of allowed titles over one model's dense title indices (a bitset): a genre, a row's candidate set, a
/// maturity limit. Build it once and reuse it across members; <see cref="TopN"/> skips titles outside it.
/// </summary>
public sealed class TitleFilter
{
    private readonly ulong[] _bits;

    private TitleFilter(int titles)
    {
        Titles = titles;
        _bits = new ulong[(titles + 63) >> 6];
    }

    /// <summary>The number of titles the filter covers (the model's catalogue size).</summary>
    public int Titles { get; }

    /// <summary>Whether the filter allows <paramref name="title"/> (a dense index; false outside the catalogue).</summary>
    public bool Contains(int title) => (uint)title < (uint)Titles && (_bits[title >> 6] & (1UL << title)) != 0;

    /// <summary>How many titles the filter allows.</summary>
    public int Count
    {
        get
        {
            int c = 0;
            foreach (var w in _bits) c += System.Numerics.BitOperations.PopCount(w);
            return c;
        }
    }

    /// <summary>A filter over <paramref name="titles"/> titles that allows the dense indices in <paramref name="allowed"/>.</summary>
    public static TitleFilter FromIndices(int titles, IEnumerable<int> allowed)
    {
        var f = new TitleFilter(titles);
        foreach (var t in allowed)
            if ((uint)t < (uint)titles) f._bits[t >> 6] |= 1UL << t;
        return f;
    }

    /// <summary>The titles of <paramref name="allowedIds"/> known to <paramref name="titleIds"/>; unknown ids are ignored.</summary>
    public static TitleFilter FromIds(IdMap titleIds, IEnumerable<string> allowedIds)
    {
        var f = new TitleFilter(titleIds.Count);
        foreach (var id in allowedIds)
            if (titleIds.TryGetIndex(id, out var t)) f._bits[t >> 6] |= 1UL << t;
        return f;
    }

    /// <summary>The titles whose id satisfies <paramref name="allowed"/> (e.g. a genre lookup in the catalogue).</summary>
    public static TitleFilter FromPredicate(IdMap titleIds, Func<string, bool> allowed)
    {
        var f = new TitleFilter(titleIds.Count);
        for (int t = 0; t < titleIds.Count; t++)
            if (allowed(titleIds[t])) f._bits[t >> 6] |= 1UL << t;
        return f;
    }

    /// <summary>Titles in both filters.</summary>
    public TitleFilter Intersect(TitleFilter other)
    {
        if (other.Titles != Titles) throw new ArgumentException($"filters cover different catalogues ({Titles} vs {other.Titles} titles)", nameof(other));
        var f = new TitleFilter(Titles);
        for (int i = 0; i < _bits.Length; i++) f._bits[i] = _bits[i] & other._bits[i];
        return f;
    }
}
