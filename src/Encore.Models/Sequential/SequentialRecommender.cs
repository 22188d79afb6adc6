using System.Buffers;
using Encore.Core;
using Encore.Models.Ease;
using Encore.Models.ItemKnn;
using Encore.Models.Numerics;

namespace Encore.Models.Sequential;

/// <summary>The fitted sequential blend (see <see cref="SequentialTrainer"/>).</summary>
internal sealed class SequentialRecommender : IRecommender, IMemberHistory
{
    private const int Version = 2; // 2: TimeOrdered (version 1 files were all fitted on time-ordered data, or read ids as order)
    /// <summary>Recency weights below this share are skipped in the transition part (they change nothing visible).</summary>
    private const float NegligibleWeight = 1e-3f;

    private readonly MemberHistory _history;
    private readonly SparseMatrix _chronological;
    private readonly EaseRecommender _ease;
    private readonly EaseRecommender _similar;
    private readonly SparseMatrix _transitions;
    private readonly SparseMatrix _similarTransitions;

    internal SequentialRecommender(IdMap members, IdMap titles, SequentialOptions options, MemberHistory history, SparseMatrix chronological,
        EaseRecommender ease, EaseRecommender similar, SparseMatrix transitions, SparseMatrix similarTransitions, bool timeOrdered)
    {
        TimeOrdered = timeOrdered;
        MemberIds = members;
        TitleIds = titles;
        Options = options;
        _history = history;
        _chronological = chronological;
        _ease = ease;
        _similar = similar;
        _transitions = transitions;
        _similarTransitions = similarTransitions;
    }

    public string Name => SequentialTrainer.ModelName;
    public IdMap MemberIds { get; }
    public IdMap TitleIds { get; }
    public SequentialOptions Options { get; }

    /// <summary>
    /// Whether the training data had a time order. When it had none, the model is its EASE part alone: every history
    /// title weighs the same (no recency weights) and no "what comes next" counts are blended in (see <see cref="SequentialTrainer"/>).
    /// </summary>
    public bool TimeOrdered { get; }

    public ReadOnlySpan<int> TrainingTitles(int member) => _history.TrainingTitles(member);

    /// <summary>A training member's titles, oldest first.</summary>
    public ReadOnlySpan<int> ChronologicalTitles(int member)
        => (uint)member < (uint)_chronological.Rows ? _chronological.RowIndices(member) : default;

    public void ScoreMember(int member, Span<float> scores)
    {
        if ((uint)member >= (uint)_chronological.Rows) throw new ArgumentOutOfRangeException(nameof(member), member, "member index is not in the model");
        ScoreHistory(_chronological.RowIndices(member), default, scores);
    }

    /// <summary>
    /// Scores a history given OLDEST FIRST (its order is what the recency weights read); <paramref name="weights"/>,
    /// when given, multiply the recency weights. An empty history gives the popularity fallback.
    /// </summary>
    public void ScoreHistory(ReadOnlySpan<int> titles, ReadOnlySpan<float> weights, Span<float> scores)
    {
        if (scores.Length != TitleIds.Count) throw new ArgumentException($"scores holds {scores.Length} values; the model has {TitleIds.Count} titles", nameof(scores));
        if (!weights.IsEmpty && weights.Length != titles.Length) throw new ArgumentException($"weights holds {weights.Length} values for {titles.Length} titles", nameof(weights));
        int n = titles.Length;
        if (n == 0)
        {
            _ease.ScoreHistory([], [], scores); // the popularity prior
            return;
        }
        var o = Options;
        var recency = ArrayPool<float>.Shared.Rent(n);
        var next = ArrayPool<float>.Shared.Rent(scores.Length);
        try
        {
            var w = recency.AsSpan(0, n);
            for (int k = 0; k < n; k++)
                w[k] = (TimeOrdered ? o.RecencyFloor + MathF.Exp(-(n - 1 - k) / o.RecencyScale) : 1f) * (weights.IsEmpty ? 1f : weights[k]);
            _ease.ScoreHistory(titles, w, scores);
            Standardize.InPlace(scores, titles);
            if (o.TransitionWeight == 0 || !TimeOrdered) return;

            var t = next.AsSpan(0, scores.Length);
            t.Clear();
            for (int k = n - 1; k >= 0; k--)
            {
                float share = MathF.Exp(-(n - 1 - k) / o.TransitionScale);
                if (share < NegligibleWeight) break;
                int from = titles[k];
                if ((uint)from >= (uint)_transitions.Rows) continue;
                float x = share * (weights.IsEmpty ? 1f : weights[k]);
                var to = _transitions.RowIndices(from);
                var p = _transitions.RowValues(from);
                for (int j = 0; j < to.Length; j++) t[to[j]] += x * p[j];
            }
            Standardize.InPlace(t, titles);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(t, o.TransitionWeight, scores, scores);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(recency);
            ArrayPool<float>.Shared.Return(next);
        }
    }

