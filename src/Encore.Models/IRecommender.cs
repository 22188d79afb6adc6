using Encore.Core;

namespace Encore.Models;

/// <summary>
/// Fits a recommender on an interaction matrix. Trainers hold only configuration (an options record);
/// the fitted state lives in the <see cref="IRecommender"/> they return, so one trainer can fit many times.
/// </summary>
public interface IRecommenderTrainer
{
    /// <summary>Catalogue name, e.g. "ials", "ease", "itemknn".</summary>
    string Name { get; }

    /// <summary>
    /// Fits on <paramref name="data"/>: each entry's value is a confidence that the member likes the title; a negative
    /// value is negative evidence with that confidence (see Encore.Signals' PreferenceModel). A model that cannot
    /// learn from negative evidence fits on <see cref="InteractionMatrix.WithoutNegatives"/>.
    /// </summary>
    IRecommender Fit(InteractionMatrix data, CancellationToken ct = default);
}

/// <summary>
/// A fitted top-N recommender. Members and titles are addressed by their dense indices in
/// <see cref="IModel.MemberIds"/> and <see cref="IModel.TitleIds"/> (those of the training matrix); the
/// <see cref="Recommendations"/> helpers translate external ids, apply exclusions and filters, and pick the top N.
/// Implementations are safe for concurrent reads once fitted.
/// </summary>
public interface IRecommender : IModel
{
    /// <summary>Writes a score for every title (higher is better) for a member seen in training.</summary>
    void ScoreMember(int member, Span<float> scores);

    /// <summary>
    /// Scores every title for a history given as title indices and weights, without refitting
    /// (fold-in of a new member, or of a known member's newest events). An empty history gives the
    /// model's non-personalized fallback.
    /// </summary>
    /// <remarks>
    /// The history is in time order, OLDEST FIRST: each title once, placed by the time of the member's latest
    /// interaction with it (the time a training matrix records for the pair), so the last title is the most recent.
    /// Every caller must keep that order: models that read recency from it (the sequential model) score a
    /// training member's own history exactly as <see cref="ScoreMember"/> does only when it comes in that order;
    /// models that ignore the order give the same scores for any order.
    /// </remarks>
    void ScoreHistory(ReadOnlySpan<int> titles, ReadOnlySpan<float> weights, Span<float> scores);

    /// <summary>Writes the similarity of every title to <paramref name="title"/> (not personalized).</summary>
    void SimilarTitles(int title, Span<float> scores);
}
