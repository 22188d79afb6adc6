using Encore.Core;
using Encore.Evaluation.Tuning;
using Encore.Models;
using Encore.Models.Ratings;

namespace Encore.Evaluation.Rating;

/// <summary>One setting tried by <see cref="RatingTuner"/> and its validation RMSE.</summary>
public sealed record RatingTrial(IReadOnlyDictionary<string, string> Parameters, double ValidationRmse, double FitSeconds);

/// <summary>
/// Grid search of a rating model's parameters scored on a validation split carved out of the training
/// ratings only (<see cref="RatingHoldout"/>): the test fold is never seen.
/// </summary>
public static class RatingTuner
{
    public const double DefaultValidationFraction = 0.1;
    public const long DefaultSeed = 7;

    /// <summary>Fits <paramref name="model"/> with each setting on the training part and scores the held-out part; best first.</summary>
    public static IReadOnlyList<RatingTrial> Search(InteractionMatrix train, string model,
        IReadOnlyList<IReadOnlyDictionary<string, string>> settings, double validationFraction = DefaultValidationFraction,
        long seed = DefaultSeed, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var trainers = new List<IRatingTrainer>(settings.Count);
        foreach (var s in settings) trainers.Add(ModelCatalog.CreateRatingTrainer(model, s)); // every setting checked before any fit
        var holdout = RatingHoldout.Split(train, validationFraction, seed);
        var trials = new List<RatingTrial>(settings.Count);
        for (int n = 0; n < settings.Count; n++)
        {
            ct.ThrowIfCancellationRequested();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var fitted = trainers[n].Fit(holdout.Train, ct);
            var trial = new RatingTrial(settings[n], holdout.Rmse(fitted), watch.Elapsed.TotalSeconds);
            trials.Add(trial);
            progress?.Report($"{model} {ParameterGrid.Describe(settings[n])}: validation RMSE {trial.ValidationRmse:F4} ({trial.FitSeconds:F2} s)");
        }
        trials.Sort((a, b) => a.ValidationRmse.CompareTo(b.ValidationRmse));
        return trials;
    }
}
