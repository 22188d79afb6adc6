using Encore.Evaluation.Ranking;
using Encore.Evaluation.Tuning;
using Xunit;

namespace Encore.Evaluation.Tests.Tuning;

public sealed class TuningTests(Ml100kFixture ml100k)
{
    [Fact]
    public void Grid_axes_expand_to_every_combination_over_the_fixed_parameters()
    {
        var axes = ParameterGrid.ParseAxes(["lambda=100,200", "max-titles=0, 500 ,1000"]);
        var grid = ParameterGrid.Expand(axes, new Dictionary<string, string> { ["binary"] = "true" });
        Assert.Equal(6, grid.Count);
        Assert.All(grid, s => Assert.Equal("true", s["binary"]));
        Assert.Equal(6, grid.Select(s => s["lambda"] + "/" + s["max-titles"]).Distinct().Count());
        Assert.Equal("500", grid[1]["max-titles"]);
    }

    [Theory]
    [InlineData("lambda")]
    [InlineData("=1,2")]
    [InlineData("lambda=")]
    public void Malformed_axes_are_rejected(string axis)
        => Assert.Throws<ArgumentException>(() => ParameterGrid.ParseAxes([axis]));

    [Fact]
    public void Repeated_axis_is_rejected()
        => Assert.Throws<ArgumentException>(() => ParameterGrid.ParseAxes(["a=1", "A=2"]));

    [Fact]
    public void Random_search_draws_a_seeded_subset_in_grid_order()
    {
        var grid = ParameterGrid.Expand(ParameterGrid.ParseAxes(["a=1,2,3,4,5", "b=1,2,3,4"]));
        var first = ParameterGrid.Sample(grid, 6, seed: 3);
        var again = ParameterGrid.Sample(grid, 6, seed: 3);
        Assert.Equal(6, first.Count);
        Assert.Equal(first.Select(ParameterGrid.Describe), again.Select(ParameterGrid.Describe));
        var positions = first.Select(s => grid.ToList().IndexOf(s)).ToArray();
        Assert.Equal(positions.Order(), positions);
        Assert.Same(grid, ParameterGrid.Sample(grid, 100, seed: 3));
    }

    [Fact]
    public void Tuner_scores_each_setting_on_validation_and_picks_the_best()
    {
        var validation = ml100k.Validation;
        var settings = ParameterGrid.Expand(ParameterGrid.ParseAxes(["lambda=50,200"]));
        var trials = RankingTuner.Search(validation, TopNProtocol.ProtocolName, "ease", settings, ct: TestContext.Current.CancellationToken);
        Assert.Equal(2, trials.Count);
        // The same figures the protocol gives on the validation split directly.
        var (direct, _, _) = TopNProtocol.Run(Models.ModelCatalog.CreateTrainer("ease", settings[1]), validation, ct: TestContext.Current.CancellationToken);
        Assert.Equal(direct.Ndcg, trials[1]["ndcg@20"], 12);
        var best = RankingTuner.Best(trials, "ndcg@20");
        Assert.Equal(Math.Max(trials[0]["ndcg@20"], trials[1]["ndcg@20"]), best["ndcg@20"]);
        Assert.Throws<ArgumentException>(() => RankingTuner.Search(validation, "p-rating", "ease", settings, ct: TestContext.Current.CancellationToken));
    }
}
