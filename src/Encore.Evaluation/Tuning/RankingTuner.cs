using Encore.Evaluation.Ranking;
using Encore.Models;

namespace Encore.Evaluation.Tuning;

/// <summary>One setting tried on the validation split, with its figures there.</summary>
public sealed record RankingTrial(IReadOnlyDictionary<string, string> Parameters, IReadOnlyDictionary<string, double> Metrics, double FitSeconds)
{
    public double this[string metric] => Metrics[metric];
}

/// <summary>
/// Search over a top-N model's parameters for P-TOPN, P-TOPN-R or P-NEXT, scored on <see cref="RankingSplit.Validation"/>
/// of the protocol's split (the test part is never seen). Every setting is bound before any fit, so a bad
/// value fails at once. <see cref="ModelSelector"/> (`--model auto`) searches across models with <see cref="Trial"/>.
/// </summary>
public static class RankingTuner
{
    public static readonly IReadOnlyList<string> TopNMetricNames = ["recall@20", "ndcg@20", "coverage@20"];
    public static readonly IReadOnlyList<string> NextMetricNames = ["hr@10", "mrr@10"];

    /// <summary>The metric a protocol's tuning maximizes unless told otherwise.</summary>
    public static string DefaultMetric(string protocol) => protocol == NextTitleProtocol.ProtocolName ? "hr@10" : "ndcg@20";

    public static IReadOnlyList<string> MetricNames(string protocol)
        => protocol == NextTitleProtocol.ProtocolName ? NextMetricNames : TopNMetricNames;

    /// <summary>Fits and scores every setting in order (trials come back in the same order).</summary>
    public static IReadOnlyList<RankingTrial> Search(RankingSplit validation, string protocol, string model,
        IReadOnlyList<IReadOnlyDictionary<string, string>> settings, IProgress<RankingTrial>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(settings);
        RequireProtocol(protocol);
        var trainers = settings.Select(s => ModelCatalog.CreateTrainer(model, s)).ToArray();
        var trials = new List<RankingTrial>(settings.Count);
        for (int i = 0; i < settings.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var trial = Trial(validation, protocol, trainers[i], settings[i], ct);
            trials.Add(trial);
            progress?.Report(trial);
        }
        return trials;
    }

    /// <summary>Fits one trainer on <paramref name="validation"/>'s train part and scores it there by <paramref name="protocol"/>'s metrics.</summary>
    public static RankingTrial Trial(RankingSplit validation, string protocol, IRecommenderTrainer trainer, IReadOnlyDictionary<string, string> parameters,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(trainer);
        RequireProtocol(protocol);
        Dictionary<string, double> metrics;
        double fit;
        if (protocol == NextTitleProtocol.ProtocolName)
        {
            (var m, fit, _) = NextTitleProtocol.Run(trainer, validation, ct: ct);
            metrics = new() { ["hr@10"] = m.HitRate, ["mrr@10"] = m.Mrr };
        }
        else
        {
            (var m, fit, _) = TopNProtocol.Run(trainer, validation, ct: ct);
            metrics = new() { ["recall@20"] = m.Recall, ["ndcg@20"] = m.Ndcg, ["coverage@20"] = m.Coverage };
        }
        return new RankingTrial(parameters, metrics, fit);
    }

    private static void RequireProtocol(string protocol)
    {
        if (protocol != TopNProtocol.ProtocolName && protocol != TopNProtocol.RandomProtocolName && protocol != NextTitleProtocol.ProtocolName)
            throw new ArgumentException($"tuning of top-N models supports {TopNProtocol.ProtocolName}, {TopNProtocol.RandomProtocolName} and "
                + $"{NextTitleProtocol.ProtocolName}, not '{protocol}'");
    }

    /// <summary>The trial with the highest <paramref name="metric"/> (the earlier one on a tie).</summary>
    public static RankingTrial Best(IReadOnlyList<RankingTrial> trials, string metric)
    {
        if (trials.Count == 0) throw new ArgumentException("no trials", nameof(trials));
        var best = trials[0];
        foreach (var t in trials)
            if (t[metric] > best[metric]) best = t;
        return best;
    }
}
