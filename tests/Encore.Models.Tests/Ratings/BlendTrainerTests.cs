using Encore.Models.Ratings;
using Xunit;

namespace Encore.Models.Tests.Ratings;

public sealed class BlendTrainerTests
{
    [Fact]
    public void The_blend_weights_its_components_and_beats_the_weaker_one_on_held_out_data()
    {
        var data = SyntheticRatings.Create(members: 150, titles: 100, density: 0.3);
        var holdout = RatingHoldout.Split(data, 0.2, seed: 3);
        var ct = TestContext.Current.CancellationToken;
        var options = BlendOptions.Bind(new Dictionary<string, string>
        {
            ["components"] = "baseline,bpmf",
            ["bpmf.factors"] = "5",
            ["bpmf.samples"] = "40",
            ["bpmf.burn-in"] = "10",
        });
        var blend = (BlendRatingModel)new BlendTrainer(options).Fit(holdout.Train, ct);
        Assert.Equal(2, blend.Components.Count);
        Assert.Equal("baseline", blend.Components[0].Name);
        Assert.Equal("bpmf", blend.Components[1].Name);
        // The factor model carries the structure: it gets the larger weight.
        Assert.True(blend.Weights[1] > blend.Weights[0], $"weights {blend.Weights[0]:F3}, {blend.Weights[1]:F3}");
        double blended = holdout.Rmse(blend);
        double baseline = holdout.Rmse(blend.Components[0]);
        Assert.True(blended < baseline - 0.1, $"blend {blended:F4} vs baseline {baseline:F4}");
        // The prediction is the clipped weighted sum of the components'.
        float expected = blend.Intercept + blend.Weights[0] * blend.Components[0].Predict(4, 7) + blend.Weights[1] * blend.Components[1].Predict(4, 7);
        Assert.Equal(Math.Clamp(expected, 1f, 5f), blend.Predict(4, 7), 4);
    }

    [Fact]
    public void Blend_parameters_are_checked_by_component()
    {
        Assert.Equal(BlendOptions.DefaultComponents, BlendOptions.Bind(null).Components);
        var unknown = Assert.Throws<ArgumentException>(() => BlendOptions.Bind(new Dictionary<string, string> { ["components"] = "bpmf,nope" }));
        Assert.Contains("'nope'", unknown.Message);
        var self = Assert.Throws<ArgumentException>(() => BlendOptions.Bind(new Dictionary<string, string> { ["components"] = "blend" }));
        Assert.Contains("'blend'", self.Message);
        var topN = Assert.Throws<ArgumentException>(() => BlendOptions.Bind(new Dictionary<string, string> { ["components"] = "mf,ials" }));
        Assert.Contains("'ials'", topN.Message);
        var stray = Assert.Throws<ArgumentException>(() => BlendOptions.Bind(new Dictionary<string, string> { ["components"] = "mf", ["bpmf.samples"] = "3" }));
        Assert.Contains("'bpmf' is not among the components", stray.Message);
        // A component's own bad parameter is refused when the blend's parameters are bound, before any fit.
        var bad = Assert.Throws<ArgumentException>(() => ModelCatalog.CreateRatingTrainer("blend", new Dictionary<string, string> { ["components"] = "mf", ["mf.factors"] = "-3" }));
        Assert.Contains("component 'mf'", bad.Message);
        Assert.Contains("factors", bad.Message);
        var badKey = Assert.Throws<ArgumentException>(() => ModelCatalog.CreateRatingTrainer("blend", new Dictionary<string, string> { ["components"] = "mf", ["mf.lr"] = "0.1" }));
        Assert.Contains("'lr'", badKey.Message);
        Assert.Contains("learning-rate", badKey.Message);
    }
}
