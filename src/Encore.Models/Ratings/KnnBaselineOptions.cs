namespace Encore.Models.Ratings;

/// <summary>Options of the title-based neighbourhood model on baseline residuals (<see cref="KnnBaselineTrainer"/>).</summary>
/// <param name="Neighbours">Most similar titles the member rated that vote on a prediction (default 40).</param>
/// <param name="Shrinkage">Pseudo-count that shrinks a similarity computed from few common members toward 0:
/// s · (n − 1) / (n − 1 + shrinkage) (default 100, Surprise's pearson_baseline).</param>
/// <param name="UserDamping">Baseline member damping (default 5).</param>
/// <param name="TitleDamping">Baseline title damping (default 5).</param>
/// <param name="BaselineIterations">Baseline alternating passes (default 10).</param>
/// <param name="Threads">Worker threads for the similarities; 0 (default) uses every core.</param>
public sealed record KnnBaselineOptions(
    int Neighbours = 40,
    float Shrinkage = 100,
    float UserDamping = 5,
    float TitleDamping = 5,
    int BaselineIterations = 10,
    int Threads = 0)
{
    /// <summary>The similarities are a dense titles x titles matrix; past this many titles, use a factor model.</summary>
    public const int MaxTitles = 20_000;

    /// <summary>Upper bound of <see cref="Neighbours"/> (the votes are gathered on the stack).</summary>
    public const int MaxNeighbours = 1_000;

    public static KnnBaselineOptions FromParameters(IReadOnlyDictionary<string, string>? parameters)
    {
        var d = new KnnBaselineOptions();
        var p = new RatingParameters(KnnBaselineTrainer.ModelName, parameters);
        var o = new KnnBaselineOptions(
            Neighbours: p.Int("k", d.Neighbours, 1, MaxNeighbours),
            Shrinkage: p.Float("shrinkage", d.Shrinkage, 0, 1e6f),
            UserDamping: p.Float("user_damping", d.UserDamping, 0, 1e6f),
            TitleDamping: p.Float("title_damping", d.TitleDamping, 0, 1e6f),
            BaselineIterations: p.Int("baseline_iterations", d.BaselineIterations, 1, 1000),
            Threads: p.Int("threads", d.Threads, 0, 1024));
        p.EnsureAllRead();
        return o;
    }
}
