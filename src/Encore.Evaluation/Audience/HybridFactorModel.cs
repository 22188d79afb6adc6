using Encore.Core;

namespace Encore.Evaluation.Audience;

/// <summary>The settings of <see cref="HybridFactorModel"/>.</summary>
public sealed record HybridOptions
{
    public int Factors { get; init; } = 32;
    public int Epochs { get; init; } = 20;
    /// <summary>AdaGrad's learning rate (LightFM's default is 0.05).</summary>
    public double LearningRate { get; init; } = 0.05;
    /// <summary>L2 penalty per update on the parameters touched.</summary>
    public double Regularization { get; init; } = 1e-4;
    public int Seed { get; init; } = 11;

    public override string ToString() => System.FormattableString.Invariant($"factors {Factors}, epochs {Epochs}, lr {LearningRate}, reg {Regularization}");
}

/// <summary>
/// A LightFM-style hybrid factor model, the baseline of the audience backtests: a title is the sum of its metadata
/// features' embeddings (and its bias the sum of their biases), a member an embedding of their own, the score their dot
/// product plus the title's bias; trained by BPR (a positive against a title sampled from those the member did not begin)
/// with AdaGrad, as LightFM's <c>bpr</c> loss is. Titles carry no identity feature, so a title never seen in training is
/// represented exactly as a training title with the same metadata is.
/// </summary>
internal sealed class HybridFactorModel
{
    private readonly int _d;
    private readonly float[] _members, _features, _bias;

    private HybridFactorModel(int d, float[] members, float[] features, float[] bias)
    {
        _d = d;
        _members = members;
        _features = features;
        _bias = bias;
    }

    /// <summary>Fits on <paramref name="started"/> (member x title; every stored entry a positive) with each title's features.</summary>
    /// <param name="trainTitles">The titles negatives are drawn from (those with metadata in training).</param>
    public static HybridFactorModel Fit(InteractionMatrix started, IReadOnlyList<(int[] Indices, float[] Values)> titleFeatures, int features,
        IReadOnlyList<int> trainTitles, HybridOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(started);
        ArgumentNullException.ThrowIfNull(titleFeatures);
        ArgumentNullException.ThrowIfNull(options);
        int d = options.Factors;
        var rng = new Random(options.Seed);
        var p = new float[started.Rows * d];
        var e = new float[features * d];
        var b = new float[features];
        float scale = 1f / d;
        for (int i = 0; i < p.Length; i++) p[i] = (float)((rng.NextDouble() - 0.5) * scale);
        for (int i = 0; i < e.Length; i++) e[i] = (float)((rng.NextDouble() - 0.5) * scale);
        var gp = new float[p.Length];
        var ge = new float[e.Length];
        var gb = new float[b.Length];
        Array.Fill(gp, 1f); Array.Fill(ge, 1f); Array.Fill(gb, 1f);
        var positives = new (int Member, int Title)[started.NonZeros];
        int n = 0;
        for (int m = 0; m < started.Rows; m++)
            foreach (int t in started.RowColumns(m)) positives[n++] = (m, t);
        var qi = new float[d];
        var qj = new float[d];
        var pu = new float[d];
        float lr = (float)options.LearningRate, reg = (float)options.Regularization;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            rng.Shuffle(positives);
            foreach (var (u, i) in positives)
            {
                var row = started.RowColumns(u);
                int j = -1;
                for (int tries = 0; tries < 10; tries++)
                {
                    int c = trainTitles[rng.Next(trainTitles.Count)];
                    if (row.BinarySearch(c) < 0) { j = c; break; }
                }
                if (j < 0) continue;
                var (fi, vi) = titleFeatures[i];
                var (fj, vj) = titleFeatures[j];
                Represent(e, d, fi, vi, qi);
                Represent(e, d, fj, vj, qj);
                var uvec = p.AsSpan(u * d, d);
                uvec.CopyTo(pu);
                float x = 0;
                for (int c = 0; c < d; c++) x += pu[c] * (qi[c] - qj[c]);
                for (int a = 0; a < fi.Length; a++) x += vi[a] * b[fi[a]];
                for (int a = 0; a < fj.Length; a++) x -= vj[a] * b[fj[a]];
                float g = 1f / (1f + MathF.Exp(x)); // d ln σ(x) / dx
                for (int c = 0; c < d; c++)
                {
                    float grad = g * (qi[c] - qj[c]) - reg * pu[c];
                    gp[u * d + c] += grad * grad;
                    uvec[c] += lr * grad / MathF.Sqrt(gp[u * d + c]);
                }
                Step(e, ge, b, gb, d, fi, vi, pu, g, lr, reg);
                Step(e, ge, b, gb, d, fj, vj, pu, -g, lr, reg);
            }
        }
        return new HybridFactorModel(d, p, e, b);
    }

    private static void Represent(float[] e, int d, int[] f, float[] v, float[] q)
    {
        Array.Clear(q);
        for (int a = 0; a < f.Length; a++)
        {
            var row = e.AsSpan(f[a] * d, d);
            for (int c = 0; c < d; c++) q[c] += v[a] * row[c];
        }
    }

    private static void Step(float[] e, float[] ge, float[] b, float[] gb, int d, int[] f, float[] v, float[] pu, float g, float lr, float reg)
    {
        for (int a = 0; a < f.Length; a++)
        {
            int off = f[a] * d;
            for (int c = 0; c < d; c++)
            {
                float grad = g * v[a] * pu[c] - reg * e[off + c];
                ge[off + c] += grad * grad;
                e[off + c] += lr * grad / MathF.Sqrt(ge[off + c]);
            }
            float gbias = g * v[a] - reg * b[f[a]];
            gb[f[a]] += gbias * gbias;
            b[f[a]] += lr * gbias / MathF.Sqrt(gb[f[a]]);
        }
    }

    /// <summary>Every member's score for a title with these features.</summary>
    public void Score(int[] indices, float[] values, Span<float> scores)
    {
        var q = new float[_d];
        Represent(_features, _d, indices, values, q);
        float bias = 0;
        for (int a = 0; a < indices.Length; a++) bias += values[a] * _bias[indices[a]];
        int members = _members.Length / _d;
        for (int m = 0; m < members; m++)
            scores[m] = System.Numerics.Tensors.TensorPrimitives.Dot(_members.AsSpan(m * _d, _d), q) + bias;
    }
}
