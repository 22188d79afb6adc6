using System.Numerics.Tensors;
using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// Biased matrix factorization fitted by stochastic gradient descent (Funk; Koren, Bell and Volinsky 2009):
/// <c>r ≈ μ + b_u + b_i + p_u · q_i</c>. One thread, in a seeded shuffle per epoch: the updates are
/// sequential by nature, and a lock-free parallel pass (Hogwild) would make the result depend on timing;
/// on MovieLens 100K an epoch takes milliseconds.
/// </summary>
internal sealed class BiasedMfTrainer(BiasedMfOptions? options = null) : IRatingTrainer
{
    public const string ModelName = "mf";

    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.CreateRating<BiasedMfOptions>(
        ModelName, "biased matrix factorization by SGD", o => new BiasedMfTrainer(o), r => FactorRatingModel.Load(r, ModelName));

    public BiasedMfOptions Options { get; } = options ?? new BiasedMfOptions();
    public string Name => ModelName;

    public IRatingPredictor Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        Options.Validate();
        var d = new RatingTrainingData(data);
        var o = Options;
        int k = o.Factors;
        var random = SeededRandom.For(o.Seed, 0);
        var p = Gaussian(ref random, d.Members * k, o.InitStd);
        var q = Gaussian(ref random, d.Titles * k, o.InitStd);
        var bu = new float[d.Members];
        var bi = new float[d.Titles];
        var (rows, cols, ratings) = Triplets(d);
        var order = new int[rows.Length];
        for (int n = 0; n < order.Length; n++) order[n] = n;
        var previous = new float[k];
        float lr = o.LearningRate;
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            random.Shuffle(order);
            float shrink = 1 - lr * o.Regularization;
            foreach (int n in order)
            {
                int u = rows[n], i = cols[n];
                var pu = p.AsSpan(u * k, k);
                var qi = q.AsSpan(i * k, k);
                float e = ratings[n] - (d.Mean + bu[u] + bi[i] + TensorPrimitives.Dot(pu, qi));
                bu[u] += lr * (e - o.BiasRegularization * bu[u]);
                bi[i] += lr * (e - o.BiasRegularization * bi[i]);
                pu.CopyTo(previous);
                // p ← p(1 − ηλ) + ηe q ;  q ← q(1 − ηλ) + ηe p_old
                TensorPrimitives.Multiply(pu, shrink, pu);
                TensorPrimitives.MultiplyAdd(qi, lr * e, pu, pu);
                TensorPrimitives.Multiply(qi, shrink, qi);
                TensorPrimitives.MultiplyAdd(previous, lr * e, qi, qi);
            }
            lr *= o.LearningRateDecay;
        }
        return new FactorRatingModel(Name, data.MemberIds, data.TitleIds, d.Mean, bu, bi, k, p, q, d.MinRating, d.MaxRating);
    }

    internal static float[] Gaussian(ref SeededRandom random, int count, float std)
    {
        var values = new float[count];
        for (int n = 0; n < count; n++) values[n] = (float)(std * random.NextGaussian());
        return values;
    }

    internal static (int[] Rows, int[] Cols, float[] Ratings) Triplets(RatingTrainingData d)
    {
        var rows = new int[d.Count];
        for (int u = 0; u < d.Members; u++)
            for (int n = d.MemberPointers[u]; n < d.MemberPointers[u + 1]; n++) rows[n] = u;
        return (rows, d.MemberTitles, d.MemberRatings);
    }
}
