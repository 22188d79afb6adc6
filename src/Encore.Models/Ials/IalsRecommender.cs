using Encore.Core;
using Encore.Models.Numerics;

namespace Encore.Models.Ials;

/// <summary>The fitted iALS model: member and title factors; new histories are folded in by an exact solve.</summary>
public sealed unsafe class IalsRecommender : IRecommender, IMemberHistory
{
    private const int Version = 1;
    private readonly int _kp;
    private readonly float[] _members;
    private readonly float[] _titles;
    private readonly float[] _unitTitles;
    private readonly float[] _gram;
    private readonly MemberHistory _history;
    private readonly float[] _prior;

    internal IalsRecommender(IdMap members, IdMap titles, IalsOptions options, int kp, float[] memberFactors, float[] titleFactors, MemberHistory history, float[] prior)
    {
        MemberIds = members;
        TitleIds = titles;
        Options = options;
        _kp = kp;
        _members = memberFactors;
        _titles = titleFactors;
        _history = history;
        _prior = prior;
        _gram = FactorKernels.Gramian(titleFactors, titles.Count, kp, options.A0);
        _unitTitles = new float[titleFactors.Length];
        for (int t = 0; t < titles.Count; t++)
        {
            var src = titleFactors.AsSpan(t * kp, kp);
            float norm = System.Numerics.Tensors.TensorPrimitives.Norm(src);
            if (norm > 0) System.Numerics.Tensors.TensorPrimitives.Divide(src, norm, _unitTitles.AsSpan(t * kp, kp));
        }
    }

    public string Name => IalsTrainer.ModelName;
    public IdMap MemberIds { get; }
    public IdMap TitleIds { get; }
    public IalsOptions Options { get; }

    /// <summary>A member's factor vector (padded to a multiple of 16).</summary>
    public ReadOnlySpan<float> MemberFactors(int member) => _members.AsSpan(member * _kp, _kp);

    /// <summary>A title's factor vector (padded to a multiple of 16).</summary>
    public ReadOnlySpan<float> TitleFactors(int title) => _titles.AsSpan(title * _kp, _kp);

    public ReadOnlySpan<int> TrainingTitles(int member) => _history.TrainingTitles(member);

    public void ScoreMember(int member, Span<float> scores)
    {
        if ((uint)member >= (uint)MemberIds.Count) throw new ArgumentOutOfRangeException(nameof(member), member, "member index is not in the model");
        CheckLength(scores);
        fixed (float* x = &_members[member * _kp]) Score(x, _titles, scores);
    }

