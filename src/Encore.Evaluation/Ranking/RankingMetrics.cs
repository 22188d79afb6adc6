namespace Encore.Evaluation.Ranking;

/// <summary>Top-K figures of P-TOPN: means over test members of Recall@K and NDCG@K, and catalogue coverage.</summary>
public sealed record TopNMetrics(int K, double Recall, double Ndcg, double Coverage, double[] RecallPerMember, double[] NdcgPerMember);

/// <summary>Hit-rate figures of P-NEXT: HitRate@K and MRR@K over test members.</summary>
public sealed record NextTitleMetrics(int K, double HitRate, double Mrr, int Queries);

/// <summary>
/// The ranking metrics of PROTOCOLS.md, computed from top-K lists (best first; -1 marks an unfilled slot).
/// Recall@K = hits / min(K, |truth|); NDCG@K with binary relevance, DCG = sum over hits of 1/log2(rank + 1) with
/// rank from 1, ideal DCG over min(K, |truth|) hits; Coverage@K = distinct titles over all lists / catalogue size.
/// </summary>
public static class RankingMetrics
{
    /// <summary>1/log2(rank + 1) for rank 1..k, and its prefix sums (the ideal DCGs).</summary>
    public static (double[] Discount, double[] IdealDcg) Discounts(int k)
    {
        var discount = new double[k];
        var ideal = new double[k + 1];
        for (int r = 0; r < k; r++)
        {
            discount[r] = 1.0 / Math.Log2(r + 2);
            ideal[r + 1] = ideal[r] + discount[r];
        }
        return (discount, ideal);
    }

    /// <summary>
    /// Scores <paramref name="lists"/> (row i: the top-K of test member i, <paramref name="k"/> entries each) against
    /// <paramref name="truth"/> (row i: that member's test titles) over a catalogue of <paramref name="titles"/>.
    /// </summary>
    public static TopNMetrics TopN(ReadOnlySpan<int> lists, int k, IReadOnlyList<int[]> truth, int titles)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        int members = truth.Count;
        if (lists.Length != members * k) throw new ArgumentException($"lists hold {lists.Length} entries; expected {members} members x {k}", nameof(lists));
        var (discount, ideal) = Discounts(k);
        var recall = new double[members];
        var ndcg = new double[members];
        var shown = new bool[titles];
        // A title -> "is test title of the current member" mark, reset after each member: O(K + |truth|) per member.
        var isTruth = new bool[titles];
        for (int i = 0; i < members; i++)
        {
            var t = truth[i];
            if (t.Length == 0) throw new ArgumentException($"test member {i} has no test titles", nameof(truth));
            foreach (var title in t) isTruth[title] = true;
            var row = lists.Slice(i * k, k);
            int hits = 0;
            double dcg = 0;
            for (int r = 0; r < k; r++)
            {
                int title = row[r];
                if (title < 0) break;
                shown[title] = true;
                if (isTruth[title])
                {
                    hits++;
                    dcg += discount[r];
                }
            }
            int relevant = Math.Min(k, t.Length);
            recall[i] = (double)hits / relevant;
            ndcg[i] = dcg / ideal[relevant];
            foreach (var title in t) isTruth[title] = false;
        }
        int distinct = 0;
        foreach (var s in shown) if (s) distinct++;
        return new TopNMetrics(k, Mean(recall), Mean(ndcg), titles == 0 ? 0 : (double)distinct / titles, recall, ndcg);
    }

    /// <summary>The reciprocal rank (1-based) of <paramref name="target"/> in a top-K list, 0 when it is not there.</summary>
    public static double ReciprocalRank(ReadOnlySpan<int> list, int target)
    {
        for (int r = 0; r < list.Length; r++)
            if (list[r] == target) return 1.0 / (r + 1);
        return 0;
    }

    private static double Mean(double[] values)
    {
        if (values.Length == 0) return double.NaN;
        double sum = 0;
        foreach (var v in values) sum += v;
        return sum / values.Length;
    }
}
