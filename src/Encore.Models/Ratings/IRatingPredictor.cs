namespace Encore.Models.Ratings;

/// <summary>
/// A fitted rating predictor. Members and titles are dense indices of <see cref="IModel.MemberIds"/> and
/// <see cref="IModel.TitleIds"/> (those of the training matrix). An index of -1 (or any index outside the map)
/// means "unseen in training" and gets the model's fallback, never an error or NaN. Predictions are
/// clipped to the range of the training ratings. Safe for concurrent reads once fitted. Saved and loaded, like
/// every model, through <see cref="ModelFile"/> (<see cref="ModelFile.LoadRating(Stream)"/>).
/// </summary>
public interface IRatingPredictor : IModel
{
    /// <summary>The predicted rating of <paramref name="title"/> by <paramref name="member"/> (dense indices; -1 for unseen), within the training ratings' range.</summary>
    float Predict(int member, int title);

    /// <summary>Predicts <c>output[i]</c> for the pair (<c>members[i]</c>, <c>titles[i]</c>); all three spans have one length.</summary>
    void PredictMany(ReadOnlySpan<int> members, ReadOnlySpan<int> titles, Span<float> output);
}

/// <summary>Pieces the rating models share.</summary>
internal static class RatingPredictions
{
    /// <summary>PredictMany for models whose pairs are independent: one Predict per pair, lengths checked.</summary>
    public static void PredictEach(IRatingPredictor model, ReadOnlySpan<int> members, ReadOnlySpan<int> titles, Span<float> output)
    {
        if (members.Length != titles.Length || members.Length != output.Length)
            throw new ArgumentException($"members ({members.Length}), titles ({titles.Length}) and output ({output.Length}) must have one length");
        for (int k = 0; k < output.Length; k++) output[k] = model.Predict(members[k], titles[k]);
    }
}
