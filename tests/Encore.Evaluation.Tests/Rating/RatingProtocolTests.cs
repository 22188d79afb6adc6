using Encore.Evaluation.Rating;
using Encore.Evaluation.Tuning;
using Encore.Models;
using Encore.Models.Ratings;
using Encore.TestSupport;
using Xunit;

namespace Encore.Evaluation.Tests.Rating;

public sealed class RatingProtocolTests
{
    [Fact]
    public void Metrics_are_computed_as_defined()
    {
        float[] predicted = [1, 2, 4];
        float[] actual = [2, 2, 2];
        Assert.Equal(Math.Sqrt(5.0 / 3), RatingMetrics.Rmse(predicted, actual), 12);
        Assert.Equal(1.0, RatingMetrics.Mae(predicted, actual), 12);
        Assert.Throws<ArgumentException>(() => RatingMetrics.Rmse([float.NaN], [1]));
        Assert.Throws<ArgumentException>(() => RatingMetrics.Mae([1, 2], [1]));
    }

    [Fact]
    public void Unknown_models_and_bad_parameters_fail_before_any_work()
    {
        var folder = SharedData.RequireMl100k();
        var ct = TestContext.Current.CancellationToken;
        var unknown = Assert.Throws<ArgumentException>(() => RatingProtocol.Run(folder, "nope", new Dictionary<string, string>(), null, ct));
        Assert.Contains("unknown model 'nope'", unknown.Message);
        Assert.Contains("rating models: mean, baseline", unknown.Message);
        var bad = Assert.Throws<ArgumentException>(() => RatingProtocol.Run(folder, "bpmf", new Dictionary<string, string> { ["factors"] = "0" }, null, ct));
        Assert.Contains("bpmf: factors must be an integer in [1, 200] (got 0)", bad.Message);
        var topN = Assert.Throws<ArgumentException>(() => RatingProtocol.Run(folder, "ease", new Dictionary<string, string>(), null, ct));
        Assert.Contains("'ease' is a top-N model", topN.Message);
    }

    [Fact]
    public void A_release_without_official_folds_is_cut_into_five_disjoint_seeded_folds()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("movies.csv"), "movieId,title,genres\n1,A (1999),Drama\n2,B (2000),Comedy\n3,C (2001),Drama|Comedy\n");
        using (var w = new StreamWriter(temp.File("ratings.csv")))
        {
            w.WriteLine("userId,movieId,rating,timestamp");
            for (int u = 1; u <= 20; u++)
                for (int m = 1; m <= 3; m++) w.WriteLine($"{u},{m},{(u + m) % 5 + 0.5},{1_000_000 + u * 10 + m}");
        }
        var ct = TestContext.Current.CancellationToken;
        var folds = RatingFolds.Load(temp.Path, null, ct);
        Assert.Equal(5, folds.Count);
        var tested = new List<(string, string)>();
        foreach (var f in folds)
        {
            Assert.Equal(60, f.Train.Count + f.Test.Count);
            tested.AddRange(f.Test.Select(r => (r.MemberId, r.TitleId)));
        }
        Assert.Equal(60, tested.Distinct().Count());
        Assert.Equal(folds[2].Test, RatingFolds.Load(temp.Path, ["f3"], ct)[0].Test);

        var result = RatingProtocol.Run(temp.Path, "baseline", new Dictionary<string, string>(), null, ct);
        Assert.StartsWith("5 folds by seeded shuffle", result.FoldSource);
        // Half-star data: predictions are clipped to the training range [0.5, 4.5], never NaN.
        Assert.All(result.Folds, f => Assert.True(double.IsFinite(f.Rmse) && double.IsFinite(f.Mae)));
    }

    [Fact]
    public void The_report_names_the_full_setting_in_the_catalogue_spelling_as_for_top_n_models()
    {
        var folder = SharedData.RequireMl100k();
        var report = Encore.Evaluation.Reporting.ProtocolRunner.Run("p-rating", folder, "Baseline", new Dictionary<string, string> { ["user_damping"] = "10" },
            ct: TestContext.Current.CancellationToken);
        Assert.Equal("baseline", report.Model);
        Assert.Equal(new Dictionary<string, string> { ["iterations"] = "1", ["title-damping"] = "5", ["user-damping"] = "10" }, report.Parameters);
    }

    [Fact]
    public void The_tuner_scores_every_setting_on_a_validation_split_of_the_training_data()
    {
        var folder = SharedData.RequireMl100k();
        var ct = TestContext.Current.CancellationToken;
        var fold = RatingFolds.Load(folder, ["u1"], ct)[0];
        var train = RatingMatrices.Build(fold.Train);
        var grid = ParameterGrid.Expand(ParameterGrid.ParseAxes(["user-damping=0,5,25", "title-damping=5,25"]));
        Assert.Equal(6, grid.Count);
        var trials = RatingTuner.Search(train, "baseline", grid, ct: ct);
        Assert.Equal(6, trials.Count);
        for (int k = 1; k < trials.Count; k++) Assert.True(trials[k - 1].ValidationRmse <= trials[k].ValidationRmse);
        Assert.InRange(trials[0].ValidationRmse, 0.85, 1.0);
        Assert.Throws<ArgumentException>(() => RatingTuner.Search(train, "baseline", [new Dictionary<string, string> { ["x"] = "1" }], ct: ct));
    }

    [Fact]
    public void Tuned_runs_choose_per_fold_on_the_training_side_and_report_the_choice()
    {
        var folder = SharedData.RequireMl100k();
        var ct = TestContext.Current.CancellationToken;
        var folds = RatingFolds.Load(folder, ["u1", "u2"], ct);
        // On u1/u2's validation splits: title damping 0 gives 0.9417, 5 gives 0.9383, 1000 (biases ~0) 1.0170.
        var grid = ParameterGrid.Expand(ParameterGrid.ParseAxes(["title-damping=0,5,1000", "user-damping=5"]));
        var (result, chosen) = RatingProtocol.RunTuned(folder, "baseline", grid, folds, null, ct);
        Assert.Equal(2, result.Folds.Count);
        Assert.All(chosen, c => Assert.Equal("5", c["title-damping"]));
        Assert.Contains("title-damping=5", result.Parameters["tuned"]);
        var fixedRun = RatingProtocol.Run(folder, ModelCatalog.CreateRatingTrainer("baseline", chosen[0]), chosen[0], folds, null, ct);
        Assert.Equal(fixedRun.Rmse, result.Rmse, 12);
    }

    [Fact]
    public void A_saved_model_scores_the_same_after_loading()
    {
        var folder = SharedData.RequireMl100k();
        var ct = TestContext.Current.CancellationToken;
        var fold = RatingFolds.Load(folder, ["u2"], ct)[0];
        var model = new SvdPlusPlusTrainer(new SvdPlusPlusOptions { Epochs = 3 }).Fit(RatingMatrices.Build(fold.Train), ct);
        using var temp = new TempFolder();
        ModelFile.Save(model, temp.File("svdpp.bin"));
        var loaded = ModelFile.LoadRating(temp.File("svdpp.bin"));
        Assert.Equal(RatingProtocol.Predict(model, fold.Test), RatingProtocol.Predict(loaded, fold.Test));
    }
}
