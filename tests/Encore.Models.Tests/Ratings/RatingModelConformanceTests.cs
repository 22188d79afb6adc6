using Encore.Core;
using Encore.Models.Ratings;
using Xunit;

namespace Encore.Models.Tests.Ratings;

/// <summary>
/// The contract every rating model in the catalogue must keep, run against each of them: the catalogue's conventions
/// (kebab-case parameters bound like the top-N models', the shared model file), finite clipped predictions, the
/// fallback, determinism that can fail (bit-identical refits, predictions that follow the data and the seed), cancellation.
/// </summary>
public sealed class RatingModelConformanceTests
{
    /// <summary>Every catalogue model, with settings small enough for a unit test.</summary>
    public static TheoryData<string, string> Models()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in ModelCatalog.RatingNames)
        {
            string parameters = name switch
            {
                BpmfTrainer.ModelName => "factors=4 samples=8 burn-in=4",
                BiasedMfTrainer.ModelName => "factors=8 epochs=10",
                SvdPlusPlusTrainer.ModelName => "factors=8 epochs=10",
                KnnBaselineTrainer.ModelName => "neighbours=10",
                BlendTrainer.ModelName => "components=baseline,mf,knn mf.factors=8 mf.epochs=10 knn.neighbours=10",
                _ => "",
            };
            data.Add(name, parameters);
        }
        return data;
    }

    /// <summary>The rating models whose catalogue entry takes a seed.</summary>
    public static TheoryData<string, string> SeededModels()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in Models())
        {
            var (name, parameters) = row.Data;
            if (ModelCatalog.Get(name).Parameters.Any(p => p.Key == "seed")) data.Add(name, parameters);
        }
        return data;
    }

    private static IRatingTrainer Trainer(string name, string parameters, long? seed = null)
    {
        var map = new Dictionary<string, string>();
        if (seed is { } s) map["seed"] = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var pair in parameters.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=');
            map[kv[0]] = kv[1];
        }
        return ModelCatalog.CreateRatingTrainer(name, map);
    }

    [Fact]
    public void The_one_catalogue_lists_every_rating_model_with_kebab_case_parameters()
    {
        Assert.Equal(["mean", "baseline", "mf", "svdpp", "knn", "bpmf", "blend"], ModelCatalog.RatingNames);
        Assert.All(ModelCatalog.RatingNames, n => Assert.Contains(n, ModelCatalog.Names));
        Assert.Empty(ModelCatalog.RatingNames.Intersect(ModelCatalog.TopNNames));
        foreach (var name in ModelCatalog.RatingNames)
        {
            var d = ModelCatalog.Get(name);
            Assert.Equal(ModelTask.Rating, d.Task);
            Assert.All(d.Parameters, p => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", p.Key));
        }
        Assert.Equal(["factors", "epochs", "learning-rate", "learning-rate-decay", "regularization", "bias-regularization", "init-std", "seed"],
            ModelCatalog.Get("mf").Parameters.Select(p => p.Key));
        Assert.Equal(["user-damping", "title-damping", "iterations"], ModelCatalog.Get("baseline").Parameters.Select(p => p.Key));
        Assert.Equal(["components", "validation-fraction", "ridge", "seed"], ModelCatalog.Get("blend").Parameters.Select(p => p.Key));
        Assert.Equal("bpmf,svdpp,knn,mf", ModelCatalog.Get("blend").Parameters[0].Default);
        // One binding: the same key spellings as the top-N models (snake_case still reads, as it does for them).
        var mf = (BiasedMfTrainer)ModelCatalog.CreateRatingTrainer("mf", new Dictionary<string, string> { ["learning-rate"] = "0.05", ["init_std"] = "0.2" });
        Assert.Equal((0.05f, 0.2f), (mf.Options.LearningRate, mf.Options.InitStd));
        Assert.Equal("0.05", ModelParameters.Values(mf.Options)["learning-rate"]);
        // A model of the other kind is refused by name, in both directions.
        Assert.Contains("rating model", Assert.Throws<ArgumentException>(() => ModelCatalog.CreateTrainer("mf")).Message);
        Assert.Contains("top-N model", Assert.Throws<ArgumentException>(() => ModelCatalog.CreateRatingTrainer("ials")).Message);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Predictions_are_finite_within_the_rating_range_and_PredictMany_matches_Predict(string name, string parameters)
    {
        var data = SyntheticRatings.Create();
        var model = Trainer(name, parameters).Fit(data, TestContext.Current.CancellationToken);
        Assert.Equal(name, model.Name);
        Assert.Same(data.MemberIds, model.MemberIds);
        int n = data.Rows * data.Columns;
        var members = new int[n];
        var titles = new int[n];
        for (int k = 0; k < n; k++) (members[k], titles[k]) = (k / data.Columns, k % data.Columns);
        var many = new float[n];
        model.PredictMany(members, titles, many);
        for (int k = 0; k < n; k++)
        {
            Assert.True(float.IsFinite(many[k]));
            Assert.InRange(many[k], 1f, 5f);
            Assert.Equal(model.Predict(members[k], titles[k]), many[k]);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Unknown_member_or_title_gets_the_fallback(string name, string parameters)
    {
        var data = SyntheticRatings.Create();
        var model = Trainer(name, parameters).Fit(data, TestContext.Current.CancellationToken);
        float both = model.Predict(-1, -1);
        Assert.True(float.IsFinite(both));
        Assert.InRange(both, 1f, 5f);
        // Any index outside the maps is unknown, like -1.
        Assert.Equal(both, model.Predict(data.Rows + 5, data.Columns + 5));
        for (int t = 0; t < data.Columns; t++)
        {
            float p = model.Predict(-1, t);
            Assert.True(float.IsFinite(p));
            Assert.Equal(p, model.Predict(int.MaxValue, t));
        }
        for (int m = 0; m < data.Rows; m++) Assert.True(float.IsFinite(model.Predict(m, -1)));
        if (model is FactorRatingModel factor)
        {
            Assert.Equal(Math.Clamp(factor.GlobalMean, factor.MinRating, factor.MaxRating), both, 5);
            Assert.Equal(Math.Clamp(factor.GlobalMean + factor.TitleBias[3], 1, 5), model.Predict(-1, 3), 5);
            Assert.Equal(Math.Clamp(factor.GlobalMean + factor.MemberBias[2], 1, 5), model.Predict(2, -1), 5);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Save_and_load_give_identical_predictions(string name, string parameters)
    {
        var data = SyntheticRatings.Create();
        var model = Trainer(name, parameters).Fit(data, TestContext.Current.CancellationToken);
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        stream.Position = 0;
        var loaded = ModelFile.LoadRating(stream);
        Assert.Equal(stream.Length, stream.Position); // the end marker was read
        Assert.Equal(model.Name, loaded.Name);
        Assert.Equal(model.MemberIds.Ids, loaded.MemberIds.Ids);
        Assert.Equal(model.TitleIds.Ids, loaded.TitleIds.Ids);
        for (int m = -1; m < data.Rows; m++)
            for (int t = -1; t < data.Columns; t++)
                Assert.Equal(model.Predict(m, t), loaded.Predict(m, t));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_model_file_is_the_shared_envelope_with_its_end_marker_and_atomic_write(string name, string parameters)
    {
        var data = SyntheticRatings.Create();
        var model = Trainer(name, parameters).Fit(data, TestContext.Current.CancellationToken);
        using var folder = new Encore.TestSupport.TempFolder();
        var path = folder.File(name + ".encore");
        ModelFile.Save(model, path);
        Assert.False(File.Exists(path + ".tmp"));
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("ENCOREMF"u8.ToArray(), bytes[..8]);
        Assert.Equal("MEND"u8.ToArray(), bytes[^4..]);
        Assert.Equal(model.Predict(2, 3), ModelFile.LoadRating(path).Predict(2, 3));
        var cut = Assert.Throws<InvalidDataException>(() => ModelFile.LoadRating(new MemoryStream(bytes[..^4])));
        Assert.Contains("truncated", cut.Message);
        var damaged = (byte[])bytes.Clone();
        damaged[^1] ^= 0xFF;
        Assert.Contains("end marker", Assert.Throws<InvalidDataException>(() => ModelFile.LoadRating(new MemoryStream(damaged))).Message);
        // A rating model is not a top-N model, and the file says which it holds.
        Assert.Contains($"rating model '{name}'", Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes))).Message);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Two_fits_on_the_same_data_give_bit_identical_predictions(string name, string parameters)
    {
        var data = SyntheticRatings.Create();
        var a = Trainer(name, parameters).Fit(data, TestContext.Current.CancellationToken);
        var b = Trainer(name, parameters).Fit(data, TestContext.Current.CancellationToken);
        for (int m = -1; m < data.Rows; m++)
            for (int t = -1; t < data.Columns; t++)
                Assert.Equal(BitConverter.SingleToInt32Bits(a.Predict(m, t)), BitConverter.SingleToInt32Bits(b.Predict(m, t)));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_fit_on_other_data_gives_other_predictions(string name, string parameters)
    {
        // What makes the check above able to fail: the predictions follow the ratings they were fitted on.
        var a = Trainer(name, parameters).Fit(SyntheticRatings.Create(), TestContext.Current.CancellationToken);
        var b = Trainer(name, parameters).Fit(SyntheticRatings.Create(seed: 2), TestContext.Current.CancellationToken);
        int differ = 0, pairs = 0;
        for (int m = 0; m < a.MemberIds.Count; m++)
            for (int t = 0; t < a.TitleIds.Count; t++, pairs++)
                if (a.Predict(m, t) != b.Predict(b.MemberIds.IndexOf(a.MemberIds[m]), b.TitleIds.IndexOf(a.TitleIds[t]))) differ++;
        Assert.True(differ > pairs / 2, $"{name}: only {differ} of {pairs} predictions changed with the data");
    }

    [Theory]
    [MemberData(nameof(SeededModels))]
    public void Different_seeds_give_different_predictions(string name, string parameters)
    {
        var data = SyntheticRatings.Create();
        var a = Trainer(name, parameters, seed: 11).Fit(data, TestContext.Current.CancellationToken);
        var b = Trainer(name, parameters, seed: 12).Fit(data, TestContext.Current.CancellationToken);
        int differ = 0;
        for (int m = 0; m < data.Rows; m++)
            for (int t = 0; t < data.Columns; t++)
                if (a.Predict(m, t) != b.Predict(m, t)) differ++;
        Assert.True(differ > 0, $"{name} gave the same predictions for seeds 11 and 12: its seed is not used");
    }

    [Fact]
    public void The_seeded_rating_models_are_the_ones_that_draw_at_random()
    {
        Assert.Equal(["mf", "svdpp", "bpmf", "blend"], SeededModels().Select(row => row.Data.Item1));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_cancelled_token_stops_the_fit(string name, string parameters)
    {
        var data = SyntheticRatings.Create();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer(name, parameters).Fit(data, cts.Token));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Unknown_parameters_are_rejected_by_name(string name, string parameters)
    {
        _ = parameters;
        var e = Assert.Throws<ArgumentException>(() => ModelCatalog.CreateRatingTrainer(name, new Dictionary<string, string> { ["no_such_knob"] = "1" }));
        Assert.Contains("no_such_knob", e.Message);
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Models_learn_the_structure_of_the_data()
    {
        // Held-out error on data with real latent structure: the factor models must beat the baseline, which beats the mean.
        var data = SyntheticRatings.Create(members: 150, titles: 100, density: 0.3);
        var holdout = RatingHoldout.Split(data, 0.2, seed: 3);
        var ct = TestContext.Current.CancellationToken;
        double mean = holdout.Rmse(new GlobalMeanTrainer().Fit(holdout.Train, ct));
        double baseline = holdout.Rmse(new BaselineTrainer().Fit(holdout.Train, ct));
        double mf = holdout.Rmse(new BiasedMfTrainer(new BiasedMfOptions { Factors = 8 }).Fit(holdout.Train, ct));
        double svdpp = holdout.Rmse(new SvdPlusPlusTrainer(new SvdPlusPlusOptions { Factors = 8, Epochs = 60, LearningRate = 0.02f, LearningRateDecay = 0.98f, Regularization = 0.05f }).Fit(holdout.Train, ct));
        double bpmf = holdout.Rmse(new BpmfTrainer(new BpmfOptions { Factors = 5, Samples = 50, BurnIn = 10 }).Fit(holdout.Train, ct));
        double knn = holdout.Rmse(new KnnBaselineTrainer().Fit(holdout.Train, ct));
        Assert.True(baseline < mean - 0.05, $"baseline {baseline:F4} vs mean {mean:F4}");
        Assert.True(mf < baseline - 0.05, $"mf {mf:F4} vs baseline {baseline:F4}");
        Assert.True(svdpp < baseline - 0.05, $"svdpp {svdpp:F4} vs baseline {baseline:F4}");
        Assert.True(bpmf < baseline - 0.1, $"bpmf {bpmf:F4} vs baseline {baseline:F4}");
        Assert.True(knn < baseline - 0.02, $"knn {knn:F4} vs baseline {baseline:F4}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Bpmf_does_not_depend_on_the_thread_count(bool implicitTerm)
    {
        var data = SyntheticRatings.Create();
        var ct = TestContext.Current.CancellationToken;
        var one = new BpmfTrainer(new BpmfOptions { Factors = 4, Samples = 6, BurnIn = 2, Implicit = implicitTerm, Threads = 1 }).Fit(data, ct);
        var many = new BpmfTrainer(new BpmfOptions { Factors = 4, Samples = 6, BurnIn = 2, Implicit = implicitTerm, Threads = 4 }).Fit(data, ct);
        for (int m = 0; m < data.Rows; m++)
            for (int t = 0; t < data.Columns; t++)
                Assert.Equal(one.Predict(m, t), many.Predict(m, t));
    }

    [Fact]
    public void A_matrix_without_ratings_is_read_from_its_values_and_bad_ratings_are_named()
    {
        var ids = new IdMap(["a", "b"]);
        var titles = new IdMap(["x", "y"]);
        var values = new InteractionMatrix(ids, titles, [0, 1, 2], [0, 1], [2f, 4f]);
        var model = new GlobalMeanTrainer().Fit(values, TestContext.Current.CancellationToken);
        Assert.Equal(3f, model.Predict(-1, -1));
        var bad = new InteractionMatrix(ids, titles, [0, 1, 2], [0, 1], [1f, 1f], [3f, float.NaN]);
        var e = Assert.Throws<ArgumentException>(() => new BaselineTrainer().Fit(bad, TestContext.Current.CancellationToken));
        Assert.Contains("'b'", e.Message);
        Assert.Contains("'y'", e.Message);
    }
}