    /// <summary>Fold-in: the exact least-squares member vector for the history against the fixed title factors.</summary>
    public void ScoreHistory(ReadOnlySpan<int> titles, ReadOnlySpan<float> weights, Span<float> scores)
    {
        CheckLength(scores);
        int k = Options.Factors;
        var a = new double[k * k];
        var b = new double[k];
        int count = 0;
        float a0 = Options.A0;
        for (int t = 0; t < titles.Length; t++)
        {
            int title = titles[t];
            if ((uint)title >= (uint)TitleIds.Count) continue;
            count++;
            double w = weights.IsEmpty ? 1f : weights[t];
            double c = 1.0 + Options.Alpha * Math.Abs(w);
            double preference = w >= 0 ? 1 : 0; // a negative weight is negative evidence, as in training
            var y = TitleFactors(title);
            for (int i = 0; i < k; i++)
            {
                b[i] += preference * c * y[i];
                double di = (c - a0) * y[i];
                for (int j = 0; j <= i; j++) a[i * k + j] += di * y[j];
            }
        }
        if (count == 0)
        {
            _prior.CopyTo(scores);
            return;
        }
        float lambda = IalsSolver.Lambda(Options, count, TitleIds.Count);
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j <= i; j++) a[i * k + j] += _gram[i * _kp + j];
            a[i * k + i] += lambda;
        }
        DenseCholesky.Factor(a, k);
        DenseCholesky.Solve(a, k, b);
        var x = new float[_kp];
        for (int i = 0; i < k; i++) x[i] = (float)b[i];
        fixed (float* px = x) Score(px, _titles, scores);
    }

    /// <summary>Cosine of the title factors.</summary>
    public void SimilarTitles(int title, Span<float> scores)
    {
        if ((uint)title >= (uint)TitleIds.Count) throw new ArgumentOutOfRangeException(nameof(title), title, "title index is not in the model");
        CheckLength(scores);
        fixed (float* q = &_unitTitles[title * _kp]) Score(q, _unitTitles, scores);
    }

    /// <summary>The training loss of <see cref="IalsOptions"/> on <paramref name="data"/> (for tests and diagnostics).</summary>
    public double Loss(InteractionMatrix data)
    {
        int kp = _kp;
        float a0 = Options.A0;
        double observed = 0, penalty = 0;
        var memberCounts = new int[data.Rows];
        var titleCounts = data.ColumnCounts();
        fixed (float* px = _members, py = _titles)
        {
            for (int m = 0; m < data.Rows; m++)
            {
                var cols = data.RowColumns(m);
                var vals = data.RowValues(m);
                memberCounts[m] = cols.Length;
                for (int e = 0; e < cols.Length; e++)
                {
                    double s = FactorKernels.Dot(px + (long)m * kp, py + (long)cols[e] * kp, kp);
                    double c = 1.0 + Options.Alpha * vals[e];
                    observed += c * (s - 1) * (s - 1) - a0 * s * s; // the all-pairs term below counts s^2 once more
                }
            }
        }
        // a0 * sum over all pairs of s^2 = a0 * trace((X^T X)(Y^T Y)).
        var gx = FactorKernels.Gramian(_members, data.Rows, kp, 1f);
        var gy = FactorKernels.Gramian(_titles, data.Columns, kp, 1f);
        double all = 0;
        for (int i = 0; i < kp * kp; i++) all += (double)gx[i] * gy[i];
        for (int m = 0; m < data.Rows; m++)
            penalty += IalsSolver.Lambda(Options, memberCounts[m], data.Columns) * System.Numerics.Tensors.TensorPrimitives.Dot(MemberFactors(m), MemberFactors(m));
        for (int t = 0; t < data.Columns; t++)
            penalty += IalsSolver.Lambda(Options, titleCounts[t], data.Rows) * System.Numerics.Tensors.TensorPrimitives.Dot(TitleFactors(t), TitleFactors(t));
        return observed + a0 * all + penalty;
    }

    private void Score(float* x, float[] factors, Span<float> scores)
    {
        int kp = _kp;
        fixed (float* py = factors)
        {
            for (int t = 0; t < scores.Length; t++) scores[t] = FactorKernels.Dot(x, py + (long)t * kp, kp) + _prior[t];
        }
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
        var o = Options;
        writer.Write(o.Factors); writer.Write(o.Iterations); writer.Write(o.Regularization); writer.Write(o.Alpha);
        writer.Write(o.A0); writer.Write(o.RegularizationExponent); writer.Write(o.CgSteps);
        writer.Write(o.InitScale); writer.Write(o.Seed); writer.Write(o.UseRatings);
        writer.Write(_kp);
        ModelIo.WriteArray<float>(writer, _members);
        ModelIo.WriteArray<float>(writer, _titles);
        _history.Save(writer);
        ModelIo.WriteArray<float>(writer, _prior);
    }

    public static IalsRecommender Load(BinaryReader reader)
    {
        PayloadVersion.Check(reader, IalsTrainer.ModelName, Version);
        var members = ModelIo.ReadIds(reader);
        var titles = ModelIo.ReadIds(reader);
        var o = new IalsOptions
        {
            Factors = reader.ReadInt32(), Iterations = reader.ReadInt32(), Regularization = reader.ReadSingle(), Alpha = reader.ReadSingle(),
            UnobservedWeight = reader.ReadSingle(), RegularizationExponent = reader.ReadSingle(), CgSteps = reader.ReadInt32(),
            InitScale = reader.ReadSingle(), Seed = reader.ReadInt32(), UseRatings = reader.ReadBoolean(),
        };
        try { o.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException("model file: " + e.Message, e); }
        int kp = reader.ReadInt32();
        if (kp != FactorKernels.Stride(o.Factors)) throw new InvalidDataException($"model file: factor stride {kp} does not match {o.Factors} factors");
        var x = ModelIo.ReadArray<float>(reader);
        var y = ModelIo.ReadArray<float>(reader);
        ModelIo.ExpectLength(x, (long)members.Count * kp, "member factors");
        ModelIo.ExpectLength(y, (long)titles.Count * kp, "title factors");
        var history = MemberHistory.Load(reader, members.Count);
        var prior = ModelIo.ReadArray<float>(reader);
        ModelIo.ExpectLength(prior, titles.Count, "popularity prior");
        return new IalsRecommender(members, titles, o, kp, x, y, history, prior);
    }
}
