using System.Numerics.Tensors;
using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// SVD++ (Koren, KDD 2008): <c>r ≈ μ + b_u + b_i + q_i · (p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j)</c>, where N(u) is
/// the set of titles the member rated in the training data (never the test pairs). Fitted by SGD member by
/// member: the implicit sum is computed once per member and the y_j step is taken once per member from the
/// accumulated gradient (as MyMediaLite and LibRec do), which keeps an epoch O(ratings x factors). The
/// fitted implicit term is folded into each member's vector, so the model is a <see cref="FactorRatingModel"/>.
/// Single-threaded with seeded shuffles, for the reason given on <see cref="BiasedMfTrainer"/>.
/// </summary>
internal sealed class SvdPlusPlusTrainer(SvdPlusPlusOptions? options = null) : IRatingTrainer
{
    public const string ModelName = "svdpp";

    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.CreateRating<SvdPlusPlusOptions>(
        ModelName, "SVD++ by SGD, implicit feedback from the titles each member rated in training", o => new SvdPlusPlusTrainer(o),
        r => FactorRatingModel.Load(r, ModelName));

    public SvdPlusPlusOptions Options { get; } = options ?? new SvdPlusPlusOptions();
    public string Name => ModelName;

    public IRatingPredictor Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        Options.Validate();
        var d = new RatingTrainingData(data);
        var o = Options;
        int k = o.Factors;
        var random = SeededRandom.For(o.Seed, 0);
        var p = BiasedMfTrainer.Gaussian(ref random, d.Members * k, o.InitStd);
        var q = BiasedMfTrainer.Gaussian(ref random, d.Titles * k, o.InitStd);
        var y = BiasedMfTrainer.Gaussian(ref random, d.Titles * k, o.InitStd);
        var bu = new float[d.Members];
        var bi = new float[d.Titles];
        var memberOrder = new int[d.Members];
        for (int u = 0; u < memberOrder.Length; u++) memberOrder[u] = u;
        int longest = 0;
        for (int u = 0; u < d.Members; u++) longest = Math.Max(longest, d.MemberPointers[u + 1] - d.MemberPointers[u]);
        var ratingOrder = new int[longest];
        var implicitSum = new float[k];
        var combined = new float[k];
        var gradient = new float[k];
        float lr = o.LearningRate;
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            random.Shuffle(memberOrder);
            float shrink = 1 - lr * o.Regularization;
            foreach (int u in memberOrder)
            {
                int start = d.MemberPointers[u], count = d.MemberPointers[u + 1] - start;
                if (count == 0) continue;
                float norm = 1 / MathF.Sqrt(count);
                ImplicitSum(d, y, k, u, norm, implicitSum);
                gradient.AsSpan().Clear();
                var order = ratingOrder.AsSpan(0, count);
                for (int n = 0; n < count; n++) order[n] = start + n;
                random.Shuffle(order);
                var pu = p.AsSpan(u * k, k);
                foreach (int n in order)
                {
                    int i = d.MemberTitles[n];
                    var qi = q.AsSpan(i * k, k);
                    TensorPrimitives.Add(pu, implicitSum, combined);
                    float e = d.MemberRatings[n] - (d.Mean + bu[u] + bi[i] + TensorPrimitives.Dot(combined, qi));
                    bu[u] += lr * (e - o.BiasRegularization * bu[u]);
                    bi[i] += lr * (e - o.BiasRegularization * bi[i]);
                    TensorPrimitives.MultiplyAdd(qi, e, gradient, gradient);
                    TensorPrimitives.Multiply(pu, shrink, pu);
                    TensorPrimitives.MultiplyAdd(qi, lr * e, pu, pu);
                    TensorPrimitives.Multiply(qi, shrink, qi);
                    TensorPrimitives.MultiplyAdd(combined, lr * e, qi, qi);
                }
                // One step for every y_j of N(u) along the gradient accumulated over the member's ratings.
                TensorPrimitives.Multiply(gradient, lr * norm, gradient);
                for (int n = start; n < start + count; n++)
                {
                    var yj = y.AsSpan(d.MemberTitles[n] * k, k);
                    TensorPrimitives.Multiply(yj, shrink, yj);
                    TensorPrimitives.Add(yj, gradient, yj);
                }
            }
            lr *= o.LearningRateDecay;
        }
        // Fold the implicit term into p_u: the training history N(u) is fixed once fitted.
        for (int u = 0; u < d.Members; u++)
        {
            int count = d.MemberPointers[u + 1] - d.MemberPointers[u];
            if (count == 0) continue;
            ImplicitSum(d, y, k, u, 1 / MathF.Sqrt(count), implicitSum);
            var pu = p.AsSpan(u * k, k);
            TensorPrimitives.Add(pu, implicitSum, pu);
        }
        return new FactorRatingModel(Name, data.MemberIds, data.TitleIds, d.Mean, bu, bi, k, p, q, d.MinRating, d.MaxRating);
    }

    private static void ImplicitSum(RatingTrainingData d, float[] y, int k, int member, float norm, Span<float> sum)
    {
        sum.Clear();
        for (int n = d.MemberPointers[member]; n < d.MemberPointers[member + 1]; n++)
            TensorPrimitives.Add(sum, new ReadOnlySpan<float>(y, d.MemberTitles[n] * k, k), sum);
        TensorPrimitives.Multiply(sum, norm, sum);
    }
}
