namespace Encore.Ranking.Search;

/// <summary>
/// The Damerau-Levenshtein distance in its restricted form (optimal string alignment: insertions, deletions,
/// substitutions and swaps of two neighbouring characters, each costing one), bounded: the work stops as soon as the
/// distance must exceed the bound. Allocation-free (the rows live on the stack).
/// </summary>
public static class EditDistance
{
    /// <summary>The longest strings compared; longer ones are compared on their first <see cref="MaxLength"/> characters.</summary>
    public const int MaxLength = SearchText.MaxTokenLength;

    /// <summary>The distance between <paramref name="a"/> and <paramref name="b"/> when it is at most <paramref name="max"/>; else <paramref name="max"/> + 1.</summary>
    public static int Bounded(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (a.Length > MaxLength) a = a[..MaxLength];
        if (b.Length > MaxLength) b = b[..MaxLength];
        // Common prefix and suffix cost nothing.
        int start = a.CommonPrefixLength(b);
        a = a[start..];
        b = b[start..];
        while (a.Length > 0 && b.Length > 0 && a[^1] == b[^1])
        {
            a = a[..^1];
            b = b[..^1];
        }
        if (a.Length < b.Length)
        {
            var t = a;
            a = b;
            b = t;
        }
        int la = a.Length, lb = b.Length;
        if (la - lb > max) return max + 1;
        if (lb == 0) return la;
        Span<int> before = stackalloc int[MaxLength + 1]; // row i-2
        Span<int> previous = stackalloc int[MaxLength + 1]; // row i-1
        Span<int> current = stackalloc int[MaxLength + 1]; // row i
        for (int j = 0; j <= lb; j++) previous[j] = j;
        for (int i = 1; i <= la; i++)
        {
            current[0] = i;
            int rowMin = i;
            char ca = a[i - 1];
            for (int j = 1; j <= lb; j++)
            {
                char cb = b[j - 1];
                int cost = ca == cb ? 0 : 1;
                int d = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && ca == b[j - 2] && a[i - 2] == cb) d = Math.Min(d, before[j - 2] + 1);
                current[j] = d;
                if (d < rowMin) rowMin = d;
            }
            if (rowMin > max) return max + 1;
            var spare = before;
            before = previous;
            previous = current;
            current = spare;
        }
        int distance = previous[lb];
        return distance <= max ? distance : max + 1;
    }
}
