using System.Buffers;

namespace Encore.Models;

/// <summary>
/// Partial top-N selection over a score vector: a bounded min-heap of N entries, one pass over the catalogue,
/// no sort of the whole catalogue. Order: higher score first, ties broken by the lower title index, so
/// results are deterministic.
/// </summary>
public static class TopN
{
    /// <summary>
    /// Writes the indices of the (up to) <paramref name="n"/> best scores into <paramref name="result"/>, best
    /// first, and returns how many were written. Scores that are NaN or negative infinity are never chosen:
    /// callers mask excluded titles that way. When <paramref name="allowed"/> is given, only titles in it are chosen.
    /// </summary>
    public static int Select(ReadOnlySpan<float> scores, int n, Span<int> result, Span<float> resultScores = default, TitleFilter? allowed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (result.Length < n) throw new ArgumentException($"result holds {result.Length} entries; n is {n}", nameof(result));
        if (!resultScores.IsEmpty && resultScores.Length < n) throw new ArgumentException($"resultScores holds {resultScores.Length} entries; n is {n}", nameof(resultScores));
        if (allowed is not null && allowed.Titles != scores.Length)
            throw new ArgumentException($"the filter covers {allowed.Titles} titles; the scores cover {scores.Length}", nameof(allowed));
        if (n == 0) return 0;

        float[]? rented = null;
        Span<float> heapScores = resultScores.IsEmpty
            ? (n <= 256 ? stackalloc float[n] : (rented = ArrayPool<float>.Shared.Rent(n)).AsSpan(0, n))
            : resultScores[..n];
        Span<int> heapItems = result[..n];
        int count = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            float s = scores[i];
            if (!(s > float.NegativeInfinity)) continue; // NaN or masked
            if (count == n && !(s > heapScores[0])) continue; // not better than the worst kept (ties keep the lower index)
            if (allowed is not null && !allowed.Contains(i)) continue;
            if (count < n)
            {
                heapScores[count] = s;
                heapItems[count] = i;
                SiftUp(heapScores, heapItems, count++);
            }
            else
            {
                heapScores[0] = s;
                heapItems[0] = i;
                SiftDown(heapScores, heapItems, 0, count);
            }
        }
        // Heap sort in place: repeatedly move the worst to the end, which leaves the best first.
        for (int end = count - 1; end > 0; end--)
        {
            (heapScores[0], heapScores[end]) = (heapScores[end], heapScores[0]);
            (heapItems[0], heapItems[end]) = (heapItems[end], heapItems[0]);
            SiftDown(heapScores, heapItems, 0, end);
        }
        if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        return count;
    }

    /// <summary>
    /// Keeps the <paramref name="k"/> best of the first <paramref name="count"/> (score, item) pairs in the first
    /// k positions (in no particular order) and returns how many were kept. For neighbour lists.
    /// </summary>
    internal static int KeepBest(Span<float> scores, Span<int> items, int count, int k)
    {
        if (count <= k) return count;
        for (int i = (k >> 1) - 1; i >= 0; i--) SiftDown(scores, items, i, k);
        for (int i = k; i < count; i++)
        {
            if (!Worse(scores[0], items[0], scores[i], items[i])) continue;
            scores[0] = scores[i];
            items[0] = items[i];
            SiftDown(scores, items, 0, k);
        }
        return k;
    }

    // a is worse than b: lower score, or equal score and higher index.
    private static bool Worse(float sa, int ia, float sb, int ib) => sa < sb || (sa == sb && ia > ib);

    private static void SiftUp(Span<float> s, Span<int> items, int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Worse(s[i], items[i], s[parent], items[parent])) break;
            (s[i], s[parent]) = (s[parent], s[i]);
            (items[i], items[parent]) = (items[parent], items[i]);
            i = parent;
        }
    }

    private static void SiftDown(Span<float> s, Span<int> items, int i, int count)
    {
        while (true)
        {
            int left = 2 * i + 1;
            if (left >= count) return;
            int worst = left;
            int right = left + 1;
            if (right < count && Worse(s[right], items[right], s[left], items[left])) worst = right;
            if (!Worse(s[worst], items[worst], s[i], items[i])) return;
            (s[i], s[worst]) = (s[worst], s[i]);
            (items[i], items[worst]) = (items[worst], items[i]);
            i = worst;
        }
    }
}
