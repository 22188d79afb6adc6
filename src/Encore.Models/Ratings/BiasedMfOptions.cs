namespace Encore.Models.Ratings;

/// <summary>
/// Options of biased matrix factorization by SGD (<see cref="BiasedMfTrainer"/>). The defaults of factors,
/// learning-rate and regularization were chosen by <c>RatingTuner</c> on 10% validation splits of the u1 and u2
/// training folds.
/// </summary>
internal sealed record BiasedMfOptions : IModelOptions
{
    /// <summary>Latent dimensions.</summary>
    public int Factors { get; init; } = 100;

    /// <summary>Passes over the ratings, each in a fresh seeded shuffle.</summary>
    public int Epochs { get; init; } = 40;

    /// <summary>SGD step size.</summary>
    public float LearningRate { get; init; } = 0.02f;

    /// <summary>Step size multiplier after each epoch.</summary>
    public float LearningRateDecay { get; init; } = 0.96f;

    /// <summary>L2 weight on the factors.</summary>
    public float Regularization { get; init; } = 0.1f;

    /// <summary>L2 weight on the biases.</summary>
    public float BiasRegularization { get; init; } = 0.02f;

    /// <summary>Standard deviation of the random initial factors.</summary>
    public float InitStd { get; init; } = 0.1f;

    /// <summary>Seed of the initial factors and the shuffles.</summary>
    public long Seed { get; init; } = 42;

    public void Validate() => Check(BiasedMfTrainer.ModelName, Factors, Epochs, LearningRate, LearningRateDecay, Regularization, BiasRegularization, InitStd);

    /// <summary>The checks SGD factor models share (mf and svdpp).</summary>
    internal static void Check(string model, int factors, int epochs, float learningRate, float learningRateDecay, float regularization,
        float biasRegularization, float initStd)
    {
        RatingOptionChecks.Integer(model, "factors", factors, 1, 1000);
        RatingOptionChecks.Integer(model, "epochs", epochs, 1, 10_000);
        RatingOptionChecks.Number(model, "learning-rate", learningRate, 1e-6f, 1f);
        RatingOptionChecks.Number(model, "learning-rate-decay", learningRateDecay, 0.1f, 1f);
        RatingOptionChecks.Number(model, "regularization", regularization, 0f, 100f);
        RatingOptionChecks.Number(model, "bias-regularization", biasRegularization, 0f, 100f);
        RatingOptionChecks.Number(model, "init-std", initStd, 0f, 10f);
    }
}
