using Encore.Models.Ease;
using Xunit;

namespace Encore.Models.Tests;

public sealed class EaseTests
{
    [Fact]
    public void Weights_satisfy_the_closed_form()
    {
        // With G = X^T X + lambda I and B = I - P diag(1/diag P), G B = G - diag(1/diag P): off the diagonal, (G B)_ij = G_ij.
        var data = SyntheticData.Create(members: 70, titles: 40, perMember: 9);
        const float lambda = 3;
        var model = (EaseRecommender)new EaseTrainer(new EaseOptions { Lambda = lambda }).Fit(data, TestContext.Current.CancellationToken);
        int n = data.Columns;
        var g = new double[n, n];
        for (int m = 0; m < data.Rows; m++)
        {
            var cols = data.RowColumns(m);
            foreach (var i in cols) foreach (var j in cols) g[i, j] += 1;
        }
        var active = Enumerable.Range(0, n).Where(t => g[t, t] > 0).ToArray();
        Assert.Equal(active.Length, model.ActiveTitles);
        foreach (var i in active)
        {
            Assert.Equal(0f, model.Weight(i, i));
            foreach (var j in active)
            {
                if (i == j) continue;
                double gb = 0;
                foreach (var k in active) gb += (g[i, k] + (i == k ? lambda : 0)) * model.Weight(k, j);
                Assert.True(Math.Abs(gb - g[i, j]) < 1e-3 * (1 + Math.Abs(g[i, j])), $"(GB)[{i},{j}] = {gb}, G = {g[i, j]}");
            }
        }
    }

    [Fact]
    public void Scores_are_the_history_times_the_weights()
    {
        var data = SyntheticData.Create();
        var model = (EaseRecommender)new EaseTrainer(new EaseOptions { Lambda = 10 }).Fit(data, TestContext.Current.CancellationToken);
        var scores = new float[data.Columns];
        model.ScoreMember(4, scores);
        var history = data.RowColumns(4).ToArray();
        for (int j = 0; j < data.Columns; j++)
        {
            double expected = history.Sum(i => (double)model.Weight(i, j));
            Assert.Equal(expected, scores[j], 4);
        }
    }

    [Fact]
    public void A_title_cap_keeps_the_most_popular_titles()
    {
        var data = SyntheticData.Create();
        var model = (EaseRecommender)new EaseTrainer(new EaseOptions { Lambda = 10, MaxTitles = 10 }).Fit(data, TestContext.Current.CancellationToken);
        Assert.Equal(10, model.ActiveTitles);
        var counts = data.ColumnCounts();
        int mostPopular = Array.IndexOf(counts, counts.Max());
        int leastPopular = Enumerable.Range(0, counts.Length).Where(t => counts[t] > 0).MinBy(t => counts[t]);
        Assert.NotEqual(0f, Enumerable.Range(0, data.Columns).Select(j => model.Weight(mostPopular, j)).Max(Math.Abs));
        Assert.Equal(0f, Enumerable.Range(0, data.Columns).Select(j => model.Weight(leastPopular, j)).Max(Math.Abs));
    }
}
