namespace Encore.Ranking.ContinueWatching;

/// <summary>How well scores order Continue Watching candidates: the AUC of "resumed within the window", and the NDCG of each member's row.</summary>
public static class ResumeMetrics
{
    /// <summary>
    /// The probability that a random resumed candidate scores above a random other one (ties count a half); NaN
    /// without both kinds.
    /// </summary>
    public static double Auc(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.Length != labels.Length) throw new ArgumentException("one label per score");
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        double rankSum = 0;
        long positives = 0;
        int k = 0;
        while (k < keys.Length)
        {
            int end = k;
            while (end + 1 < keys.Length && keys[end + 1] == keys[k]) end++;
            double rank = (k + end) / 2.0 + 1; // average rank of the tie group, 1-based
            for (int i = k; i <= end; i++)
                if (labels[order[i]]) { rankSum += rank; positives++; }
            k = end + 1;
        }
        long negatives = scores.Length - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// The mean over members (with at least one resume) of NDCG@<paramref name="k"/> of the row: each member's
    /// candidates, given contiguously in <paramref name="members"/>, ordered by score (ties keep their order), those
    /// with <paramref name="shown"/> false left out of the row; the ideal puts every resumed candidate first, shown or
    /// not, so a resumed title that left the row is a loss.
    /// </summary>
    public static double RowNdcg(ReadOnlySpan<int> members, ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, ReadOnlySpan<bool> shown, int k)
    {
        if (members.Length != scores.Length || labels.Length != scores.Length || shown.Length != scores.Length)
            throw new ArgumentException("members, scores, labels and shown must have one entry per candidate");
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        double sum = 0;
        int counted = 0;
        var idx = new List<int>();
        int start = 0;
        while (start < members.Length)
        {
            int end = start;
            while (end < members.Length && members[end] == members[start]) end++;
            int positives = 0;
            for (int i = start; i < end; i++) if (labels[i]) positives++;
            if (positives > 0)
            {
                idx.Clear();
                for (int i = start; i < end; i++) if (shown[i]) idx.Add(i);
                // Insertion sort by score, descending, stable (a row holds a handful of titles).
                for (int a = 1; a < idx.Count; a++)
                {
                    int item = idx[a], b = a - 1;
                    while (b >= 0 && scores[idx[b]] < scores[item])
                    {
                        idx[b + 1] = idx[b];
                        b--;
                    }
                    idx[b + 1] = item;
                }
                double dcg = 0, ideal = 0;
                for (int r = 0; r < Math.Min(k, idx.Count); r++) if (labels[idx[r]]) dcg += 1.0 / Math.Log2(r + 2);
                for (int r = 0; r < Math.Min(k, positives); r++) ideal += 1.0 / Math.Log2(r + 2);
                sum += dcg / ideal;
                counted++;
            }
            start = end;
        }
        return counted == 0 ? double.NaN : sum / counted;
    }
}
