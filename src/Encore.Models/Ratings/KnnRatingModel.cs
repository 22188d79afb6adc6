using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// The fitted neighbourhood model: baseline biases, the members' training residuals (CSR) and the dense
/// title-title similarities. An unseen member or title gets the baseline (<c>μ + b_i</c> or <c>μ + b_u</c>).
/// </summary>
internal sealed class KnnRatingModel : IRatingPredictor
{
    private const int Version = 1;
    private readonly float[] _memberBias, _titleBias, _residual, _similarity;
    private readonly int[] _pointers, _titles;

    public KnnRatingModel(string name, IdMap memberIds, IdMap titleIds, float globalMean, float[] memberBias, float[] titleBias,
        int[] pointers, int[] titles, float[] residual, float[] similarity, int neighbours, float minRating, float maxRating)
    {
        if (memberBias.Length != memberIds.Count || pointers.Length != memberIds.Count + 1) throw new ArgumentException("member arrays do not match the member ids");
        if (titleBias.Length != titleIds.Count || similarity.Length != (long)titleIds.Count * titleIds.Count) throw new ArgumentException("title arrays do not match the title ids");
        if (titles.Length != pointers[^1] || residual.Length != pointers[^1]) throw new ArgumentException("residuals do not match the member pointers");
        if (neighbours < 1 || neighbours > KnnBaselineOptions.MaxNeighbours) throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, $"must be in [1, {KnnBaselineOptions.MaxNeighbours}]");
        Name = name;
        MemberIds = memberIds;
        TitleIds = titleIds;
        GlobalMean = globalMean;
        _memberBias = memberBias;
        _titleBias = titleBias;
        _pointers = pointers;
        _titles = titles;
        _residual = residual;
        _similarity = similarity;
        Neighbours = neighbours;
        MinRating = minRating;
        MaxRating = maxRating;
    }

    public string Name { get; }
    public IdMap MemberIds { get; }
    public IdMap TitleIds { get; }
    public float GlobalMean { get; }
    public int Neighbours { get; }
    public float MinRating { get; }
    public float MaxRating { get; }

    public float Predict(int member, int title)
    {
        bool knownMember = (uint)member < (uint)_memberBias.Length;
        bool knownTitle = (uint)title < (uint)_titleBias.Length;
        float r = GlobalMean + (knownMember ? _memberBias[member] : 0) + (knownTitle ? _titleBias[title] : 0);
        if (knownMember && knownTitle) r += NeighbourVote(member, title);
        if (!float.IsFinite(r)) r = GlobalMean;
        return Math.Clamp(r, MinRating, MaxRating);
    }

    public void PredictMany(ReadOnlySpan<int> members, ReadOnlySpan<int> titles, Span<float> output)
        => RatingPredictions.PredictEach(this, members, titles, output);

    /// <summary>Similarity-weighted mean residual of the k most similar titles the member rated (positive similarities only).</summary>
    private float NeighbourVote(int member, int title)
    {
        int k = Neighbours;
        Span<float> topSimilarity = stackalloc float[k];
        Span<float> topResidual = stackalloc float[k];
        int count = 0, weakest = 0;
        var row = new ReadOnlySpan<float>(_similarity, (int)((long)title * _titleBias.Length), _titleBias.Length);
        for (int n = _pointers[member]; n < _pointers[member + 1]; n++)
        {
            float s = row[_titles[n]];
            if (count < k)
            {
                topSimilarity[count] = s;
                topResidual[count++] = _residual[n];
                if (count == k) weakest = IndexOfMin(topSimilarity);
            }
            else if (s > topSimilarity[weakest])
            {
                topSimilarity[weakest] = s;
                topResidual[weakest] = _residual[n];
                weakest = IndexOfMin(topSimilarity);
            }
        }
        double sum = 0, weight = 0;
        for (int n = 0; n < count; n++)
        {
            if (topSimilarity[n] <= 0) continue;
            sum += topSimilarity[n] * topResidual[n];
            weight += topSimilarity[n];
        }
        return weight > 0 ? (float)(sum / weight) : 0;
    }

    private static int IndexOfMin(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int n = 1; n < values.Length; n++) if (values[n] < values[best]) best = n;
        return best;
    }

    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Version);
        ModelIo.WriteIds(writer, MemberIds);
        ModelIo.WriteIds(writer, TitleIds);
        writer.Write(GlobalMean);
        writer.Write(MinRating);
        writer.Write(MaxRating);
        writer.Write(Neighbours);
        ModelIo.WriteArray<float>(writer, _memberBias);
        ModelIo.WriteArray<float>(writer, _titleBias);
        ModelIo.WriteArray<int>(writer, _pointers);
        ModelIo.WriteArray<int>(writer, _titles);
        ModelIo.WriteArray<float>(writer, _residual);
        ModelIo.WriteArray<float>(writer, _similarity);
    }

    /// <summary>Reads what <see cref="Save"/> wrote, for the catalogue model <paramref name="name"/>.</summary>
    public static KnnRatingModel Load(BinaryReader reader, string name)
    {
        PayloadVersion.Check(reader, name, Version);
        var members = ModelIo.ReadIds(reader);
        var titles = ModelIo.ReadIds(reader);
        float mean = reader.ReadSingle(), min = reader.ReadSingle(), max = reader.ReadSingle();
        int neighbours = reader.ReadInt32();
        var memberBias = ModelIo.ReadArray<float>(reader);
        var titleBias = ModelIo.ReadArray<float>(reader);
        var pointers = ModelIo.ReadArray<int>(reader);
        var rated = ModelIo.ReadArray<int>(reader);
        var residual = ModelIo.ReadArray<float>(reader);
        var similarity = ModelIo.ReadArray<float>(reader);
        if (pointers.Length == 0) throw new InvalidDataException($"model file: '{name}' has no member pointers");
        foreach (var t in rated)
            if ((uint)t >= (uint)titles.Count) throw new InvalidDataException($"model file: '{name}' rated title {t} is outside 0..{titles.Count - 1}");
        try { return new KnnRatingModel(name, members, titles, mean, memberBias, titleBias, pointers, rated, residual, similarity, neighbours, min, max); }
        catch (ArgumentException e) { throw new InvalidDataException($"model file: '{name}': {e.Message}", e); }
    }
}
