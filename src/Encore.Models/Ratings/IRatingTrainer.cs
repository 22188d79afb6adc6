using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// Fits an explicit-rating predictor on a member x title matrix whose <see cref="InteractionMatrix.Ratings"/>
/// hold the ratings (when a matrix has no ratings, its <see cref="InteractionMatrix.Values"/> are read as the
/// ratings). A trainer holds only its options record, so one trainer can fit many times.
/// </summary>
public interface IRatingTrainer
{
    /// <summary>Catalogue name, e.g. "baseline", "svdpp", "bpmf".</summary>
    string Name { get; }

    /// <summary>Fits a predictor on <paramref name="data"/>'s ratings; <paramref name="ct"/> cancels the fit.</summary>
    IRatingPredictor Fit(InteractionMatrix data, CancellationToken ct = default);
}
