namespace Encore.Evaluation.Rating;

/// <summary>One fold's figures: sizes, errors and the wall time of training.</summary>
/// <param name="ColdPairs">Test pairs whose member or title was unseen in training (they got the fallback).</param>
public sealed record RatingFoldResult(string Fold, int TrainRatings, int TestRatings, int TestMembers, int ColdPairs,
    double Rmse, double Mae, double FitSeconds);

/// <summary>
/// The P-RATING result of one model: each fold's figures and the means over folds. <see cref="FitSeconds"/>
/// is the total training wall time over the folds; <see cref="FitSecondsPerFold"/> its mean.
/// </summary>
public sealed record RatingProtocolResult(
    string Protocol,
    string Dataset,
    string Model,
    IReadOnlyDictionary<string, string> Parameters,
    string FoldSource,
    IReadOnlyList<RatingFoldResult> Folds)
{
    public double Rmse => Mean(f => f.Rmse);
    public double Mae => Mean(f => f.Mae);
    public IReadOnlyList<double> RmseFolds => [.. Folds.Select(f => f.Rmse)];
    public IReadOnlyList<double> MaeFolds => [.. Folds.Select(f => f.Mae)];
    public double FitSeconds => Folds.Sum(f => f.FitSeconds);
    public double FitSecondsPerFold => Mean(f => f.FitSeconds);
    /// <summary>Mean sizes over folds, for the JSON "split" object.</summary>
    public int TrainRatings => (int)Math.Round(Mean(f => f.TrainRatings));
    public int TestRatings => (int)Math.Round(Mean(f => f.TestRatings));
    public int TestMembers => (int)Math.Round(Mean(f => f.TestMembers));

    private double Mean(Func<RatingFoldResult, double> pick) => Folds.Count == 0 ? double.NaN : Folds.Average(pick);
}
