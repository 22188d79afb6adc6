using System.Diagnostics;
using Encore.Models;

namespace Encore.Evaluation.Ranking;

/// <summary>
/// Split sizes printed with every P-TOPN / P-NEXT figure, so that a reader can check the split, and the split's rule
/// (<see cref="SplitRule.Name"/>, with its seed where it has one; null where a protocol has its own, as P-SIM and P-RATING do).
/// </summary>
public sealed record SplitSizes(int Train, int Test, int TestUsers, SplitRule? Rule = null)
{
    public static SplitSizes Of(RankingSplit split) => new(split.TrainPositives, split.TestPositives, split.TestUsers, split.Rule);
}

/// <summary>One P-TOPN run: the data set, the model and its parameters, the split, the figures and the fit time.</summary>
public sealed record TopNResult(string Dataset, string Model, IReadOnlyDictionary<string, string> Parameters, SplitSizes Split,
    TopNMetrics Metrics, double FitSeconds);

/// <summary>
/// P-TOPN and P-TOPN-R of PROTOCOLS.md (they differ only in the split): fit on the train positives only, rank every
/// catalogue title except the member's train positives for every test member, and score the top 20 against the
/// member's test titles.
/// </summary>
public static class TopNProtocol
{
    public const string ProtocolName = "p-topn";

    /// <summary>P-TOPN-R: the same scoring on a random per-member split (data without timestamps).</summary>
    public const string RandomProtocolName = "p-topn-r";
    public const int K = 20;

    /// <summary>Fits <paramref name="trainer"/> on <paramref name="split"/>'s train part and evaluates it.</summary>
    public static (TopNMetrics Metrics, double FitSeconds, IRecommender Model) Run(IRecommenderTrainer trainer, RankingSplit split,
        int k = K, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var watch = Stopwatch.StartNew();
        var model = trainer.Fit(split.Train, ct);
        double fit = watch.Elapsed.TotalSeconds;
        return (Evaluate(model, split, k, ct), fit, model);
    }

    /// <summary>Top-K of every test member of <paramref name="split"/> from a model fitted on its train part, scored.</summary>
    public static TopNMetrics Evaluate(IRecommender model, RankingSplit split, int k = K, CancellationToken ct = default)
    {
        var batch = Recommend(model, split, k, ct);
        var truth = new int[split.TestMembers.Length][];
        for (int i = 0; i < truth.Length; i++) truth[i] = split.Test[split.TestMembers[i]];
        return RankingMetrics.TopN(batch.Titles, k, truth, split.Train.Columns);
    }

    /// <summary>The top-K lists of the test members (train positives excluded), in <see cref="RankingSplit.TestMembers"/> order.</summary>
    public static TopNBatch Recommend(IRecommender model, RankingSplit split, int k = K, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(split);
        CheckShape(model, split);
        return Recommendations.RecommendBatch(model, split.TestMembers, k, split.Train, ct: ct);
    }

    internal static void CheckShape(IRecommender model, RankingSplit split)
    {
        if (model.TitleIds.Count != split.Train.Columns || model.MemberIds.Count != split.Train.Rows)
            throw new ArgumentException($"model '{model.Name}' covers {model.MemberIds.Count} members x {model.TitleIds.Count} titles; "
                + $"the split has {split.Train.Rows} x {split.Train.Columns}: fit it on the split's Train matrix", nameof(model));
    }
}
