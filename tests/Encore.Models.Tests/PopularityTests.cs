using Encore.Core;
using Encore.Models.Popularity;
using Xunit;

namespace Encore.Models.Tests;

public sealed class PopularityTests
{
    [Fact]
    public void Counts_members_per_title_or_sums_weights()
    {
        var b = new InteractionMatrixBuilder();
        b.Add("m1", "a", 3f); b.Add("m2", "a", 1f); b.Add("m2", "b", 5f);
        var data = b.Build();
        var counts = (PopularityRecommender)new PopularityTrainer().Fit(data, TestContext.Current.CancellationToken);
        Assert.Equal(new[] { 2f, 1f }, counts.Scores.ToArray());
        var weights = (PopularityRecommender)new PopularityTrainer(new PopularityOptions { UseWeights = true }).Fit(data, TestContext.Current.CancellationToken);
        Assert.Equal(new[] { 4f, 5f }, weights.Scores.ToArray());
    }

    [Fact]
    public void Decay_halves_an_interaction_one_half_life_before_the_latest()
    {
        var b = new InteractionMatrixBuilder();
        long latest = 1_700_000_000;
        b.Add("m1", "new", 1f, null, latest);
        b.Add("m1", "old", 1f, null, latest - 10 * 86400);
        b.Add("m2", "old", 1f, null, latest - 20 * 86400);
        var model = (PopularityRecommender)new PopularityTrainer(new PopularityOptions { HalfLifeDays = 10 }).Fit(b.Build(), TestContext.Current.CancellationToken);
        Assert.Equal(1.0, model.Scores[0], 5);
        Assert.Equal(0.5 + 0.25, model.Scores[1], 5);
    }

    [Fact]
    public void Decay_without_timestamps_is_a_clear_error()
    {
        var b = new InteractionMatrixBuilder();
        b.Add("m1", "a", 1f);
        var e = Assert.Throws<InvalidOperationException>(() => new PopularityTrainer(new PopularityOptions { HalfLifeDays = 3 }).Fit(b.Build(), TestContext.Current.CancellationToken));
        Assert.Contains("timestamps", e.Message);
    }
}
