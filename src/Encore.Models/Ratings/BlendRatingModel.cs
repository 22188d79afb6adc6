using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// A fitted linear blend: <c>w_0 + Σ w_m r̂_m(u, i)</c> over its components, clipped to the training range.
/// Unseen members and titles get each component's fallback, blended the same way.
/// </summary>
internal sealed class BlendRatingModel : IRatingPredictor
{
    private const int Version = 1;
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

    /// <summary>The blend's own numbers, then each component as its catalogue name and its own payload.</summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Version);
        writer.Write(Intercept);
        writer.Write(MinRating);
        writer.Write(MaxRating);
        ModelIo.WriteArray<float>(writer, _weights);
        foreach (var c in _components)
        {
            writer.Write(c.Name);
            c.Save(writer);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote; each component is read by its own catalogue entry.</summary>
    public static BlendRatingModel Load(BinaryReader reader, string name)
    {
        PayloadVersion.Check(reader, name, Version);
        float intercept = reader.ReadSingle(), min = reader.ReadSingle(), max = reader.ReadSingle();
        var weights = ModelIo.ReadArray<float>(reader);
        if (weights.Length == 0) throw new InvalidDataException($"model file: '{name}' has no components");
        var components = new IRatingPredictor[weights.Length];
        for (int m = 0; m < components.Length; m++)
        {
            var component = reader.ReadString();
            if (!ModelCatalog.TryGet(component, out var descriptor) || descriptor.Task != ModelTask.Rating || descriptor.Name == name)
                throw new InvalidDataException($"model file: '{name}' component {m} is '{component}', which is not a rating model that can be blended");
            components[m] = (IRatingPredictor)descriptor.Load(reader);
        }
        try { return new BlendRatingModel(name, components[0].MemberIds, components[0].TitleIds, intercept, weights, components, min, max); }
        catch (ArgumentException e) { throw new InvalidDataException($"model file: '{name}': {e.Message}", e); }
    }
}
