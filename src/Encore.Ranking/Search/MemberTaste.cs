using Encore.Signals;

namespace Encore.Ranking.Search;

/// <summary>
/// A member's own score for every title of a <see cref="SearchIndex"/>, from a trained model, on one scale: the
/// model's scores for the member (the member's row, or a fold-in of the member's history as the signals weigh it
/// when the member has events the model has not seen, as <see cref="MemberRanking"/> does), standardized over the
/// model's titles (mean 0, standard deviation 1). A title the model never saw (added since training) gets 0, the
/// average. Unlike a recommendation list nothing is left out: a member may search for a title begun or seen.
/// Computed once per member and reused for every query of that member; safe for concurrent use.
/// </summary>
public sealed class MemberTaste
{
    private readonly int[] _modelTitle; // index title -> model title, -1 where the model lacks it

    public MemberTaste(SearchIndex index, TrainedModel model)
    {
        Index = index ?? throw new ArgumentNullException(nameof(index));
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _modelTitle = new int[index.Count];
        for (int t = 0; t < index.Count; t++) _modelTitle[t] = model.Recommender.TitleIds.IndexOf(index.TitleIds[t]);
    }

    public SearchIndex Index { get; }
    public TrainedModel Model { get; }

    /// <summary>The member's standardized scores, one per title of <see cref="Index"/>.</summary>
    public float[] ScoresOf(SignalSet signals, string memberId)
    {
        var scores = new float[Index.Count];
        ScoresOf(signals, memberId, scores);
        return scores;
    }

    /// <inheritdoc cref="ScoresOf(SignalSet, string)"/>
    public void ScoresOf(SignalSet signals, string memberId, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(memberId);
        if (scores.Length != Index.Count) throw new ArgumentException($"the scores hold {scores.Length} entries; the index has {Index.Count} titles", nameof(scores));
        var model = new float[Model.Recommender.TitleIds.Count];
        MemberRanking.Score(Model, signals, memberId, model);
        for (int t = 0; t < model.Length; t++) if (!float.IsFinite(model[t])) model[t] = float.NaN;
        ScoreBlend.Standardize(model);
        for (int t = 0; t < scores.Length; t++)
        {
            int m = _modelTitle[t];
            float z = m < 0 ? 0f : model[m];
            scores[t] = float.IsFinite(z) ? z : 0f;
        }
    }
}
