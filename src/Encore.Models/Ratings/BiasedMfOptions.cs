namespace Encore.Models.Ratings;

/// <summary>
/// Options of biased matrix factorization by SGD (<see cref="BiasedMfTrainer"/>). The defaults of factors,
/// lr and reg were chosen by <c>RatingTuner</c> on 10% validation splits of the u1 and u2 training folds.
/// </summary>
/// <param name="Factors">Latent dimensions (default 100).</param>
/// <param name="Epochs">Passes over the ratings, each in a fresh seeded shuffle (default 40).</param>
/// <param name="LearningRate">SGD step size (default 0.02).</param>
/// <param name="LearningRateDecay">Step size multiplier after each epoch (default 0.96).</param>
/// <param name="Regularization">L2 weight on the factors (default 0.1).</param>
/// <param name="BiasRegularization">L2 weight on the biases (default 0.02).</param>
/// <param name="InitStd">Standard deviation of the random initial factors (default 0.1).</param>
/// <param name="Seed">Seed of the initial factors and the shuffles.</param>
public sealed record BiasedMfOptions(
    int Factors = 100,
    int Epochs = 40,
    float LearningRate = 0.02f,
    float LearningRateDecay = 0.96f,
    float Regularization = 0.1f,
    float BiasRegularization = 0.02f,
    float InitStd = 0.1f,
    long Seed = 42)
{
    public static BiasedMfOptions FromParameters(IReadOnlyDictionary<string, string>? parameters, string model = BiasedMfTrainer.ModelName)
    {
        var d = new BiasedMfOptions();
        var p = new RatingParameters(model, parameters);
        var o = Read(p, d);
        p.EnsureAllRead();
        return o;
    }

    internal static BiasedMfOptions Read(RatingParameters p, BiasedMfOptions d) => new(
        Factors: p.Int("factors", d.Factors, 1, 1000),
        Epochs: p.Int("epochs", d.Epochs, 1, 10_000),
        LearningRate: p.Float("lr", d.LearningRate, 1e-6f, 1),
        LearningRateDecay: p.Float("lr_decay", d.LearningRateDecay, 0.1f, 1),
        Regularization: p.Float("reg", d.Regularization, 0, 100),
        BiasRegularization: p.Float("bias_reg", d.BiasRegularization, 0, 100),
        InitStd: p.Float("init_std", d.InitStd, 0, 10),
        Seed: p.Int("seed", (int)d.Seed, int.MinValue, int.MaxValue));
}
