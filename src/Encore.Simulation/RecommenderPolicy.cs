using Encore.Models;

namespace Encore.Simulation;

/// <summary>
/// Turns any fitted Encore recommender into a homepage policy. Each page folds in the member's current
/// observable history (<see cref="IRecommender.ScoreHistory"/>), so titles watched since the model was fitted
/// count at once; a member with no history gets the model's own score for them, or its fallback. The history goes
/// to the model oldest first, by the last day each title was played (the order ScoreHistory defines; the
/// member's list itself is in the order the titles were first played).
/// Titles the model never saw score lowest (they still appear through exploration).
/// </summary>
internal sealed class RecommenderPolicy : ScoredPolicy
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
            // Insertion by last day played (stable: a tie keeps the order of first play). The list is nearly in
            // that order already, so this costs about one comparison per title.
            int k = n++;
            for (; k > 0 && buffers.Days[k - 1] > entry.LastDay; k--)
            {
                buffers.Titles[k] = buffers.Titles[k - 1];
                buffers.Weights[k] = buffers.Weights[k - 1];
                buffers.Days[k] = buffers.Days[k - 1];
            }
            buffers.Titles[k] = mt;
            buffers.Weights[k] = Math.Max(entry.Weight, 0.05f);
            buffers.Days[k] = entry.LastDay;
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

    /// <summary>The scores <see cref="Score"/> gives the catalogue's titles for a request (for tests).</summary>
    internal void ScoreTitles(scoped in PageRequest request, Span<float> scores) => Score(request, scores);

    private sealed class ModelBuffers(int modelTitles)
    {
        public readonly float[] Scores = new float[modelTitles];
        public readonly int[] Titles = new int[512];
        public readonly float[] Weights = new float[512];
        public readonly int[] Days = new int[512];
    }
}
