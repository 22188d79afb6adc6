namespace Encore.Models.Ratings;

/// <summary>Options of Bayesian probabilistic matrix factorization (<see cref="BpmfTrainer"/>).</summary>
internal sealed record BpmfOptions : IModelOptions
{
    /// <summary>Latent dimensions per member and title (default 10: on 10% validation splits of the u1 and u2 training
    /// folds, 100 samples, 5 → 0.8944, 10 → 0.8936, 20 → 0.8928; 10 is within 0.001 of 20 at a quarter of its cost).</summary>
    public int Factors { get; init; } = 10;

    /// <summary>Gibbs samples kept and averaged after burn-in. The fitted model stores every kept sample, so its size
    /// grows with Samples x Factors.</summary>
    public int Samples { get; init; } = 200;

    /// <summary>Sweeps discarded before the first kept sample.</summary>
    public int BurnIn { get; init; } = 30;

    /// <summary>Also sample a bias per member and per title (each with its own Gamma-distributed precision), jointly
    /// with the factors.</summary>
    public bool Biases { get; init; } = true;

    /// <summary>Precision α of the rating noise; the starting value when <see cref="SampleNoise"/> (default 2, the
    /// paper's fixed value).</summary>
    public float NoisePrecision { get; init; } = 2;

    /// <summary>Sample α from its Gamma posterior each sweep instead of fixing it.</summary>
    public bool SampleNoise { get; init; } = true;

    /// <summary>Add SVD++'s implicit term to each member, |N(u)|^-½ Σ_{j∈N(u)} y_j over the titles N(u) the member
    /// rated in training, with the y_j sampled too (a Bayesian SVD++). Default true: on 10% validation splits of the
    /// u1 and u2 training folds (100 samples) 0.8909 against 0.8936 without.</summary>
    public bool Implicit { get; init; } = true;

    /// <summary>Standard deviation of the random initial factors.</summary>
    public float InitStd { get; init; } = 0.1f;

    /// <summary>Seed of every random draw; the same seed gives the same model on any thread count.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Worker threads; 0 uses every core.</summary>
    public int Threads { get; init; }

    public void Validate()
    {
        const string model = BpmfTrainer.ModelName;
        RatingOptionChecks.Integer(model, "factors", Factors, 1, 200);
        RatingOptionChecks.Integer(model, "samples", Samples, 1, 100_000);
        RatingOptionChecks.Integer(model, "burn-in", BurnIn, 0, 100_000);
        RatingOptionChecks.Number(model, "noise-precision", NoisePrecision, 1e-3f, 1e3f);
        RatingOptionChecks.Number(model, "init-std", InitStd, 0f, 10f);
        RatingOptionChecks.Integer(model, "threads", Threads, 0, 1024);
    }
}
