using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// A fitted linear blend: <c>w_0 + Σ w_m r̂_m(u, i)</c> over its components, clipped to the training range.
/// Unseen members and titles get each component's fallback, blended the same way.
/// </summary>
public sealed class BlendRatingModel : IRatingPredictor
{
    internal const string Kind = "blend";
    private readonly float[] _weights;
    private readonly IRatingPredictor[] _components;

    public BlendRatingModel(string name, IdMap memberIds, IdMap titleIds, float intercept, float[] weights,
        IRatingPredictor[] components, float minRating, float maxRating)
    {
        if (weights.Length != components.Length) throw new ArgumentException($"{weights.Length} weights for {components.Length} components");
        if (!float.IsFinite(intercept) || Array.Exists(weights, w => !float.IsFinite(w))) throw new ArgumentException("blend weights must be finite");
        Name = name;
        MemberIds = memberIds;
        TitleIds = titleIds;
        Intercept = intercept;
        _weights = weights;
        _components = components;
        MinRating = minRating;
        MaxRating = maxRating;
    }

    public string Name { get; }
    public IdMap MemberIds { get; }
    public IdMap TitleIds { get; }
    public float Intercept { get; }
    public ReadOnlySpan<float> Weights => _weights;
    public IReadOnlyList<IRatingPredictor> Components => _components;
    public float MinRating { get; }
    public float MaxRating { get; }

    public float Predict(int member, int title)
    {
        float r = Intercept;
        for (int m = 0; m < _components.Length; m++) r += _weights[m] * _components[m].Predict(member, title);
        return Math.Clamp(float.IsFinite(r) ? r : (MinRating + MaxRating) / 2, MinRating, MaxRating);
    }

    public void PredictMany(ReadOnlySpan<int> members, ReadOnlySpan<int> titles, Span<float> output)
    {
        if (members.Length != titles.Length || members.Length != output.Length)
            throw new ArgumentException($"members ({members.Length}), titles ({titles.Length}) and output ({output.Length}) must have one length");
        output.Fill(Intercept);
        var part = new float[output.Length];
        for (int m = 0; m < _components.Length; m++)
        {
            _components[m].PredictMany(members, titles, part);
            float w = _weights[m];
            for (int k = 0; k < output.Length; k++) output[k] += w * part[k];
        }
        for (int k = 0; k < output.Length; k++)
            output[k] = Math.Clamp(float.IsFinite(output[k]) ? output[k] : (MinRating + MaxRating) / 2, MinRating, MaxRating);
    }

    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Kind);
        writer.Write(Name);
        writer.Write(Intercept);
        writer.Write(MinRating);
        writer.Write(MaxRating);
        RatingModelFile.WriteFloats(writer, _weights);
        foreach (var c in _components) c.Save(writer);
    }

    internal static BlendRatingModel ReadBody(BinaryReader reader, string source)
    {
        string name = reader.ReadString();
        float intercept = reader.ReadSingle(), min = reader.ReadSingle(), max = reader.ReadSingle();
        var weights = RatingModelFile.ReadFloats(reader);
        var components = new IRatingPredictor[weights.Length];
        for (int m = 0; m < components.Length; m++) components[m] = RatingModelFile.ReadPredictor(reader, source);
        if (components.Length == 0) throw new InvalidDataException($"{source}: a blend without components");
        return new BlendRatingModel(name, components[0].MemberIds, components[0].TitleIds, intercept, weights, components, min, max);
    }
}
