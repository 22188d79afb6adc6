namespace Encore.Models.Ials;

/// <summary>
/// Options of implicit ALS. The loss is
/// sum over observed (m, t) of c_mt (x_m . y_t - 1)^2 + UnobservedWeight * sum over unobserved of (x_m . y_t)^2
/// + Regularization * (sum_m (n_m + UnobservedWeight * T)^nu |x_m|^2 + sum_t (n_t + UnobservedWeight * M)^nu |y_t|^2),
/// with confidence c = 1 + Alpha * weight (Hu et al. 2008), the unobserved weight and the frequency-scaled
/// regularization (exponent nu) of Rendle et al. 2022; nu = 0 gives the plain L2 penalty of benfred/implicit.
/// Each least-squares step is a few conjugate-gradient steps warm-started from the current factors (Takacs et al. 2011).
/// </summary>
/// <remarks>
/// Defaults chosen on a validation split carved from the P-TOPN ML-100K training positives (never the test
/// split, means over 3 seeds): 128 factors, the rating as the weight where the data has ratings, alpha 1,
/// fully frequency-scaled regularization (nu = 1) with lambda 0.02, unobserved weight 1, 15 iterations of 3 CG
/// steps. (64 factors, alpha 4, nu = 0, lambda 20 is the setting that matches benfred/implicit's defaults.)
/// </remarks>
public sealed record IalsOptions : IModelOptions
{
    public int Factors { get; init; } = 128;
    public int Iterations { get; init; } = 15;
    public float Regularization { get; init; } = 0.02f;
    public float Alpha { get; init; } = 1f;
    public float UnobservedWeight { get; init; } = 1f;

    /// <summary>The exponent nu of the frequency-scaled regularization (0 = plain L2, 1 = fully scaled).</summary>
    public float RegularizationExponent { get; init; } = 1f;

    /// <summary>Conjugate-gradient steps per factor row per half-iteration.</summary>
    public int CgSteps { get; init; } = 3;

    /// <summary>Standard deviation of the initial factors is InitScale / sqrt(Factors).</summary>
    public float InitScale { get; init; } = 0.1f;

    public int Seed { get; init; } = 42;

    /// <summary>
    /// Use each interaction's explicit rating (where the data has one) as its weight in the confidence, instead of its
    /// weight. A fold-in (ScoreHistory) then expects ratings as the history's weights too.
    /// </summary>
    public bool UseRatings { get; init; } = true;

    public void Validate()
    {
        if (Factors < 1 || Factors > 1024) throw new ArgumentException($"ials: factors must be in 1..1024 (got {Factors})", nameof(Factors));
        if (Iterations < 0) throw new ArgumentException($"ials: iterations must be >= 0 (got {Iterations})", nameof(Iterations));
        if (CgSteps < 1) throw new ArgumentException($"ials: cg-steps must be >= 1 (got {CgSteps})", nameof(CgSteps));
        Positive(Regularization, nameof(Regularization), "regularization", allowZero: true);
        Positive(Alpha, nameof(Alpha), "alpha", allowZero: true);
        Positive(UnobservedWeight, nameof(UnobservedWeight), "unobserved-weight", allowZero: false);
        Positive(InitScale, nameof(InitScale), "init-scale", allowZero: false);
        if (!(RegularizationExponent >= 0 && RegularizationExponent <= 2)) throw new ArgumentException($"ials: regularization-exponent must be in [0, 2] (got {RegularizationExponent})", nameof(RegularizationExponent));
    }

    private static void Positive(float value, string name, string key, bool allowZero)
    {
        if (float.IsFinite(value) && (value > 0 || (allowZero && value == 0))) return;
        throw new ArgumentException($"ials: {key} must be a finite number {(allowZero ? ">= 0" : "> 0")} (got {value})", name);
    }
}
