using Encore.Evaluation.Audience;
using Encore.TestSupport;
using Xunit;

namespace Encore.Evaluation.Tests.Audience;

/// <summary>The audience backtest: its recall on a known case, and the figures on MovieLens 100K's hidden titles.</summary>
public sealed class AudienceBacktestTests
{
    [Fact]
    public void Recall_at_k_counts_the_viewers_among_the_top_k_out_of_at_most_k()
    {
        // Title 0: viewers {1, 3}; the top 2 by score are members 3 and 2: one of two found.
        // Title 1: viewers {0, 1, 2, 3}; the top 2 are 0 and 1: both of at most 2 found.
        // Title 2: no viewers: left out of the mean.
        float[][] scores = [[0.1f, 0.2f, 0.5f, 0.9f], [0.9f, 0.8f, 0.1f, 0.0f], [1, 2, 3, 4]];
        int[][] viewers = [[1, 3], [0, 1, 2, 3], []];
        Assert.Equal((0.5 + 1.0) / 2, AudienceBacktest.MeanRecall(scores, viewers, k: 2), 12);
    }

    [Fact]
    public void On_movielens_hidden_titles_the_metadata_regression_beats_genre_popularity_and_the_hybrid()
    {
        var folder = SharedData.RequireMl100k();
        var set = AudienceBacktest.FromMovieLens(folder, ct: TestContext.Current.CancellationToken);
        Assert.Equal(336, set.Hidden.Length);
        Assert.All(set.Hidden, t => Assert.Equal(0, set.Started.ColumnCounts()[t]));
        var result = AudienceBacktest.Run(set, ct: TestContext.Current.CancellationToken);
        var ours = result[AudienceBacktest.Ours];
        var genre = result[AudienceBacktest.GenrePopularity];
        var hybrid = result[AudienceBacktest.Hybrid];
        var table = string.Join(Environment.NewLine, result.Describe());
        // Measured 0.3955 / 0.5637 against 0.3550 / 0.5314 and 0.2496 / 0.2762 (docs/AUDIENCE.md).
        Assert.True(ours.Spearman > genre.Spearman && ours.Spearman > hybrid.Spearman, table);
        Assert.True(ours.RecallAt100 > genre.RecallAt100 && ours.RecallAt100 > hybrid.RecallAt100, table);
        Assert.InRange(ours.Spearman, 0.35, 0.45);
        Assert.InRange(ours.RecallAt100, 0.52, 0.60);
    }
}
