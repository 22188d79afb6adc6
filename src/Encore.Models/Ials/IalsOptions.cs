namespace Encore.Models.Ials;

/// <summary>
/// Options of implicit ALS. The loss is
/// sum over observed (m, t) of c_mt (x_m . y_t - 1)^2 + a0 * sum over unobserved of (x_m . y_t)^2
/// + Regularization * (sum_m (n_m + a0 * T)^nu |x_m|^2 + sum_t (n_t + a0 * M)^nu |y_t|^2),
/// with confidence c = 1 + Alpha * weight (Hu et al. 2008), the unobserved weight a0 and the frequency-scaled
/// regularization (exponent nu) of Rendle et al. 2022; nu = 0 gives the plain L2 penalty of benfred/implicit.
/// Each least-squares step is a few conjugate-gradient steps warm-started from the current factors (Takacs et al. 2011).
/// </summary>
/// <remarks>
/// The defaults are scale-aware, so that they hold on data nobody tuned them on. a0 is not a constant: it is
/// <see cref="UnobservedRatio"/> (8) x the observed confidence / (members x titles), so the unobserved pairs weigh 8
/// times the observed ones in total on every data set (at most 1 per pair: no unobserved pair outweighs an observed one). A constant a0 (Encore's first default, 1) makes a0 x T, and
/// with it every row's regularization, grow with the catalogue while the evidence does not: on a sparse, large
/// catalogue (a 1,892 x 17,632 play-count set; the P-SCALE file) the factors shrank towards 0 and iALS ranked exactly
/// as popularity. With a0 from the density the collapse threshold no longer depends on the data's size. The
/// regularization is scaled by the square root of each row's observation mass (nu = 0.5, lambda 0.8): sparser rows and
/// sparser data sets are shrunk more relative to their evidence, which the validation figures of every stand-in
/// asked for (fully scaled, nu = 1, the best lambda differed 2 to 4 fold between ML-100K and sparser data).
/// Chosen on validation splits carved out of training data only (never a test split) of ML-100K (P-TOPN), ML-100K
/// binarized (P-TOPN-R), the default simulated service (P-TOPN) and gen_synth data at P-SCALE's density (P-TOPN-R),
/// as the setting whose worst ratio to each data set's best tried setting was highest (0.95); docs/RESULTS.md has
/// the commands and figures. 128 factors, alpha 1, the rating as the weight where the data has ratings, 15
/// iterations of 3 CG steps. (64 factors, alpha 4, nu = 0, lambda 20, unobserved-weight 1 is the setting that
/// matches benfred/implicit's defaults.)
/// </remarks>
public sealed record IalsOptions : IModelOptions
{
    public int Factors { get; init; } = 128;
    public int Iterations { get; init; } = 15;
    public float Regularization { get; init; } = 0.8f;
    public float Alpha { get; init; } = 1f;

    /// <summary>
    /// The weight a0 of every unobserved pair, as a number. Null (the default): derived from the data as
    /// <see cref="UnobservedRatio"/> x (sum of the observed confidences) / (members x titles), at most 1, see <see cref="ResolveUnobservedWeight"/>.
    /// </summary>
    public float? UnobservedWeight { get; init; }

    /// <summary>
    /// Where <see cref="UnobservedWeight"/> is not given: the total weight of the unobserved pairs (a0 x members x
    /// titles) as a multiple of the total confidence of the observed ones, so that the balance of the loss, and with
    /// it the regularization, does not drift with the catalogue's size and the data's density.
    /// </summary>
    public float UnobservedRatio { get; init; } = 8f;

    /// <summary>The exponent nu of the frequency-scaled regularization (0 = plain L2, 1 = fully scaled; default 0.5).</summary>
    public float RegularizationExponent { get; init; } = 0.5f;

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
        if (UnobservedWeight is { } a0) Positive(a0, nameof(UnobservedWeight), "unobserved-weight", allowZero: false);
        Positive(UnobservedRatio, nameof(UnobservedRatio), "unobserved-ratio", allowZero: false);
        Positive(InitScale, nameof(InitScale), "init-scale", allowZero: false);
        if (!(RegularizationExponent >= 0 && RegularizationExponent <= 2)) throw new ArgumentException($"ials: regularization-exponent must be in [0, 2] (got {RegularizationExponent})", nameof(RegularizationExponent));
    }

    /// <summary>
    /// The most a derived unobserved weight can be: the confidence of an observed pair with weight 0 (1 + alpha x 0), so
    /// that an unobserved pair never weighs more than an observed one. It binds only on dense data (more than one pair in
    /// <see cref="UnobservedRatio"/> x mean confidence observed, e.g. a small test catalogue); a given weight is not capped.
    /// </summary>
    public const float MaxDerivedUnobservedWeight = 1f;

    /// <summary>
    /// The unobserved weight a0 for a matrix with <paramref name="rows"/> x <paramref name="columns"/> cells whose observed
    /// entries have the total confidence <paramref name="observedConfidence"/>: <see cref="UnobservedWeight"/> where given,
    /// else <see cref="UnobservedRatio"/> x observedConfidence / (rows x columns), at most <see cref="MaxDerivedUnobservedWeight"/>
    /// (1 for an empty matrix).
    /// </summary>
    public float ResolveUnobservedWeight(int rows, int columns, double observedConfidence)
    {
        if (UnobservedWeight is { } given) return given;
        double cells = (double)rows * columns;
        if (!(observedConfidence > 0) || !(cells > 0)) return 1f;
        return (float)Math.Clamp(UnobservedRatio * observedConfidence / cells, 1e-12, MaxDerivedUnobservedWeight);
    }

    /// <summary>The same options with <see cref="UnobservedWeight"/> set to its resolved value (what a fitted model keeps).</summary>
    public IalsOptions Resolve(int rows, int columns, double observedConfidence)
        => this with { UnobservedWeight = ResolveUnobservedWeight(rows, columns, observedConfidence) };

    /// <summary>The unobserved weight of options already resolved (a fitted model's); throws when it was left to the data.</summary>
    internal float A0 => UnobservedWeight ?? throw new InvalidOperationException("ials: the unobserved weight was not resolved against the data");

    private static void Positive(float value, string name, string key, bool allowZero)
    {
        if (float.IsFinite(value) && (value > 0 || (allowZero && value == 0))) return;
        throw new ArgumentException($"ials: {key} must be a finite number {(allowZero ? ">= 0" : "> 0")} (got {value})", name);
    }
}
