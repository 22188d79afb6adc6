namespace Encore.Models.Ratings;

/// <summary>Options of SVD++ by SGD (<see cref="SvdPlusPlusTrainer"/>); defaults: Surprise's factors and
/// epochs; learning-rate and regularization chosen by <c>RatingTuner</c> on 10% validation splits of the u1 and u2
/// training folds.</summary>
internal sealed record SvdPlusPlusOptions : IModelOptions
{
    /// <summary>Latent dimensions.</summary>
    public int Factors { get; init; } = 20;

    /// <summary>Passes over the members.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>SGD step size.</summary>
    public float LearningRate { get; init; } = 0.01f;

    /// <summary>Step size multiplier after each epoch.</summary>
    public float LearningRateDecay { get; init; } = 0.95f;

    /// <summary>L2 weight on p, q and y.</summary>
    public float Regularization { get; init; } = 0.1f;

    /// <summary>L2 weight on the biases.</summary>
    public float BiasRegularization { get; init; } = 0.02f;

    /// <summary>Standard deviation of the random initial factors.</summary>
    public float InitStd { get; init; } = 0.1f;

    /// <summary>Seed of the initial factors and the shuffles.</summary>
    public long Seed { get; init; } = 42;

    public void Validate() => BiasedMfOptions.Check(SvdPlusPlusTrainer.ModelName, Factors, Epochs, LearningRate, LearningRateDecay, Regularization, BiasRegularization, InitStd);
}
