using Encore.Evaluation.Ranking;
using Xunit;

namespace Encore.Evaluation.Tests.Ranking;

public sealed class RankingMetricsTests
{
    [Fact]
    public void Recall_ndcg_and_coverage_match_a_hand_computation()
    {
        // K = 3, catalogue of 10. Member 0: truth {1, 5}, list [1, 2, 5] -> hits at ranks 1 and 3.
        // Member 1: truth {7, 8, 9, 4} (4 > K, so recall divides by 3), list [0, 9, -1] -> hit at rank 2.
        int[] lists = [1, 2, 5, 0, 9, -1];
        var m = RankingMetrics.TopN(lists, 3, [[1, 5], [7, 8, 9, 4]], 10);
        double d1 = 1, d2 = 1 / Math.Log2(3), d3 = 1 / Math.Log2(4);
        double recall0 = 2 / 2.0, ndcg0 = (d1 + d3) / (d1 + d2);
        double recall1 = 1 / 3.0, ndcg1 = d2 / (d1 + d2 + d3);
        Assert.Equal((recall0 + recall1) / 2, m.Recall, 12);
        Assert.Equal((ndcg0 + ndcg1) / 2, m.Ndcg, 12);
        Assert.Equal(5 / 10.0, m.Coverage, 12); // {0, 1, 2, 5, 9}
        Assert.Equal([recall0, recall1], m.RecallPerMember);
    }

    [Fact]
    public void Perfect_lists_score_one()
    {
        var m = RankingMetrics.TopN([3, 4, 0, 1], 2, [[4, 3], [0, 1, 2]], 5);
        Assert.Equal(1, m.Recall, 12);
        Assert.Equal(1, m.Ndcg, 12);
    }

    [Fact]
    public void Reciprocal_rank_is_one_over_the_one_based_rank()
    {
        Assert.Equal(1 / 3.0, RankingMetrics.ReciprocalRank([7, 8, 9], 9), 12);
        Assert.Equal(0, RankingMetrics.ReciprocalRank([7, 8, 9], 1));
    }

    [Fact]
    public void Shape_errors_are_reported()
    {
        Assert.Throws<ArgumentException>(() => RankingMetrics.TopN([1, 2, 3], 2, [[1]], 5));
        Assert.Throws<ArgumentException>(() => RankingMetrics.TopN([1, 2], 2, [[]], 5));
    }
}
