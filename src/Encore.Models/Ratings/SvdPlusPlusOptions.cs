namespace Encore.Models.Ratings;

/// <summary>Options of SVD++ by SGD (<see cref="SvdPlusPlusTrainer"/>); defaults: Surprise's factors and
/// epochs; lr and reg chosen by <c>RatingTuner</c> on 10% validation splits of the u1 and u2 training folds.</summary>
/// <param name="Factors">Latent dimensions (default 20).</param>
/// <param name="Epochs">Passes over the members (default 20).</param>
/// <param name="LearningRate">SGD step size (default 0.01).</param>
/// <param name="LearningRateDecay">Step size multiplier after each epoch (default 0.95).</param>
/// <param name="Regularization">L2 weight on p, q and y (default 0.1).</param>
/// <param name="BiasRegularization">L2 weight on the biases (default 0.02).</param>
/// <param name="InitStd">Standard deviation of the random initial factors (default 0.1).</param>
/// <param name="Seed">Seed of the initial factors and the shuffles.</param>
public sealed record SvdPlusPlusOptions(
    int Factors = 20,
    int Epochs = 20,
    float LearningRate = 0.01f,
    float LearningRateDecay = 0.95f,
    float Regularization = 0.1f,
    float BiasRegularization = 0.02f,
    float InitStd = 0.1f,
    long Seed = 42)
{
    public static SvdPlusPlusOptions FromParameters(IReadOnlyDictionary<string, string>? parameters)
    {
        var d = new SvdPlusPlusOptions();
        var p = new RatingParameters(SvdPlusPlusTrainer.ModelName, parameters);
        var o = new SvdPlusPlusOptions(
            Factors: p.Int("factors", d.Factors, 1, 1000),
            Epochs: p.Int("epochs", d.Epochs, 1, 10_000),
            LearningRate: p.Float("lr", d.LearningRate, 1e-6f, 1),
            LearningRateDecay: p.Float("lr_decay", d.LearningRateDecay, 0.1f, 1),
            Regularization: p.Float("reg", d.Regularization, 0, 100),
            BiasRegularization: p.Float("bias_reg", d.BiasRegularization, 0, 100),
            InitStd: p.Float("init_std", d.InitStd, 0, 10),
            Seed: p.Int("seed", (int)d.Seed, int.MinValue, int.MaxValue));
        p.EnsureAllRead();
        return o;
    }
}
