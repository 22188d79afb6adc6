using Encore.Models.Ials;
using Xunit;

namespace Encore.Models.Tests;

public sealed class IalsTests
{
    private static IalsOptions Small(int iterations) => new() { Factors = 8, Iterations = iterations, Regularization = 0.05f, Seed = 3, UseRatings = false };

    [Fact]
    public void Loss_decreases_over_iterations()
    {
        var data = SyntheticData.Create(members: 90, titles: 45, perMember: 10);
        var losses = new[] { 0, 1, 2, 4, 8 }
            .Select(it => ((IalsRecommender)new IalsTrainer(Small(it)).Fit(data, TestContext.Current.CancellationToken)).Loss(data))
            .ToArray();
        for (int i = 1; i < losses.Length; i++) Assert.True(losses[i] < losses[i - 1], $"loss went {string.Join(" -> ", losses)}");
        Assert.True(losses[^1] < 0.8 * losses[0]);
    }

    [Fact]
    public void Plain_regularization_also_decreases_the_loss()
    {
        var data = SyntheticData.Create();
        var o = Small(1) with { RegularizationExponent = 0, Regularization = 2 };
        double one = ((IalsRecommender)new IalsTrainer(o).Fit(data, TestContext.Current.CancellationToken)).Loss(data);
        double six = ((IalsRecommender)new IalsTrainer(o with { Iterations = 6 }).Fit(data, TestContext.Current.CancellationToken)).Loss(data);
        Assert.True(six < one);
    }

    [Fact]
    public void Fold_in_of_a_training_history_agrees_with_the_trained_member()
    {
        var data = SyntheticData.Create();
        var model = (IalsRecommender)new IalsTrainer(Small(25) with { CgSteps = 6 }).Fit(data, TestContext.Current.CancellationToken);
        var trained = new float[data.Columns];
        var folded = new float[data.Columns];
        for (int m = 0; m < 10; m++)
        {
            model.ScoreMember(m, trained);
            model.ScoreHistory(data.RowColumns(m), data.RowValues(m), folded);
            double cos = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(trained, folded);
            Assert.True(cos > 0.99, $"member {m}: cosine {cos}");
        }
    }

    [Fact]
    public void Members_of_a_taste_group_get_titles_of_that_group()
    {
        var data = SyntheticData.Create(members: 90, titles: 45, perMember: 10);
        var model = new IalsTrainer(Small(10)).Fit(data, TestContext.Current.CancellationToken);
        int inGroup = 0, total = 0;
        for (int m = 0; m < 30; m++)
        {
            int group = int.Parse(model.MemberIds[m].AsSpan(1)) % 3;
            foreach (var r in Recommendations.Recommend(model, model.MemberIds[m], 5))
            {
                total++;
                if (r.TitleId != SyntheticData.UnwatchedTitle && int.Parse(r.TitleId.AsSpan(1)) % 3 == group) inGroup++;
            }
        }
        Assert.True(inGroup > 0.7 * total, $"{inGroup} of {total} in the member's group");
    }

    [Fact]
    public void A_title_is_most_similar_to_itself_and_cancellation_stops_training()
    {
        var data = SyntheticData.Create();
        var model = new IalsTrainer(Small(5)).Fit(data, TestContext.Current.CancellationToken);
        var s = new float[data.Columns];
        model.SimilarTitles(6, s);
        Assert.Equal(6, Array.IndexOf(s, s.Max()));
        using var cts = new CancellationTokenSource();
        var trainer = new IalsTrainer(Small(50)) { IterationCompleted = (it, _) => { if (it == 2) cts.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(data, cts.Token));
    }
}
