namespace Encore.Models.Ease;

/// <summary>Options of EASE (Steck 2019). Defaults tuned on a validation split of P-TOPN ML-100K training data.</summary>
public sealed record EaseOptions : IModelOptions
{
    /// <summary>L2 penalty lambda added to the diagonal of the Gram matrix.</summary>
    public float Lambda { get; init; } = 200f;

    /// <summary>
    /// Largest title set the dense solve may use: 0 (default) uses every title with a training interaction;
    /// a positive value keeps only that many of the most popular titles (the sparse path for large catalogues:
    /// the Gram matrix is MaxTitles^2 floats; the other titles are scored by popularity only).
    /// </summary>
    public int MaxTitles { get; init; }

    /// <summary>Use 1 for every interaction instead of its weight (default true, as in the paper).</summary>
    public bool Binary { get; init; } = true;

    /// <summary>Checks every option; throws an <see cref="ArgumentException"/> naming the first one out of range.</summary>
    public void Validate()
    {
        if (!(Lambda > 0) || float.IsInfinity(Lambda)) throw new ArgumentException($"ease: lambda must be a finite number > 0 (got {Lambda})", nameof(Lambda));
        if (MaxTitles < 0) throw new ArgumentException($"ease: max-titles must be >= 0 (got {MaxTitles})", nameof(MaxTitles));
    }
}
