namespace Encore.Models.ItemKnn;

/// <summary>How the member x title matrix is weighted before title-title similarities are taken.</summary>
internal enum ItemKnnWeighting
{
    /// <summary>Cosine of the titles' member vectors (implicit's CosineRecommender), with <see cref="ItemKnnOptions.Shrinkage"/>.</summary>
    Cosine,
    /// <summary>BM25 weighting of each title's member vector, titles as documents (implicit's bm25_weight), then plain dot products.</summary>
    Bm25,
    /// <summary>TF-IDF weighting (sqrt of the weight times the member's idf), then cosine (implicit's TFIDFRecommender).</summary>
    TfIdf,
}

/// <summary>
/// Options of item-kNN. Defaults: BM25 with K=200, K1=1.2, B=0.5, chosen on a validation split carved from the
/// P-TOPN ML-100K training positives (bench models-accuracy --validation).
/// </summary>
internal sealed record ItemKnnOptions : IModelOptions
{
    /// <summary>Neighbours kept per title (the similarity matrix is stored sparse, this many per row).</summary>
    public int Neighbours { get; init; } = 200;

    public ItemKnnWeighting Weighting { get; init; } = ItemKnnWeighting.Bm25;

    /// <summary>Added to the cosine denominator, damping similarities backed by few members (cosine and TF-IDF only).</summary>
    public float Shrinkage { get; init; }

    /// <summary>BM25 term-frequency saturation.</summary>
    public float K1 { get; init; } = 1.2f;

    /// <summary>BM25 length normalization (0 none .. 1 full).</summary>
    public float B { get; init; } = 0.5f;

    public void Validate()
    {
        if (Neighbours < 1) throw new ArgumentException($"itemknn: neighbours must be >= 1 (got {Neighbours})", nameof(Neighbours));
        if (!(Shrinkage >= 0) || float.IsInfinity(Shrinkage)) throw new ArgumentException($"itemknn: shrinkage must be a finite number >= 0 (got {Shrinkage})", nameof(Shrinkage));
        if (!(K1 >= 0) || float.IsInfinity(K1)) throw new ArgumentException($"itemknn: k1 must be a finite number >= 0 (got {K1})", nameof(K1));
        if (!(B >= 0 && B <= 1)) throw new ArgumentException($"itemknn: b must be in [0, 1] (got {B})", nameof(B));
    }
}
