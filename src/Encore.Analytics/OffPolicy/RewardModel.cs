namespace Encore.Analytics.OffPolicy;

/// <summary>
/// The reward model of the direct and doubly robust estimators, cross-fitted: members are split into folds by a hash
/// of their index, and each record's predictions come from a model fitted on the other folds only, so that a record's
/// own reward never enters its prediction. The model is each action's mean reward shrunk towards the fold's mean
/// (m + prior × mean) / (n + prior), which is what the log can support for every title, seen often or not.
/// </summary>
internal static class RewardModel
{
    /// <summary>
    /// For each record: q̂(x, a) of the action shown (<paramref name="factual"/>) and Σ_a π(a|x) q̂(x, a) over the
    /// target's distribution (<paramref name="expected"/>).
    /// </summary>
    public static void CrossFit(BanditLog log, int folds, double prior, Span<double> factual, Span<double> expected)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), folds, "the reward model needs at least 2 folds");
        if (prior <= 0) throw new ArgumentOutOfRangeException(nameof(prior), prior, "the shrinkage prior must be positive");
        if (factual.Length != log.Count || expected.Length != log.Count) throw new ArgumentException("prediction spans must have one entry per record");
        int actions = log.ActionCount;
        // Sums and counts per (fold, action), and per fold.
        var sum = new double[folds * actions];
        var count = new double[folds * actions];
        var foldSum = new double[folds];
        var foldCount = new double[folds];
        var foldOf = new int[log.ClusterCount];
        for (int c = 0; c < foldOf.Length; c++) foldOf[c] = (int)(Mix((ulong)c) % (ulong)folds);
        for (int i = 0; i < log.Count; i++)
        {
            int f = foldOf[log.Cluster[i]];
            sum[f * actions + log.Action[i]] += log.Reward[i];
            count[f * actions + log.Action[i]] += 1;
            foldSum[f] += log.Reward[i];
            foldCount[f] += 1;
        }
        double allSum = 0, allCount = 0;
        for (int f = 0; f < folds; f++) { allSum += foldSum[f]; allCount += foldCount[f]; }
        var totalSum = new double[actions];
        var totalCount = new double[actions];
        for (int f = 0; f < folds; f++)
            for (int a = 0; a < actions; a++) { totalSum[a] += sum[f * actions + a]; totalCount[a] += count[f * actions + a]; }

        for (int i = 0; i < log.Count; i++)
        {
            int f = foldOf[log.Cluster[i]];
            double restCount = allCount - foldCount[f];
            double mean = restCount > 0 ? (allSum - foldSum[f]) / restCount : 0;
            factual[i] = Predict(log.Action[i]);
            double e = 0;
            for (int k = log.TargetStart[i]; k < log.TargetStart[i + 1]; k++) e += log.TargetWeights[k] * Predict(log.TargetActions[k]);
            expected[i] = e;

            double Predict(int a)
            {
                double s = totalSum[a] - sum[f * actions + a];
                double n = totalCount[a] - count[f * actions + a];
                return (s + prior * mean) / (n + prior);
            }
        }
    }

    internal static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
