using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// A fitted rating predictor. Members and titles are dense indices of <see cref="MemberIds"/> and
/// <see cref="TitleIds"/> (those of the training matrix). An index of -1 (or any index outside the map)
/// means "unseen in training" and gets the model's fallback, never an error or NaN. Predictions are
/// clipped to the range of the training ratings. Safe for concurrent reads once fitted.
/// </summary>
public interface IRatingPredictor
{
    string Name { get; }
    IdMap MemberIds { get; }
    IdMap TitleIds { get; }

    float Predict(int member, int title);

    /// <summary>Predicts <c>output[i]</c> for the pair (<c>members[i]</c>, <c>titles[i]</c>); all three spans have one length.</summary>
    void PredictMany(ReadOnlySpan<int> members, ReadOnlySpan<int> titles, Span<float> output);

    /// <summary>Writes the fitted state; <see cref="RatingModelFile"/> adds the versioned envelope and reads it back.</summary>
    void Save(BinaryWriter writer);
}
