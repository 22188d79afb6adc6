using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// Title-based k-nearest-neighbours on baseline residuals (Koren, TKDD 2010 §2.2; Surprise's KNNBaseline
/// with pearson_baseline similarity): <c>r̂(u, i) = b_ui + Σ_j s_ij (r_uj − b_uj) / Σ_j s_ij</c> over the
/// <c>k</c> titles j the member rated that are most similar to i, counting positive similarities only.
/// Its errors differ from the factor models' (local versus global structure), which is what a blend needs.
/// Similarity rows are computed in parallel, one title per task, so the result does not depend on threads.
/// </summary>
internal sealed class KnnBaselineTrainer(KnnBaselineOptions? options = null) : IRatingTrainer
{
    public const string ModelName = "knn";

    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.CreateRating<KnnBaselineOptions>(
        ModelName, "title-based kNN on baseline residuals, pearson-baseline similarity", o => new KnnBaselineTrainer(o),
        r => KnnRatingModel.Load(r, ModelName));

    public KnnBaselineOptions Options { get; } = options ?? new KnnBaselineOptions();
    public string Name => ModelName;

    public IRatingPredictor Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        Options.Validate();
        var d = new RatingTrainingData(data);
        var o = Options;
        if (d.Titles > KnnBaselineOptions.MaxTitles)
            throw new ArgumentException($"knn keeps a dense title-title similarity matrix and allows at most {KnnBaselineOptions.MaxTitles} titles; this matrix has {d.Titles}");
        ct.ThrowIfCancellationRequested();
        var (memberBias, titleBias) = BaselineTrainer.FitBiases(d, new BaselineOptions { UserDamping = o.UserDamping, TitleDamping = o.TitleDamping, Iterations = o.BaselineIterations }, ct);
        // Residuals r − b_ui in member-major order (the predictor keeps them) and title-major order.
        var residual = new float[d.Count];
        for (int u = 0; u < d.Members; u++)
            for (int n = d.MemberPointers[u]; n < d.MemberPointers[u + 1]; n++)
                residual[n] = d.MemberRatings[n] - d.Mean - memberBias[u] - titleBias[d.MemberTitles[n]];
        var titleResidual = new float[d.Count];
        for (int i = 0; i < d.Titles; i++)
            for (int n = d.TitlePointers[i]; n < d.TitlePointers[i + 1]; n++)
                titleResidual[n] = d.TitleRatings[n] - d.Mean - memberBias[d.TitleMembers[n]] - titleBias[i];
        int titles = d.Titles;
        var similarity = new float[(long)titles * titles];
        var parallel = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = o.Threads > 0 ? o.Threads : Environment.ProcessorCount };
        Parallel.For(0, titles, parallel,
            () => (Xy: new double[titles], Xx: new double[titles], Yy: new double[titles], Count: new int[titles]),
            (i, _, acc) =>
            {
                Array.Clear(acc.Xy);
                Array.Clear(acc.Xx);
                Array.Clear(acc.Yy);
                Array.Clear(acc.Count);
                for (int n = d.TitlePointers[i]; n < d.TitlePointers[i + 1]; n++)
                {
                    int u = d.TitleMembers[n];
                    double x = titleResidual[n];
                    for (int m = d.MemberPointers[u]; m < d.MemberPointers[u + 1]; m++)
                    {
                        int j = d.MemberTitles[m];
                        double y = residual[m];
                        acc.Xy[j] += x * y;
                        acc.Xx[j] += x * x;
                        acc.Yy[j] += y * y;
                        acc.Count[j]++;
                    }
                }
                var row = similarity.AsSpan((int)((long)i * titles), titles);
                for (int j = 0; j < titles; j++)
                {
                    int common = acc.Count[j];
                    double denominator = Math.Sqrt(acc.Xx[j] * acc.Yy[j]);
                    if (j == i || common < 2 || denominator <= 0) { row[j] = 0; continue; }
                    row[j] = (float)(acc.Xy[j] / denominator * (common - 1) / (common - 1 + o.Shrinkage));
                }
                return acc;
            },
            _ => { });
        ct.ThrowIfCancellationRequested();
        return new KnnRatingModel(Name, data.MemberIds, data.TitleIds, d.Mean, memberBias, titleBias,
            (int[])d.MemberPointers.Clone(), (int[])d.MemberTitles.Clone(), residual, similarity, o.Neighbours, d.MinRating, d.MaxRating);
    }
}
