using Encore.Core;
using Encore.Models.Ratings;
using Xunit;

namespace Encore.Models.Tests.Ratings;

public sealed class BaselineTrainerTests
{
    // a-x 5, a-y 3, b-x 4: μ = 4.
    private static InteractionMatrix Tiny()
    {
        var builder = new InteractionMatrixBuilder();
        builder.Add("a", "x", 1f, 5f);
        builder.Add("a", "y", 1f, 3f);
        builder.Add("b", "x", 1f, 4f);
        return builder.Build();
    }

    [Fact]
    public void One_pass_gives_the_damped_means_in_closed_form()
    {
        var model = (FactorRatingModel)new BaselineTrainer().Fit(Tiny(), TestContext.Current.CancellationToken);
        // b_x = (1 + 0) / (2 + 5) = 1/7, b_y = -1 / (1 + 5) = -1/6,
        // b_a = ((1 - 1/7) + (-1 + 1/6)) / (2 + 5) = 1/294, b_b = (0 - 1/7) / (1 + 5) = -1/42.
        Assert.Equal(4f, model.GlobalMean);
        Assert.Equal(1 / 7.0, model.TitleBias[0], 6);
        Assert.Equal(-1 / 6.0, model.TitleBias[1], 6);
        Assert.Equal(1 / 294.0, model.MemberBias[0], 6);
        Assert.Equal(-1 / 42.0, model.MemberBias[1], 6);
        Assert.Equal(4 + 1 / 294.0 + 1 / 7.0, model.Predict(0, 0), 5);
        Assert.Equal(4 - 1 / 42.0 - 1 / 6.0, model.Predict(1, 1), 5);
        Assert.Equal(4 - 1 / 6.0, model.Predict(-1, 1), 5);
        Assert.Equal(4f, model.Predict(-1, -1));
    }

    [Fact]
    public void Without_damping_alternating_passes_fit_the_ratings_exactly()
    {
        var model = new BaselineTrainer(new BaselineOptions { UserDamping = 0, TitleDamping = 0, Iterations = 500 })
            .Fit(Tiny(), TestContext.Current.CancellationToken);
        Assert.Equal(5f, model.Predict(0, 0), 3);
        Assert.Equal(3f, model.Predict(0, 1), 3);
        Assert.Equal(4f, model.Predict(1, 0), 3);
    }

    [Fact]
    public void Predictions_are_clipped_to_the_training_range()
    {
        var builder = new InteractionMatrixBuilder();
        for (int u = 0; u < 5; u++) builder.Add($"m{u}", "top", 1f, 5f);
        builder.Add("m0", "low", 1f, 1f);
        var model = new BaselineTrainer(new BaselineOptions { UserDamping = 0, TitleDamping = 0, Iterations = 50 }).Fit(builder.Build(), TestContext.Current.CancellationToken);
        for (int u = 0; u < 5; u++)
            for (int t = 0; t < 2; t++) Assert.InRange(model.Predict(u, t), 1f, 5f);
    }

    [Fact]
    public void Parameters_are_read_with_clear_errors()
    {
        static BaselineOptions Options(IReadOnlyDictionary<string, string> p) => ((BaselineTrainer)ModelCatalog.CreateRatingTrainer("baseline", p)).Options;
        // The top-N models' spelling (kebab case); the old snake_case keys still read, as any key does without '-' and '_'.
        Assert.Equal(new BaselineOptions { UserDamping = 10, Iterations = 3 }, Options(new Dictionary<string, string> { ["user-damping"] = "10", ["Iterations"] = "3" }));
        Assert.Equal(new BaselineOptions { UserDamping = 10 }, Options(new Dictionary<string, string> { ["user_damping"] = "10" }));
        var bad = Assert.Throws<ArgumentException>(() => Options(new Dictionary<string, string> { ["iterations"] = "many" }));
        Assert.Contains("'iterations': 'many'", bad.Message);
        Assert.Contains("integer", bad.Message);
        var range = Assert.Throws<ArgumentException>(() => Options(new Dictionary<string, string> { ["title-damping"] = "-1" }));
        Assert.Contains("title-damping", range.Message);
        var unknown = Assert.Throws<ArgumentException>(() => Options(new Dictionary<string, string> { ["damping"] = "1" }));
        Assert.Contains("unknown parameter 'damping'", unknown.Message);
        Assert.Contains("user-damping", unknown.Message);
    }
}
