namespace Encore.Models.Ratings;

/// <summary>Options of Bayesian probabilistic matrix factorization (<see cref="BpmfTrainer"/>).</summary>
/// <param name="Factors">Latent dimensions per member and title (default 10: on 10% validation splits of the
/// u1 and u2 training folds, 100 samples, 5 → 0.8944, 10 → 0.8936, 20 → 0.8928; 10 is within 0.001 of 20
/// at a quarter of its cost).</param>
/// <param name="Samples">Gibbs samples kept and averaged after burn-in (default 200). The fitted model
/// stores every kept sample, so its size grows with Samples x Factors.</param>
/// <param name="BurnIn">Sweeps discarded before the first kept sample (default 30).</param>
/// <param name="Biases">Also sample a bias per member and per title (each with its own Gamma-distributed
/// precision), jointly with the factors (default true).</param>
/// <param name="NoisePrecision">Precision α of the rating noise; the starting value when
/// <see cref="SampleNoise"/> (default 2, the paper's fixed value).</param>
/// <param name="SampleNoise">Sample α from its Gamma posterior each sweep instead of fixing it (default true).</param>
/// <param name="Implicit">Add SVD++'s implicit term to each member, |N(u)|^-½ Σ_{j∈N(u)} y_j over the titles
/// N(u) the member rated in training, with the y_j sampled too (a Bayesian SVD++). Default true: on 10%
/// validation splits of the u1 and u2 training folds (100 samples) 0.8909 against 0.8936 without.</param>
/// <param name="InitStd">Standard deviation of the random initial factors (default 0.1).</param>
/// <param name="Seed">Seed of every random draw; the same seed gives the same model on any thread count.</param>
/// <param name="Threads">Worker threads; 0 (default) uses every core.</param>
public sealed record BpmfOptions(
    int Factors = 10,
    int Samples = 200,
    int BurnIn = 30,
    bool Biases = true,
    float NoisePrecision = 2,
    bool SampleNoise = true,
    bool Implicit = true,
    float InitStd = 0.1f,
    long Seed = 42,
    int Threads = 0)
{
    public static BpmfOptions FromParameters(IReadOnlyDictionary<string, string>? parameters)
    {
        var d = new BpmfOptions();
        var p = new RatingParameters(BpmfTrainer.ModelName, parameters);
        var o = new BpmfOptions(
            Factors: p.Int("factors", d.Factors, 1, 200),
            Samples: p.Int("samples", d.Samples, 1, 100_000),
            BurnIn: p.Int("burnin", d.BurnIn, 0, 100_000),
            Biases: p.Bool("biases", d.Biases),
            NoisePrecision: p.Float("alpha", d.NoisePrecision, 1e-3f, 1e3f),
            SampleNoise: p.Bool("sample_alpha", d.SampleNoise),
            Implicit: p.Bool("implicit", d.Implicit),
            InitStd: p.Float("init_std", d.InitStd, 0, 10),
            Seed: p.Int("seed", (int)d.Seed, int.MinValue, int.MaxValue),
            Threads: p.Int("threads", d.Threads, 0, 1024));
        p.EnsureAllRead();
        return o;
    }
}
