using System.Text;
using System.Text.Json;

namespace Encore.Ranking.ContinueWatching;

/// <summary>What training read and chose, kept with the model (for reports and `encore` messages).</summary>
public sealed record ResumeModelInfo
{
    /// <summary>The learner: "lightgbm" (boosted trees) or "logistic" (L2-regularized logistic regression on standardized features).</summary>
    public string Learner { get; init; } = "logistic";
    /// <summary>The learner's parameters chosen on the validation cut, as text ("leaves=7 iterations=100 rate=0.1", "lambda=0.0001").</summary>
    public string Parameters { get; init; } = "";
    /// <summary>The label window: a resume is a play begun within this many days after the cut.</summary>
    public double WindowDays { get; init; } = 7;
    /// <summary>Cuts and examples (with their resumes) the model was fitted on.</summary>
    public int Cuts { get; init; }
    public int Examples { get; init; }
    public int Positives { get; init; }
    /// <summary>Last cut whose window lies in the training data (UTC): the model knows nothing after its window.</summary>
    public DateTime TrainedUntilUtc { get; init; }
    /// <summary>The validation cut (UTC), its AUC for the chosen penalty and for ordering by recency, and how the threshold was chosen.</summary>
    public DateTime ValidationCutUtc { get; init; }
    public double ValidationAuc { get; init; }
    public double ValidationRecencyAuc { get; init; }
    public string ThresholdRule { get; init; } = "";
}

/// <summary>
/// The learned model of the chance that a member resumes a Continue Watching title within 7 days, over
/// <see cref="ResumeFeatures"/>: boosted trees (<see cref="ResumeTrees"/>, trained by LightGBM), or a logistic model
/// P = sigmoid(bias + sum_j weight_j * (x_j - mean_j) / scale_j). A candidate whose
/// probability is below <see cref="Threshold"/> (chosen on validation data, see <see cref="ResumeTraining"/>) is predicted
/// abandoned and leaves the row, and so is a title abandoned early by the rule of the signals (stopped before
/// <see cref="AbandonShare"/> of its first episode or the film, never completed, not played for <see cref="AbandonDays"/> days).
/// </summary>
public sealed class ResumeModel
{
    private readonly float[] _means, _scales, _weights;

    /// <summary>A boosted-tree model.</summary>
    public ResumeModel(ResumeTrees trees, float threshold, ResumeModelInfo info, float abandonShare = 0.15f, float abandonDays = 14f)
        : this(Zeros(), Ones(), Zeros(), 0f, threshold, info, abandonShare, abandonDays)
    {
        Trees = trees ?? throw new ArgumentNullException(nameof(trees));
    }

    private static float[] Zeros() => new float[ResumeFeatures.Count];

    private static float[] Ones()
    {
        var ones = new float[ResumeFeatures.Count];
        Array.Fill(ones, 1f);
        return ones;
    }

    /// <summary>A logistic model.</summary>
    public ResumeModel(float[] means, float[] scales, float[] weights, float bias, float threshold, ResumeModelInfo info,
        float abandonShare = 0.15f, float abandonDays = 14f)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(info);
        int f = ResumeFeatures.Count;
        if (means.Length != f || scales.Length != f || weights.Length != f)
            throw new ArgumentException($"a resume model has {f} means, scales and weights (got {means.Length}, {scales.Length}, {weights.Length})");
        for (int j = 0; j < f; j++)
        {
            if (!float.IsFinite(means[j]) || !(scales[j] > 0) || !float.IsFinite(scales[j]) || !float.IsFinite(weights[j]))
                throw new ArgumentException($"resume model feature {ResumeFeatures.Names[j]}: mean, scale and weight must be finite, the scale > 0");
        }
        if (!float.IsFinite(bias)) throw new ArgumentException($"resume model bias must be finite (got {bias})");
        if (!(threshold >= 0 && threshold <= 1)) throw new ArgumentException($"resume model threshold must be in [0, 1] (got {threshold})");
        if (!(abandonShare >= 0 && abandonShare <= 1)) throw new ArgumentException($"abandon share must be in [0, 1] (got {abandonShare})");
        if (!(abandonDays >= 0) || !float.IsFinite(abandonDays)) throw new ArgumentException($"abandon days must be >= 0 (got {abandonDays})");
        _means = means;
        _scales = scales;
        _weights = weights;
        Bias = bias;
        Threshold = threshold;
        Info = info;
        AbandonShare = abandonShare;
        AbandonDays = abandonDays;
    }

    public float Bias { get; }
    public float Threshold { get; }
    public float AbandonShare { get; }
    public float AbandonDays { get; }
    public ResumeModelInfo Info { get; }
    /// <summary>The trees of a boosted-tree model (null for a logistic one, which <see cref="Weights"/> describe).</summary>
    public ResumeTrees? Trees { get; }
    public ReadOnlySpan<float> Means => _means;
    public ReadOnlySpan<float> Scales => _scales;
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>The same model with another threshold (0: nothing leaves the row on its probability).</summary>
    public ResumeModel WithThreshold(float threshold) => Trees is { } trees
        ? new(trees, threshold, Info, AbandonShare, AbandonDays)
        : new(_means, _scales, _weights, Bias, threshold, Info, AbandonShare, AbandonDays);

    /// <summary>P(resume within the window) of one candidate's features.</summary>
    public float Predict(ReadOnlySpan<float> features)
    {
        if (features.Length < _weights.Length) throw new ArgumentException($"{_weights.Length} features expected (got {features.Length})", nameof(features));
        if (Trees is { } trees) return trees.Predict(features);
        double z = Bias;
        for (int j = 0; j < _weights.Length; j++) z += _weights[j] * ((features[j] - _means[j]) / _scales[j]);
        return (float)(1.0 / (1.0 + Math.Exp(-z)));
    }

    /// <summary>Probabilities of many candidates, their features row by row.</summary>
    public void Predict(ReadOnlySpan<float> features, Span<float> probabilities)
    {
        int f = _weights.Length;
        if (features.Length < probabilities.Length * f) throw new ArgumentException($"{probabilities.Length} rows of {f} features expected", nameof(features));
        for (int i = 0; i < probabilities.Length; i++) probabilities[i] = Predict(features.Slice(i * f, f));
    }

    /// <summary>Whether the signals' early-abandonment rule takes a candidate out of the row, whatever its probability (<see cref="ResumeFeatures.AbandonedEarly"/>).</summary>
    public bool AbandonedEarly(ReadOnlySpan<float> features, double daysIdle) => ResumeFeatures.AbandonedEarly(features, daysIdle, AbandonShare, AbandonDays);

    /// <summary>Whether a candidate stays in the row: its probability at least <see cref="Threshold"/> and not abandoned early.</summary>
    public bool Keeps(ReadOnlySpan<float> features, float probability, double daysIdle) => probability >= Threshold && !AbandonedEarly(features, daysIdle);
}

