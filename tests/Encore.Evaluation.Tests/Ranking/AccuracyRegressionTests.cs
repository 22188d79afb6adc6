using Encore.Evaluation.Ranking;
using Encore.Models;
using Xunit;

namespace Encore.Evaluation.Tests.Ranking;

/// <summary>
/// Each top-N model's P-TOPN and P-NEXT figures on the real MovieLens 100K, within a tight band, so that a change
/// that makes a model worse (or silently different) fails CI. Parameters are pinned here rather than taken from
/// the models' defaults, so that retuning a default is a deliberate edit of this table.
/// </summary>
public sealed class AccuracyRegressionTests(Ml100kFixture ml100k)
{
    private const double Band = 0.005;

    /// <summary>model, parameters (k=v;k=v), Recall@20, NDCG@20.</summary>
    public static TheoryData<string, string, double, double> TopN => new()
    {
        { "popularity", "", 0.1136, 0.0901 },
        { "itemknn", "weighting=cosine;neighbours=200;shrinkage=0", 0.1874, 0.1451 },
        { "itemknn", "weighting=bm25;neighbours=200;k1=1.2;b=0.5;shrinkage=0", 0.2124, 0.1565 },
        { "ease", "lambda=200", 0.2202, 0.1656 },
        // Encore's first iALS defaults (a constant unobserved weight: they collapse to popularity on sparse, large catalogues).
        { "ials", "factors=128;iterations=15;regularization=0.02;alpha=1;unobserved-weight=1;regularization-exponent=1;cg-steps=3;init-scale=0.1;seed=42;use-ratings=true", 0.2288, 0.1693 },
        { "ials", IalsParameters, 0.2251, 0.1672 },
        { "sequential", SequentialParameters, SequentialRecall, SequentialNdcg },
    };

    /// <summary>iALS's scale-aware defaults (the unobserved weight derived from the density), spelled out.</summary>
    internal const string IalsParameters = "factors=128;iterations=15;regularization=0.8;alpha=1;unobserved-ratio=8;regularization-exponent=0.5;cg-steps=3;init-scale=0.1;seed=42;use-ratings=true";

    /// <summary>The sequential blend's tuned setting (its defaults), spelled out.</summary>
    internal const string SequentialParameters = "lambda=250;recency-scale=8;recency-floor=0.2;window=40;decay=0.95;popularity-exponent=0.4;transition-scale=3;transition-weight=0.6;similar-lambda=2000;similar-window=5;similar-decay=0.8;similar-transition-weight=1";
    internal const double SequentialRecall = 0.2587;
    internal const double SequentialNdcg = 0.1968;

    [Theory]
    [MemberData(nameof(TopN))]
    public void P_topn_figure_holds(string model, string parameters, double recall, double ndcg)
    {
        var m = TopNFigures(model, parameters);
        Assert.InRange(m.Recall, recall - Band, recall + Band);
        Assert.InRange(m.Ndcg, ndcg - Band, ndcg + Band);
    }

    /// <summary>
    /// model, parameters, HR@10, MRR@10 (the references of issue 3: item-kNN cosine 0.1258 / 0.0513, popularity 0.0725;
    /// EASE lambda=500, the best P-NEXT peer, 0.1375 / 0.0580 in the peer's own run).
    /// </summary>
    public static TheoryData<string, string, double, double> Next => new()
    {
        { "popularity", "", 0.0725, 0.0300 },
        { "itemknn", "weighting=cosine;neighbours=200;shrinkage=0", 0.1258, 0.0513 },
        { "ease", EaseNextParameters, 0.1375, 0.0590 },
        { "ials", IalsParameters, 0.1311, 0.0516 },
        { "sequential", SequentialParameters, SequentialHitRate, SequentialMrr },
    };

    private const string EaseNextParameters = "lambda=500";

    internal const double SequentialHitRate = 0.1482;
    internal const double SequentialMrr = 0.0602;

    [Theory]
    [MemberData(nameof(Next))]
    public void P_next_figure_holds(string model, string parameters, double hitRate, double mrr)
    {
        var m = NextFigures(model, parameters);
        Assert.InRange(m.HitRate, hitRate - Band, hitRate + Band);
        Assert.InRange(m.Mrr, mrr - Band, mrr + Band);
        Assert.Equal(938, m.Queries);
    }

    /// <summary>The best P-TOPN peer of issue 3: iALS in implicit 0.7.3 on this very split (docs/RESULTS.md), Recall@20 / NDCG@20.</summary>
    private const double PeerRecall = 0.2272, PeerNdcg = 0.1687;

    [Fact]
    public void Sequential_blend_beats_every_peer_of_issue_3()
    {
        // Issue 3's targets, on figures computed here on ML-100K: P-TOPN 5% above the best peer, and above every other
        // Encore model of the table; P-NEXT HR@10 and MRR@10 above EASE lambda=500 (the best P-NEXT peer) on the same split.
        var topN = TopNFigures("sequential", SequentialParameters);
        Assert.True(topN.Recall >= 1.05 * PeerRecall, $"sequential Recall@20 {topN.Recall:F4} < 1.05 x {PeerRecall}");
        Assert.True(topN.Ndcg >= 1.05 * PeerNdcg, $"sequential NDCG@20 {topN.Ndcg:F4} < 1.05 x {PeerNdcg}");
        foreach (var (model, parameters) in new[] { ("ease", "lambda=200"), ("itemknn", "weighting=bm25;neighbours=200;k1=1.2;b=0.5;shrinkage=0") })
        {
            var peer = TopNFigures(model, parameters);
            Assert.True(topN.Recall > peer.Recall && topN.Ndcg > peer.Ndcg,
                $"sequential {topN.Recall:F4} / {topN.Ndcg:F4} against {model} {parameters} {peer.Recall:F4} / {peer.Ndcg:F4}");
        }
        var next = NextFigures("sequential", SequentialParameters);
        var ease = NextFigures("ease", EaseNextParameters);
        Assert.True(next.HitRate > ease.HitRate && next.Mrr > ease.Mrr,
            $"P-NEXT: sequential {next.HitRate:F4} / {next.Mrr:F4} against EASE lambda=500 {ease.HitRate:F4} / {ease.Mrr:F4}");
    }

    // Each figure is computed once per test run and shared by the tests that read it (they run one at a time).
    private static readonly Dictionary<string, TopNMetrics> TopNCache = [];
    private static readonly Dictionary<string, NextTitleMetrics> NextCache = [];

    private TopNMetrics TopNFigures(string model, string parameters)
    {
        lock (TopNCache)
        {
            var key = model + "|" + parameters;
            if (!TopNCache.TryGetValue(key, out var m))
                TopNCache[key] = m = TopNProtocol.Run(ModelCatalog.CreateTrainer(model, Parse(parameters)), ml100k.Split, ct: TestContext.Current.CancellationToken).Metrics;
            return m;
        }
    }

    private NextTitleMetrics NextFigures(string model, string parameters)
    {
        lock (NextCache)
        {
            var key = model + "|" + parameters;
            if (!NextCache.TryGetValue(key, out var m))
                NextCache[key] = m = NextTitleProtocol.Run(ModelCatalog.CreateTrainer(model, Parse(parameters)), ml100k.Split, ct: TestContext.Current.CancellationToken).Metrics;
            return m;
        }
    }

    internal static Dictionary<string, string> Parse(string parameters)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in parameters.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            result[pair[..eq]] = pair[(eq + 1)..];
        }
        return result;
    }
}
