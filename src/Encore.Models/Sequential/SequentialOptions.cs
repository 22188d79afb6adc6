namespace Encore.Models.Sequential;

/// <summary>
/// Options of the sequential blend. Defaults chosen by `encore tune` on the validation split carved out of P-TOPN
/// ML-100K's training positives (never its test part): the top-N part by NDCG@20 on P-TOPN validation, the
/// similar-titles part (similar-*) by MRR@10 on P-NEXT validation; see docs/RESULTS.md for the commands.
/// </summary>
public sealed record SequentialOptions : IModelOptions
{
    /// <summary>EASE L2 penalty of the top-N part.</summary>
    public float Lambda { get; init; } = 250f;

    /// <summary>Recency scale of the EASE history: the title k-th from the end weighs floor + exp(-k / scale).</summary>
    public float RecencyScale { get; init; } = 8f;

    /// <summary>Weight every history title keeps however old (the floor of the recency weight).</summary>
    public float RecencyFloor { get; init; } = 0.2f;

    /// <summary>How many following titles each title is paired with when counting "what comes next".</summary>
    public int Window { get; init; } = 40;

    /// <summary>A pair d steps apart counts decay^(d-1).</summary>
    public float Decay { get; init; } = 0.95f;

    /// <summary>Transitions into a title are divided by its popularity to this power (damps the blockbusters).</summary>
    public float PopularityExponent { get; init; } = 0.4f;

    /// <summary>Recency scale of the transition part: the title k-th from the end contributes exp(-k / scale).</summary>
    public float TransitionScale { get; init; } = 3f;

    /// <summary>Weight of the (standardized) transition scores against the (standardized) EASE scores.</summary>
    public float TransitionWeight { get; init; } = 0.6f;

    /// <summary>EASE L2 penalty of the similar-titles part (0: share the top-N EASE).</summary>
    public float SimilarLambda { get; init; } = 2000f;

    /// <summary>Window of the similar-titles transition counts.</summary>
    public int SimilarWindow { get; init; } = 5;

    /// <summary>Decay of the similar-titles transition counts.</summary>
    public float SimilarDecay { get; init; } = 0.8f;

    /// <summary>Weight of the standardized "next title" counts against the standardized EASE similarity.</summary>
    public float SimilarTransitionWeight { get; init; } = 1f;

    /// <summary>Bounds the dense EASE solves to the most popular titles (0: all titles with interactions); see EaseOptions.MaxTitles.</summary>
    public int MaxTitles { get; init; }

    /// <summary>Checks every option; throws an <see cref="ArgumentException"/> naming the first one out of range.</summary>
    public void Validate()
    {
        static void Positive(float v, string name)
        {
            if (!(v > 0) || float.IsInfinity(v)) throw new ArgumentException($"sequential: {name} must be a finite number > 0 (got {v})", name);
        }
        static void NonNegative(float v, string name)
        {
            if (!(v >= 0) || float.IsInfinity(v)) throw new ArgumentException($"sequential: {name} must be a finite number >= 0 (got {v})", name);
        }
        Positive(Lambda, "lambda");
        Positive(RecencyScale, "recency-scale");
        NonNegative(RecencyFloor, "recency-floor");
        Positive(TransitionScale, "transition-scale");
        NonNegative(PopularityExponent, "popularity-exponent");
        NonNegative(TransitionWeight, "transition-weight");
        NonNegative(SimilarLambda, "similar-lambda");
        NonNegative(SimilarTransitionWeight, "similar-transition-weight");
        if (Window < 1 || Window > 1000) throw new ArgumentException($"sequential: window must be in 1..1000 (got {Window})", nameof(Window));
        if (SimilarWindow < 1 || SimilarWindow > 1000) throw new ArgumentException($"sequential: similar-window must be in 1..1000 (got {SimilarWindow})", nameof(SimilarWindow));
        if (!(Decay > 0 && Decay <= 1)) throw new ArgumentException($"sequential: decay must be in (0, 1] (got {Decay})", nameof(Decay));
        if (!(SimilarDecay > 0 && SimilarDecay <= 1)) throw new ArgumentException($"sequential: similar-decay must be in (0, 1] (got {SimilarDecay})", nameof(SimilarDecay));
        if (MaxTitles < 0) throw new ArgumentException($"sequential: max-titles must be >= 0 (got {MaxTitles})", nameof(MaxTitles));
    }
}
