using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// The fitted form shared by every Encore rating model:
/// <c>r(u, i) = mean + b_u + b_i + p_u · q_i</c>, clipped to the training range. Each model reduces to it:
/// the global mean has no biases or factors; the baseline has biases only; SVD++ folds its implicit term
/// into p_u; BPMF stacks its posterior samples side by side (the mean of S dot products is one dot product
/// of the concatenated vectors, scaled by 1/S); a linear blend concatenates its members' scaled factors.
/// An unseen member gets <c>mean + b_i</c>, an unseen title <c>mean + b_u</c>, both unseen the mean.
/// </summary>
internal sealed class FactorRatingModel : IRatingPredictor
{
    private const int Version = 1;
    private readonly float[] _memberBias;
    private readonly float[] _titleBias;
    private readonly float[] _memberFactors;
    private readonly float[] _titleFactors;

    public FactorRatingModel(string name, IdMap memberIds, IdMap titleIds, float globalMean,
        float[] memberBias, float[] titleBias, int dimensions, float[] memberFactors, float[] titleFactors,
        float minRating, float maxRating)
    {
        ArgumentNullException.ThrowIfNull(memberIds);
        ArgumentNullException.ThrowIfNull(titleIds);
        if (memberBias.Length != memberIds.Count) throw new ArgumentException($"memberBias has {memberBias.Length} entries for {memberIds.Count} members", nameof(memberBias));
        if (titleBias.Length != titleIds.Count) throw new ArgumentException($"titleBias has {titleBias.Length} entries for {titleIds.Count} titles", nameof(titleBias));
        if (dimensions < 0) throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "dimensions must be >= 0");
        if (memberFactors.Length != (long)memberIds.Count * dimensions) throw new ArgumentException("memberFactors must hold members x dimensions values", nameof(memberFactors));
        if (titleFactors.Length != (long)titleIds.Count * dimensions) throw new ArgumentException("titleFactors must hold titles x dimensions values", nameof(titleFactors));
        if (!float.IsFinite(globalMean)) throw new ArgumentException($"global mean is {globalMean}", nameof(globalMean));
        if (!(minRating <= maxRating)) throw new ArgumentException($"rating range [{minRating}, {maxRating}] is empty");
        Name = name;
        MemberIds = memberIds;
        TitleIds = titleIds;
        GlobalMean = globalMean;
        _memberBias = memberBias;
        _titleBias = titleBias;
        Dimensions = dimensions;
        _memberFactors = memberFactors;
        _titleFactors = titleFactors;
        MinRating = minRating;
        MaxRating = maxRating;
    }

    public string Name { get; }
    public IdMap MemberIds { get; }
    public IdMap TitleIds { get; }
    public float GlobalMean { get; }
    public int Dimensions { get; }
    public float MinRating { get; }
    public float MaxRating { get; }
    public ReadOnlySpan<float> MemberBias => _memberBias;
    public ReadOnlySpan<float> TitleBias => _titleBias;
    public ReadOnlySpan<float> MemberFactors => _memberFactors;
    public ReadOnlySpan<float> TitleFactors => _titleFactors;

    /// <summary>The prediction before clipping (what a blend combines).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float PredictRaw(int member, int title)
    {
        bool knownMember = (uint)member < (uint)_memberBias.Length;
        bool knownTitle = (uint)title < (uint)_titleBias.Length;
        float r = GlobalMean;
        if (knownMember) r += _memberBias[member];
        if (knownTitle) r += _titleBias[title];
        if (knownMember && knownTitle && Dimensions > 0)
            r += TensorPrimitives.Dot(
                new ReadOnlySpan<float>(_memberFactors, member * Dimensions, Dimensions),
                new ReadOnlySpan<float>(_titleFactors, title * Dimensions, Dimensions));
        return r;
    }

    public float Predict(int member, int title)
    {
        float r = PredictRaw(member, title);
        // A diverged fit must still answer: the mean is the fallback of last resort, never NaN.
        if (!float.IsFinite(r)) r = GlobalMean;
        return Math.Clamp(r, MinRating, MaxRating);
    }

    public void PredictMany(ReadOnlySpan<int> members, ReadOnlySpan<int> titles, Span<float> output)
        => RatingPredictions.PredictEach(this, members, titles, output);

    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Version);
        ModelIo.WriteIds(writer, MemberIds);
        ModelIo.WriteIds(writer, TitleIds);
        writer.Write(GlobalMean);
        writer.Write(MinRating);
        writer.Write(MaxRating);
        writer.Write(Dimensions);
        ModelIo.WriteArray<float>(writer, _memberBias);
        ModelIo.WriteArray<float>(writer, _titleBias);
        ModelIo.WriteArray<float>(writer, _memberFactors);
        ModelIo.WriteArray<float>(writer, _titleFactors);
    }

    /// <summary>Reads what <see cref="Save"/> wrote, for the catalogue model <paramref name="name"/> (mean, baseline, mf, svdpp, bpmf).</summary>
    public static FactorRatingModel Load(BinaryReader reader, string name)
    {
        PayloadVersion.Check(reader, name, Version);
        var members = ModelIo.ReadIds(reader);
        var titles = ModelIo.ReadIds(reader);
        float mean = reader.ReadSingle(), min = reader.ReadSingle(), max = reader.ReadSingle();
        int dimensions = reader.ReadInt32();
        var memberBias = ModelIo.ReadArray<float>(reader);
        var titleBias = ModelIo.ReadArray<float>(reader);
        var memberFactors = ModelIo.ReadArray<float>(reader);
        var titleFactors = ModelIo.ReadArray<float>(reader);
        try { return new FactorRatingModel(name, members, titles, mean, memberBias, titleBias, dimensions, memberFactors, titleFactors, min, max); }
        catch (ArgumentException e) { throw new InvalidDataException($"model file: '{name}': {e.Message}", e); }
    }
}
