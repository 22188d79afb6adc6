namespace Encore.Analytics.Audience;

/// <summary>
/// Scores to probabilities, per group of members: the scores cut into quantile bins, each bin's share of members who
/// began the title, made non-decreasing in the score by pooling adjacent violators (isotonic regression over bins), and
/// read by linear interpolation between the bins' mean scores. A group no calibration case reached borrows its neighbour's.
/// </summary>
internal sealed class IsotonicCalibration
{
    private const int Bins = 40;
    private readonly float[][] _knots, _rates;

    private IsotonicCalibration(float[][] knots, float[][] rates)
    {
        _knots = knots;
        _rates = rates;
    }

    public int Groups => _knots.Length;

    /// <summary>Fits on cases of <paramref name="members"/> scores each: their scores, whether each member began the case's title, and each member's group (null: one group).</summary>
    public static IsotonicCalibration Fit(float[] scores, bool[] started, byte[][]? groups, int groupCount, int members)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(started);
        if (groups is null) groupCount = 1;
        int cases = members == 0 ? 0 : scores.Length / members;
        float[] sorted;
        if (scores.Length <= 400_000) sorted = (float[])scores.Clone();
        else
        {
            sorted = new float[400_000];
            long step = scores.Length / sorted.Length;
            for (int i = 0; i < sorted.Length; i++) sorted[i] = scores[i * step];
        }
        Array.Sort(sorted);
        var edges = new float[Bins - 1];
        if (sorted.Length > 0) for (int b = 1; b < Bins; b++) edges[b - 1] = sorted[(int)((long)sorted.Length * b / Bins)];
        var count = new double[groupCount * Bins];
        var hits = new double[groupCount * Bins];
        var sum = new double[groupCount * Bins];
        for (int s = 0; s < cases; s++)
        {
            var g = groups?[s];
            for (int m = 0; m < members; m++)
            {
                long i = (long)s * members + m;
                int b = (g is null ? 0 : g[m]) * Bins + BinOf(edges, scores[i]);
                count[b]++;
                sum[b] += scores[i];
                if (started[i]) hits[b]++;
            }
        }
        var knots = new float[groupCount][];
        var rates = new float[groupCount][];
        var blockRate = new List<double>();
        var blockWeight = new List<double>();
        var blockScore = new List<double>();
        for (int g = 0; g < groupCount; g++)
        {
            blockRate.Clear(); blockWeight.Clear(); blockScore.Clear();
            for (int b = g * Bins; b < (g + 1) * Bins; b++)
            {
                if (count[b] == 0) continue;
                blockRate.Add(hits[b] / count[b]); blockWeight.Add(count[b]); blockScore.Add(sum[b] / count[b]);
                while (blockRate.Count > 1 && blockRate[^2] > blockRate[^1])
                {
                    int i = blockRate.Count - 2;
                    double w = blockWeight[i] + blockWeight[i + 1];
                    blockRate[i] = (blockRate[i] * blockWeight[i] + blockRate[i + 1] * blockWeight[i + 1]) / w;
                    blockScore[i] = (blockScore[i] * blockWeight[i] + blockScore[i + 1] * blockWeight[i + 1]) / w;
                    blockWeight[i] = w;
                    blockRate.RemoveAt(i + 1); blockWeight.RemoveAt(i + 1); blockScore.RemoveAt(i + 1);
                }
            }
            knots[g] = blockScore.Select(x => (float)x).ToArray();
            rates[g] = blockRate.Select(r => (float)r).ToArray();
        }
        for (int g = 1; g < groupCount; g++) if (knots[g].Length == 0) (knots[g], rates[g]) = (knots[g - 1], rates[g - 1]);
        for (int g = groupCount - 2; g >= 0; g--) if (knots[g].Length == 0) (knots[g], rates[g]) = (knots[g + 1], rates[g + 1]);
        return new IsotonicCalibration(knots, rates);
    }

    /// <summary>The probability of a score in a group (group 0 when fitted without groups).</summary>
    public double Rate(int group, float score)
    {
        var knots = _knots[Math.Min(group, _knots.Length - 1)];
        var rates = _rates[Math.Min(group, _rates.Length - 1)];
        if (knots.Length == 0) return 0;
        if (score <= knots[0]) return rates[0];
        if (score >= knots[^1]) return rates[^1];
        int i = Array.BinarySearch(knots, score);
        if (i >= 0) return rates[i];
        i = ~i;
        double f = (score - knots[i - 1]) / (knots[i] - knots[i - 1]);
        return rates[i - 1] + f * (rates[i] - rates[i - 1]);
    }

    private static int BinOf(float[] edges, float score)
    {
        int i = Array.BinarySearch(edges, score);
        return i >= 0 ? i + 1 : ~i;
    }
}
