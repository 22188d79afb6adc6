using Encore.Models;

namespace Encore.Evaluation.Ranking;

/// <summary>One P-NEXT run.</summary>
public sealed record NextTitleResult(string Dataset, string Model, IReadOnlyDictionary<string, string> Parameters, SplitSizes Split,
    NextTitleMetrics Metrics, double FitSeconds);

/// <summary>
/// P-NEXT of PROTOCOLS.md ("because you watched"): on the P-TOPN split, each test member's query is the latest
/// train positive (by time, then title id) and the target is the member's first test positive. The model's
/// similar-titles list for the query (not personalized), without the query and the member's train positives,
/// is scored by HitRate@10 and MRR@10.
/// </summary>
public static class NextTitleProtocol
{
    public const string ProtocolName = "p-next";
    public const int K = 10;

    public static (NextTitleMetrics Metrics, double FitSeconds, IRecommender Model) Run(IRecommenderTrainer trainer, RankingSplit split,
        int k = K, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        RequireTimes(split);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var model = trainer.Fit(split.Train, ct);
        double fit = watch.Elapsed.TotalSeconds;
        return (Evaluate(model, split, k, ct), fit, model);
    }

    /// <summary>P-NEXT's query is the member's latest train positive and its target the first test positive: it needs times.</summary>
    /// <exception cref="ArgumentException">The split has no times.</exception>
    public static void RequireTimes(RankingSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        if (!split.HasTimes)
            throw new ArgumentException("P-NEXT needs timestamps (its query is each member's latest train positive, its target the first test positive), "
                + "and this data has none; P-TOPN-R (--protocol p-topn-r) scores top-N lists without them", nameof(split));
    }

    public static NextTitleMetrics Evaluate(IRecommender model, RankingSplit split, int k = K, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(split);
        RequireTimes(split);
        TopNProtocol.CheckShape(model, split);
        var members = split.TestMembers;
        var reciprocal = new double[members.Length];
        var hit = new bool[members.Length];
        int titles = split.Train.Columns;
        var po = new ParallelOptions { CancellationToken = ct };
        Parallel.For(0, members.Length, po, () => (Scores: new float[titles], List: new int[k]), (i, _, scratch) =>
        {
            int m = members[i];
            var history = split.ChronologicalTrain(m);
            if (history.Length == 0) return scratch; // no query: a miss
            int query = history[^1];
            int target = split.Test[m][0];
            var scores = scratch.Scores;
            model.SimilarTitles(query, scores);
            scores[query] = float.NegativeInfinity;
            foreach (var t in split.Train.RowColumns(m)) scores[t] = float.NegativeInfinity;
            int n = TopN.Select(scores, k, scratch.List);
            double rr = RankingMetrics.ReciprocalRank(scratch.List.AsSpan(0, n), target);
            reciprocal[i] = rr;
            hit[i] = rr > 0;
            return scratch;
        }, _ => { });
        double hits = 0, mrr = 0;
        for (int i = 0; i < members.Length; i++)
        {
            if (hit[i]) hits++;
            mrr += reciprocal[i];
        }
        int q = members.Length;
        return new NextTitleMetrics(k, q == 0 ? double.NaN : hits / q, q == 0 ? double.NaN : mrr / q, q);
    }
}