/// <summary>
/// The file of a <see cref="ResumeModel"/>: an 8-byte magic, a format version, the info as JSON, the feature names
/// (a file made for other features is refused), the threshold and the abandonment rule, the learner (0: logistic, with
/// its bias and per-feature means, scales and weights; 1: boosted trees, <see cref="ResumeTrees"/>), and an end marker. Written beside the target and moved over it, so a crash never leaves
/// half a model under the real name.
/// </summary>
public static class ResumeModelFile
{
    public const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "ENCORERM"u8;
    private const uint EndMarker = 0x444E4552; // "REND"
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static void Save(ResumeModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var temp = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                Save(model, stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void Save(ResumeModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(JsonSerializer.Serialize(model.Info, Json));
        writer.Write(ResumeFeatures.Count);
        foreach (var name in ResumeFeatures.Names) writer.Write(name);
        writer.Write(model.Threshold);
        writer.Write(model.AbandonShare);
        writer.Write(model.AbandonDays);
        if (model.Trees is { } trees)
        {
            writer.Write((byte)1);
            trees.Write(writer);
        }
        else
        {
            writer.Write((byte)0);
            writer.Write(model.Bias);
            for (int j = 0; j < ResumeFeatures.Count; j++)
            {
                writer.Write(model.Means[j]);
                writer.Write(model.Scales[j]);
                writer.Write(model.Weights[j]);
            }
        }
        writer.Write(EndMarker);
        writer.Flush();
    }

    /// <exception cref="InvalidDataException">Not a resume model, another format version or feature set, or damaged (the message names the file).</exception>
    public static ResumeModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = File.OpenRead(path);
        try { return Load(stream); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <exception cref="InvalidDataException">Not a resume model, another format version or feature set, or damaged.</exception>
    public static ResumeModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            Span<byte> magic = stackalloc byte[8];
            if (reader.Read(magic) != 8 || !magic.SequenceEqual(Magic))
                throw new InvalidDataException("not an Encore resume model (bad magic)");
            int version = reader.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidDataException($"resume model format version {version} is not supported (this build reads {FormatVersion}); train again");
            var info = JsonSerializer.Deserialize<ResumeModelInfo>(reader.ReadString(), Json) ?? throw new InvalidDataException("no model info");
            int count = reader.ReadInt32();
            if (count != ResumeFeatures.Count) throw new InvalidDataException($"the model has {count} features and this build computes {ResumeFeatures.Count}; train again");
            for (int j = 0; j < count; j++)
            {
                var name = reader.ReadString();
                if (name != ResumeFeatures.Names[j])
                    throw new InvalidDataException($"feature {j} of the model is '{name}' and this build computes '{ResumeFeatures.Names[j]}'; train again");
            }
            float threshold = reader.ReadSingle(), abandonShare = reader.ReadSingle(), abandonDays = reader.ReadSingle();
            byte learner = reader.ReadByte();
            if (learner == 1)
            {
                var trees = ResumeTrees.Read(reader);
                if (reader.ReadUInt32() != EndMarker) throw new InvalidDataException("no end marker after the trees: the file is damaged");
                try { return new ResumeModel(trees, threshold, info, abandonShare, abandonDays); }
                catch (ArgumentException e) { throw new InvalidDataException($"the file is damaged: {e.Message}", e); }
            }
            if (learner != 0) throw new InvalidDataException($"the file names learner {learner}, which this build does not know: the file is damaged");
            float bias = reader.ReadSingle();
            var means = new float[count];
            var scales = new float[count];
            var weights = new float[count];
            for (int j = 0; j < count; j++)
            {
                means[j] = reader.ReadSingle();
                scales[j] = reader.ReadSingle();
                weights[j] = reader.ReadSingle();
            }
            if (reader.ReadUInt32() != EndMarker) throw new InvalidDataException("no end marker after the weights: the file is damaged");
            try { return new ResumeModel(means, scales, weights, bias, threshold, info, abandonShare, abandonDays); }
            catch (ArgumentException e) { throw new InvalidDataException($"the file is damaged: {e.Message}", e); }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("the resume model is truncated", e);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the resume model's info is damaged: {e.Message}", e);
        }
    }
}
