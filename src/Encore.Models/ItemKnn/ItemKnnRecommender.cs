using Encore.Core;
using Encore.Models.Numerics;

namespace Encore.Models.ItemKnn;

/// <summary>The fitted item-kNN model: the sparse top-K similarity matrix and the training rows it scores from.</summary>
internal sealed class ItemKnnRecommender : IRecommender, IMemberHistory
{
    private const int Version = 1;
    private readonly SparseMatrix _history;
    private readonly SparseMatrix _similarity;
    private readonly float[] _prior;

    internal ItemKnnRecommender(IdMap members, IdMap titles, ItemKnnOptions options, SparseMatrix history, SparseMatrix similarity, float[] prior)
    {
        MemberIds = members;
        TitleIds = titles;
        Options = options;
        _history = history;
        _similarity = similarity;
        _prior = prior;
    }

    public string Name => ItemKnnTrainer.ModelName;
    public IdMap MemberIds { get; }
    public IdMap TitleIds { get; }
    public ItemKnnOptions Options { get; }

    /// <summary>Stored neighbour pairs (at most titles x K).</summary>
    public int NeighbourPairs => _similarity.NonZeros;

    public ReadOnlySpan<int> TrainingTitles(int member) => (uint)member < (uint)_history.Rows ? _history.RowIndices(member) : default;

    public void ScoreMember(int member, Span<float> scores)
    {
        if ((uint)member >= (uint)_history.Rows) throw new ArgumentOutOfRangeException(nameof(member), member, "member index is not in the model");
        ScoreHistory(_history.RowIndices(member), _history.RowValues(member), scores);
    }

    public void ScoreHistory(ReadOnlySpan<int> titles, ReadOnlySpan<float> weights, Span<float> scores)
    {
        CheckLength(scores);
        _prior.CopyTo(scores);
        for (int a = 0; a < titles.Length; a++)
        {
            int i = titles[a];
            if ((uint)i >= (uint)_similarity.Rows) continue;
            float w = weights.IsEmpty ? 1f : weights[a];
            var js = _similarity.RowIndices(i);
            var sims = _similarity.RowValues(i);
            for (int b = 0; b < js.Length; b++) scores[js[b]] += w * sims[b];
        }
    }

    public void SimilarTitles(int title, Span<float> scores)
    {
        CheckLength(scores);
        _prior.CopyTo(scores);
        if ((uint)title >= (uint)_similarity.Rows) return;
        var js = _similarity.RowIndices(title);
        var sims = _similarity.RowValues(title);
        for (int b = 0; b < js.Length; b++) scores[js[b]] += sims[b];
    }

    private void CheckLength(Span<float> scores)
    {
        if (scores.Length != TitleIds.Count) throw new ArgumentException($"scores holds {scores.Length} values; the model has {TitleIds.Count} titles", nameof(scores));
    }

    public void Save(BinaryWriter writer)
    {
        writer.Write(Version);
        ModelIo.WriteIds(writer, MemberIds);
        ModelIo.WriteIds(writer, TitleIds);
        writer.Write(Options.Neighbours);
        writer.Write((int)Options.Weighting);
        writer.Write(Options.Shrinkage);
        writer.Write(Options.K1);
        writer.Write(Options.B);
        WriteSparse(writer, _history);
        WriteSparse(writer, _similarity);
        ModelIo.WriteArray<float>(writer, _prior);
    }

    public static ItemKnnRecommender Load(BinaryReader reader)
    {
        PayloadVersion.Check(reader, ItemKnnTrainer.ModelName, Version);
        var members = ModelIo.ReadIds(reader);
        var titles = ModelIo.ReadIds(reader);
        var options = new ItemKnnOptions
        {
            Neighbours = reader.ReadInt32(),
            Weighting = (ItemKnnWeighting)reader.ReadInt32(),
            Shrinkage = reader.ReadSingle(),
            K1 = reader.ReadSingle(),
            B = reader.ReadSingle(),
        };
        var history = ReadSparse(reader, members.Count, titles.Count, "history");
        var similarity = ReadSparse(reader, titles.Count, titles.Count, "similarity");
        var prior = ModelIo.ReadArray<float>(reader);
        ModelIo.ExpectLength(prior, titles.Count, "popularity prior");
        return new ItemKnnRecommender(members, titles, options, history, similarity, prior);
    }

    internal static void WriteSparse(BinaryWriter writer, SparseMatrix m)
    {
        ModelIo.WriteArray<int>(writer, m.Pointers);
        ModelIo.WriteArray<int>(writer, m.Indices);
        ModelIo.WriteArray<float>(writer, m.Values);
    }

    internal static SparseMatrix ReadSparse(BinaryReader reader, int rows, int columns, string what)
    {
        var pointers = ModelIo.ReadArray<int>(reader);
        var indices = ModelIo.ReadArray<int>(reader);
        var values = ModelIo.ReadArray<float>(reader);
        ModelIo.ExpectLength(pointers, rows + 1L, what + " pointers");
        if (indices.Length != pointers[^1] || values.Length != pointers[^1]) throw new InvalidDataException($"model file: {what} arrays disagree in length");
        foreach (var c in indices)
            if ((uint)c >= (uint)columns) throw new InvalidDataException($"model file: {what} index {c} is outside 0..{columns - 1}");
        return new SparseMatrix(rows, columns, pointers, indices, values);
    }
}
