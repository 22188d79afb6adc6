namespace Encore.Models.Popularity;

/// <summary>Options of the popularity model.</summary>
internal sealed record PopularityOptions : IModelOptions
{
    /// <summary>
    /// Half-life of an interaction's weight in days, counted back from the latest timestamp in the training
    /// data; 0 (default) counts every interaction the same. Needs timestamps when set.
    /// </summary>
    public double HalfLifeDays { get; init; }

    /// <summary>Add up the interaction weights instead of counting members (default false: count).</summary>
    public bool UseWeights { get; init; }

    public void Validate()
    {
        if (!(HalfLifeDays >= 0) || double.IsInfinity(HalfLifeDays))
            throw new ArgumentException($"popularity: half-life-days must be a finite number >= 0 (got {HalfLifeDays})", nameof(HalfLifeDays));
    }
}
