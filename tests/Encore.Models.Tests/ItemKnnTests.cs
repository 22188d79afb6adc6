using Encore.Core;
using Encore.Models.ItemKnn;
using Xunit;

namespace Encore.Models.Tests;

public sealed class ItemKnnTests
{
    private static InteractionMatrix Small()
    {
        // a: m1 m2 m3; b: m1 m2; c: m3 (weight 2); d: m4
        var b = new InteractionMatrixBuilder();
        b.Add("m1", "a", 1); b.Add("m2", "a", 1); b.Add("m3", "a", 1);
        b.Add("m1", "b", 1); b.Add("m2", "b", 1);
        b.Add("m3", "c", 2);
        b.Add("m4", "d", 1);
        return b.Build();
    }

    [Fact]
    public void Cosine_with_shrinkage_matches_the_hand_computation()
    {
        var model = new ItemKnnTrainer(new ItemKnnOptions { Weighting = ItemKnnWeighting.Cosine, Shrinkage = 1 }).Fit(Small(), TestContext.Current.CancellationToken);
        var s = new float[4];
        model.SimilarTitles(0, s); // a
        // cos(a, b) = 2 / (sqrt(3) sqrt(2) + 1); cos(a, c) = 2 / (sqrt(3) * 2 + 1); d shares nobody.
        Assert.Equal(2 / (Math.Sqrt(3) * Math.Sqrt(2) + 1), s[1], 4);
        Assert.Equal(2 / (Math.Sqrt(3) * 2 + 1), s[2], 4);
        Assert.True(s[3] < 1e-5);
        // Member m3 (a, c with weight 2): score(b) = 1 * sim(a, b) + 2 * sim(c, b) = sim(a, b).
        var m = new float[4];
        model.ScoreMember(2, m);
        Assert.Equal(s[1], m[1], 4);
    }

    [Fact]
    public void Bm25_weights_follow_implicit_bm25_weight()
    {
        var data = Small();
        var byTitle = new Numerics.SparseMatrix(data.Rows, data.Columns, data.RowPointers, data.ColumnIndices, data.Values).Transpose();
        var o = new ItemKnnOptions { Weighting = ItemKnnWeighting.Bm25, K1 = 1.2f, B = 0.75f };
        var w = ItemKnnTrainer.Weight(byTitle, o);
        // Title a (row 0), member m1: N = 4 titles, m1 has 2 titles -> idf = log(4 / 3);
        // row sums: a 3, b 2, c 2, d 1 -> average 2; length norm of a = 0.25 + 0.75 * 3 / 2.
        double idf = Math.Log(4.0 / 3.0);
        double norm = 0.25 + 0.75 * 1.5;
        double expected = 1 * 2.2 / (1.2 * norm + 1) * idf;
        Assert.Equal(expected, w.Values[0], 5);
    }

    [Fact]
    public void Keeps_at_most_k_neighbours_per_title()
    {
        var data = SyntheticData.Create(members: 80, titles: 60, perMember: 12);
        var model = (ItemKnnRecommender)new ItemKnnTrainer(new ItemKnnOptions { Neighbours = 5 }).Fit(data, TestContext.Current.CancellationToken);
        Assert.True(model.NeighbourPairs <= 5 * data.Columns);
        var s = new float[data.Columns];
        model.SimilarTitles(0, s);
        Assert.True(s.Count(v => v > 1e-5f) <= 5);
    }
}