    /// <summary>
    /// "Because you watched": standardized EASE similarity (how much each title's presence predicts this one)
    /// blended with the standardized decayed counts of the titles that followed this one in members' histories.
    /// </summary>
    public void SimilarTitles(int title, Span<float> scores)
    {
        if (scores.Length != TitleIds.Count) throw new ArgumentException($"scores holds {scores.Length} values; the model has {TitleIds.Count} titles", nameof(scores));
        if ((uint)title >= (uint)TitleIds.Count)
        {
            _ease.ScoreHistory([], [], scores);
            return;
        }
        for (int j = 0; j < scores.Length; j++) scores[j] = _similar.Weight(j, title);
        Standardize.InPlace(scores);
        if (Options.SimilarTransitionWeight == 0 || !TimeOrdered) return;
        var buffer = ArrayPool<float>.Shared.Rent(scores.Length);
        try
        {
            var t = buffer.AsSpan(0, scores.Length);
            t.Clear();
            var to = _similarTransitions.RowIndices(title);
            var c = _similarTransitions.RowValues(title);
            for (int j = 0; j < to.Length; j++) t[to[j]] = c[j];
            Standardize.InPlace(t);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(t, Options.SimilarTransitionWeight, scores, scores);
        }
        finally { ArrayPool<float>.Shared.Return(buffer); }
    }

    public void Save(BinaryWriter writer)
    {
        var o = Options;
        writer.Write(Version);
        ModelIo.WriteIds(writer, MemberIds);
        ModelIo.WriteIds(writer, TitleIds);
        writer.Write(o.Lambda);
        writer.Write(o.RecencyScale);
        writer.Write(o.RecencyFloor);
        writer.Write(o.Window);
        writer.Write(o.Decay);
        writer.Write(o.PopularityExponent);
        writer.Write(o.TransitionScale);
        writer.Write(o.TransitionWeight);
        writer.Write(o.SimilarLambda);
        writer.Write(o.SimilarWindow);
        writer.Write(o.SimilarDecay);
        writer.Write(o.SimilarTransitionWeight);
        writer.Write(o.MaxTitles);
        writer.Write(TimeOrdered);
        _history.Save(writer);
        ModelIo.WriteArray<int>(writer, _chronological.Pointers);
        ModelIo.WriteArray<int>(writer, _chronological.Indices);
        _ease.Save(writer);
        bool shared = ReferenceEquals(_ease, _similar);
        writer.Write(shared);
        if (!shared) _similar.Save(writer);
        ItemKnnRecommender.WriteSparse(writer, _transitions);
        ItemKnnRecommender.WriteSparse(writer, _similarTransitions);
    }

    public static SequentialRecommender Load(BinaryReader reader)
    {
        int version = PayloadVersion.Read(reader, SequentialTrainer.ModelName, 1, Version);
        var members = ModelIo.ReadIds(reader);
        var titles = ModelIo.ReadIds(reader);
        var options = new SequentialOptions
        {
            Lambda = reader.ReadSingle(),
            RecencyScale = reader.ReadSingle(),
            RecencyFloor = reader.ReadSingle(),
            Window = reader.ReadInt32(),
            Decay = reader.ReadSingle(),
            PopularityExponent = reader.ReadSingle(),
            TransitionScale = reader.ReadSingle(),
            TransitionWeight = reader.ReadSingle(),
            SimilarLambda = reader.ReadSingle(),
            SimilarWindow = reader.ReadInt32(),
            SimilarDecay = reader.ReadSingle(),
            SimilarTransitionWeight = reader.ReadSingle(),
            MaxTitles = reader.ReadInt32(),
        };
        bool timeOrdered = version < 2 || reader.ReadBoolean();
        try { options.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException("model file: " + e.Message, e); }
        var history = MemberHistory.Load(reader, members.Count);
        var pointers = ModelIo.ReadArray<int>(reader);
        var order = ModelIo.ReadArray<int>(reader);
        ModelIo.ExpectLength(pointers, members.Count + 1L, "chronological pointers");
        if (pointers[^1] != order.Length) throw new InvalidDataException("model file: chronological pointers do not match its titles");
        foreach (var t in order)
            if ((uint)t >= (uint)titles.Count) throw new InvalidDataException($"model file: chronological title {t} is outside 0..{titles.Count - 1}");
        var ease = ReadEase(reader, titles);
        var similar = reader.ReadBoolean() ? ease : ReadEase(reader, titles);
        var transitions = ItemKnnRecommender.ReadSparse(reader, titles.Count, titles.Count, "transitions");
        var similarTransitions = ItemKnnRecommender.ReadSparse(reader, titles.Count, titles.Count, "similar-title transitions");
        return new SequentialRecommender(members, titles, options, history,
            new SparseMatrix(members.Count, titles.Count, pointers, order, new float[order.Length]), ease, similar, transitions, similarTransitions, timeOrdered);
    }

    private static EaseRecommender ReadEase(BinaryReader reader, IdMap titles)
    {
        var ease = EaseRecommender.Load(reader);
        if (ease.TitleIds.Count != titles.Count) throw new InvalidDataException($"model file: the EASE part covers {ease.TitleIds.Count} titles; the model has {titles.Count}");
        return ease;
    }
}
