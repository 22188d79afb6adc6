using Encore.Models;

namespace Encore.Simulation;

/// <summary>
/// Turns any fitted Encore recommender into a homepage policy. Each page folds in the member's current
/// observable history (<see cref="IRecommender.ScoreHistory"/>), so titles watched since the model was fitted
/// count at once; a member with no history gets the model's own score for them, or its fallback.
/// Titles the model never saw score lowest (they still appear through exploration).
/// </summary>
public sealed class RecommenderPolicy : ScoredPolicy
{
    private readonly IRecommender _model;
    private readonly int[] _toModel;
    private readonly ThreadLocal<ModelBuffers> _buffers;

    public RecommenderPolicy(IRecommender model, SimCatalogue catalogue, double exploration = 0.10) : base(catalogue, exploration)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _toModel = new int[catalogue.Count];
        for (int t = 0; t < catalogue.Count; t++) _toModel[t] = model.TitleIds.IndexOf(catalogue.Ids[t]);
        _buffers = new ThreadLocal<ModelBuffers>(() => new ModelBuffers(model.TitleIds.Count));
    }

    public override string Name => "model:" + _model.Name;

    protected override void Score(scoped in PageRequest request, Span<float> scores)
    {
        var buffers = _buffers.Value!;
        int n = 0;
        foreach (ref readonly var entry in request.History)
        {
            int mt = _toModel[entry.Title];
            if (mt < 0 || n == buffers.Titles.Length) continue;
            buffers.Titles[n] = mt;
            buffers.Weights[n] = Math.Max(entry.Weight, 0.05f);
            n++;
        }
        var modelScores = buffers.Scores.AsSpan();
        int member = _model.MemberIds.IndexOf(request.MemberId);
        if (n == 0 && member >= 0) _model.ScoreMember(member, modelScores);
        else _model.ScoreHistory(buffers.Titles.AsSpan(0, n), buffers.Weights.AsSpan(0, n), modelScores);
        for (int t = 0; t < scores.Length; t++)
        {
            int mt = _toModel[t];
            float s = mt >= 0 ? modelScores[mt] : float.NegativeInfinity;
            scores[t] = float.IsNaN(s) ? float.NegativeInfinity : s;
        }
    }

    private sealed class ModelBuffers(int modelTitles)
    {
        public readonly float[] Scores = new float[modelTitles];
        public readonly int[] Titles = new int[512];
        public readonly float[] Weights = new float[512];
    }
}
