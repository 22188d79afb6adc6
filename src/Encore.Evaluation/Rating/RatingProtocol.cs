using System.Diagnostics;
using Encore.Ingestion.Importers;
using Encore.Evaluation.Tuning;
using Encore.Models;
using Encore.Models.Ratings;

namespace Encore.Evaluation.Rating;

/// <summary>
/// P-RATING of PROTOCOLS.md: for each fold, fit on its train ratings only, predict every test pair
/// (an unseen member or title gets the model's fallback), clip to the training rating range ([1, 5] on
/// MovieLens 100K), and report RMSE and MAE per fold, their means, and the wall time of training.
/// </summary>
public static class RatingProtocol
{
    public const string ProtocolName = "p-rating";

    /// <summary>Runs P-RATING on the MovieLens release in <paramref name="dataFolder"/> for the catalogue model <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">Unknown model, or a bad parameter (the message says which).</exception>
    public static RatingProtocolResult Run(string dataFolder, string model, IReadOnlyDictionary<string, string> parameters,
        IProgress<string>? progress, CancellationToken ct)
    {
        var trainer = ModelCatalog.CreateRatingTrainer(model, parameters); // fails fast on a bad parameter, before loading data
        var folds = RatingFolds.Load(dataFolder, null, ct);
        return Run(dataFolder, trainer, parameters, folds, progress, ct);
    }

    /// <summary>Runs P-RATING for a configured trainer on given folds (a subset of folds, or folds already loaded).</summary>
    public static RatingProtocolResult Run(string dataFolder, IRatingTrainer trainer, IReadOnlyDictionary<string, string>? parameters,
        IReadOnlyList<RatingFold> folds, IProgress<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var results = new List<RatingFoldResult>(folds.Count);
        foreach (var fold in folds)
        {
            ct.ThrowIfCancellationRequested();
            var result = EvaluateFold(trainer, fold, ct);
            results.Add(result);
            progress?.Report($"{trainer.Name} {fold.Name}: RMSE {result.Rmse:F4}  MAE {result.Mae:F4}  fit {result.FitSeconds:F2} s");
        }
        string source = RatingFolds.HasOfficialFolds(dataFolder)
            ? "official folds u1..u5"
            : $"5 folds by seeded shuffle (seed {RatingFolds.GeneratedFoldSeed})";
        return new RatingProtocolResult(ProtocolName, new DirectoryInfo(dataFolder).Name, trainer.Name,
            parameters is null ? new Dictionary<string, string>() : new Dictionary<string, string>(parameters), source, results);
    }

    /// <summary>
    /// P-RATING with the parameters chosen per fold: on each fold, <see cref="RatingTuner.Search"/> scores every
    /// setting of <paramref name="settings"/> on a validation split carved out of that fold's training ratings;
    /// the best one is refitted on the whole training side and scored on the test side, which the choice never saw.
    /// </summary>
    public static (RatingProtocolResult Result, IReadOnlyList<IReadOnlyDictionary<string, string>> Chosen) RunTuned(
        string dataFolder, string model, IReadOnlyList<IReadOnlyDictionary<string, string>> settings,
        IReadOnlyList<RatingFold> folds, IProgress<string>? progress, CancellationToken ct)
    {
        if (settings.Count == 0) throw new ArgumentException("no setting to tune over", nameof(settings));
        var results = new List<RatingFoldResult>(folds.Count);
        var chosen = new List<IReadOnlyDictionary<string, string>>(folds.Count);
        foreach (var fold in folds)
        {
            var trials = RatingTuner.Search(RatingMatrices.Build(fold.Train), model, settings, ct: ct);
            var best = trials[0].Parameters;
            chosen.Add(best);
            var result = EvaluateFold(ModelCatalog.CreateRatingTrainer(model, best), fold, ct);
            results.Add(result);
            progress?.Report($"{model} {fold.Name}: chose {ParameterGrid.Describe(best)} (validation RMSE {trials[0].ValidationRmse:F4}); test RMSE {result.Rmse:F4}  MAE {result.Mae:F4}");
        }
        string source = RatingFolds.HasOfficialFolds(dataFolder) ? "official folds u1..u5" : $"5 folds by seeded shuffle (seed {RatingFolds.GeneratedFoldSeed})";
        var described = new Dictionary<string, string> { ["tuned"] = string.Join(" | ", chosen.Select(ParameterGrid.Describe)) };
        return (new RatingProtocolResult(ProtocolName, new DirectoryInfo(dataFolder).Name, model, described, source, results), chosen);
    }

    /// <summary>Fits on the fold's train side and scores every test pair.</summary>
    public static RatingFoldResult EvaluateFold(IRatingTrainer trainer, RatingFold fold, CancellationToken ct)
    {
        var train = RatingMatrices.Build(fold.Train);
        var watch = Stopwatch.StartNew();
        var predictor = trainer.Fit(train, ct);
        double fitSeconds = watch.Elapsed.TotalSeconds;
        var (members, titles, actual) = RatingMatrices.Pairs(fold.Test, predictor.MemberIds, predictor.TitleIds);
        var predicted = new float[actual.Length];
        predictor.PredictMany(members, titles, predicted);
        int cold = 0;
        var testMembers = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < actual.Length; k++)
        {
            if (members[k] < 0 || titles[k] < 0) cold++;
            testMembers.Add(fold.Test[k].MemberId);
        }
        return new RatingFoldResult(fold.Name, train.NonZeros, actual.Length, testMembers.Count, cold,
            RatingMetrics.Rmse(predicted, actual), RatingMetrics.Mae(predicted, actual), fitSeconds);
    }

    /// <summary>Predictions for the fold's test pairs from a fitted model (for blends and diagnostics).</summary>
    public static float[] Predict(IRatingPredictor predictor, IReadOnlyList<RatingRecord> test)
    {
        var (members, titles, _) = RatingMatrices.Pairs(test, predictor.MemberIds, predictor.TitleIds);
        var predicted = new float[test.Count];
        predictor.PredictMany(members, titles, predicted);
        return predicted;
    }
}
