namespace Encore.Models.Ratings;

/// <summary>Options of the title-based neighbourhood model on baseline residuals (<see cref="KnnBaselineTrainer"/>).</summary>
internal sealed record KnnBaselineOptions : IModelOptions
{
    /// <summary>The similarities are a dense titles x titles matrix; past this many titles, use a factor model.</summary>
    public const int MaxTitles = 20_000;

    /// <summary>Upper bound of <see cref="Neighbours"/> (the votes are gathered on the stack).</summary>
    public const int MaxNeighbours = 1_000;

    /// <summary>Most similar titles the member rated that vote on a prediction.</summary>
    public int Neighbours { get; init; } = 40;

    /// <summary>Pseudo-count that shrinks a similarity computed from few common members toward 0:
    /// s · (n − 1) / (n − 1 + shrinkage) (Surprise's pearson_baseline).</summary>
    public float Shrinkage { get; init; } = 100;

    /// <summary>Baseline member damping.</summary>
    public float UserDamping { get; init; } = 5;

    /// <summary>Baseline title damping.</summary>
    public float TitleDamping { get; init; } = 5;

    /// <summary>Baseline alternating passes.</summary>
    public int BaselineIterations { get; init; } = 10;

    /// <summary>Worker threads for the similarities; 0 uses every core.</summary>
    public int Threads { get; init; }

    public void Validate()
    {
        const string model = KnnBaselineTrainer.ModelName;
        RatingOptionChecks.Integer(model, "neighbours", Neighbours, 1, MaxNeighbours);
        RatingOptionChecks.Number(model, "shrinkage", Shrinkage, 0f, 1e6f);
        RatingOptionChecks.Number(model, "user-damping", UserDamping, 0f, 1e6f);
        RatingOptionChecks.Number(model, "title-damping", TitleDamping, 0f, 1e6f);
        RatingOptionChecks.Integer(model, "baseline-iterations", BaselineIterations, 1, 1000);
        RatingOptionChecks.Integer(model, "threads", Threads, 0, 1024);
    }
}
