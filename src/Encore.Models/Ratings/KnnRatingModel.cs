using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// The fitted neighbourhood model: baseline biases, the members' training residuals (CSR) and the dense
/// title-title similarities. An unseen member or title gets the baseline (<c>μ + b_i</c> or <c>μ + b_u</c>).
/// </summary>
public sealed class KnnRatingModel : IRatingPredictor
{
    internal const string Kind = "knn";
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
        => RatingModelFile.PredictEach(this, members, titles, output);

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
        writer.Write(Kind);
        RatingModelFile.WriteCommon(writer, Name, MemberIds, TitleIds, GlobalMean, MinRating, MaxRating);
        writer.Write(Neighbours);
        RatingModelFile.WriteFloats(writer, _memberBias);
        RatingModelFile.WriteFloats(writer, _titleBias);
        RatingModelFile.WriteInts(writer, _pointers);
        RatingModelFile.WriteInts(writer, _titles);
        RatingModelFile.WriteFloats(writer, _residual);
        RatingModelFile.WriteFloats(writer, _similarity);
    }

    internal static KnnRatingModel ReadBody(BinaryReader reader)
    {
        var common = RatingModelFile.ReadCommon(reader);
        int neighbours = reader.ReadInt32();
        var memberBias = RatingModelFile.ReadFloats(reader);
        var titleBias = RatingModelFile.ReadFloats(reader);
        var pointers = RatingModelFile.ReadInts(reader);
        var rated = RatingModelFile.ReadInts(reader);
        var residual = RatingModelFile.ReadFloats(reader);
        var similarity = RatingModelFile.ReadFloats(reader);
        return new KnnRatingModel(common.Name, common.Members, common.Titles, common.Mean, memberBias, titleBias, pointers, rated,
            residual, similarity, neighbours, common.Min, common.Max);
    }
}
