using System.Diagnostics;
using Encore.Core;
using Encore.Models.ItemKnn;
using Encore.Models.Numerics;

namespace Encore.Models.Ials;

/// <summary>
/// Implicit alternating least squares with conjugate-gradient row solves (see <see cref="IalsOptions"/> for the
/// loss): each iteration re-solves all members against the titles, then all titles against the members, in
/// parallel over rows.
/// </summary>
public sealed class IalsTrainer(IalsOptions? options = null) : IRecommenderTrainer
{
    public const string ModelName = "ials";

    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.Create<IalsOptions>(
        ModelName, "implicit ALS with conjugate gradient, unobserved weight and frequency-scaled regularization",
        o => new IalsTrainer(o), IalsRecommender.Load);

    public IalsOptions Options { get; } = options ?? new IalsOptions();

    public string Name => ModelName;

    /// <summary>Called after each iteration with its number (from 1) and its wall seconds (for benchmarks and progress).</summary>
    public Action<int, double>? IterationCompleted { get; init; }

    public IRecommender Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = Options;
        o.Validate();
        var raw = WeightedRows(data, o);
        o = Resolve(raw, o);
        var (x, y, kp) = Train(raw, o, IterationCompleted, ct);
        return Recommender(data, raw, o, kp, x, y);
    }

    /// <summary>
    /// The member x title matrix iALS fits: each interaction's explicit rating as its weight where
    /// <see cref="IalsOptions.UseRatings"/> asks for it and the data has one (NaN: none), else the interaction's weight.
    /// </summary>
    internal static SparseMatrix WeightedRows(InteractionMatrix data, IalsOptions o)
    {
        var weights = o.UseRatings && data.Ratings is not null ? RatingWeights(data.Ratings, data.Values) : data.Values;
        return new SparseMatrix(data.Rows, data.Columns, data.RowPointers, data.ColumnIndices, weights);
    }

    /// <summary>The recommender over factors fitted (by any trainer) to <paramref name="raw"/> = <see cref="WeightedRows"/> of <paramref name="data"/>.</summary>
    internal static IalsRecommender Recommender(InteractionMatrix data, SparseMatrix raw, IalsOptions resolved, int kp, float[] x, float[] y)
        => new(data.MemberIds, data.TitleIds, resolved, kp, x, y, MemberHistory.From(data), ItemKnnTrainer.PopularityPrior(TitleCounts(raw)));

    /// <summary>
    /// <paramref name="o"/> with its unobserved weight resolved against <paramref name="memberRows"/> (the weights as the
    /// confidences read them): <see cref="IalsOptions.UnobservedWeight"/> where given, else
    /// <see cref="IalsOptions.UnobservedRatio"/> x the observed confidence (sum of 1 + alpha |w|) / (members x titles).
    /// </summary>
    public static IalsOptions Resolve(SparseMatrix memberRows, IalsOptions o)
    {
        ArgumentNullException.ThrowIfNull(memberRows);
        ArgumentNullException.ThrowIfNull(o);
        if (o.UnobservedWeight is not null) return o;
        double confidence = 0;
        var values = memberRows.Values;
        for (int e = 0; e < memberRows.NonZeros; e++) confidence += 1.0 + o.Alpha * Math.Abs((double)values[e]);
        return o.Resolve(memberRows.Rows, memberRows.Columns, confidence);
    }

    /// <summary>
    /// The factor matrices (rows padded to <c>kp</c> floats) for a member x title matrix (the unobserved weight resolved
    /// as <see cref="Resolve"/> does).
    /// </summary>
    public static (float[] Members, float[] Titles, int Stride) Train(SparseMatrix memberRows, IalsOptions o, Action<int, double>? iterationCompleted = null, CancellationToken ct = default)
        => TrainFactors(memberRows, o, iterationCompleted, EigenbasisPays(memberRows.Rows, memberRows.Columns, FactorKernels.Stride(o.Factors), o.CgSteps), ct);

    /// <summary>
    /// Whether the member half is cheaper in the eigenbasis of the title Gramian. Per member it saves the dense kp^2
    /// product of each CG step (a row's CG needs 1 + <paramref name="cgSteps"/> of them; in the eigenbasis, one, to turn
    /// its warm start); it costs one per title and the decomposition (counted as 64 kp products; measured 0.8 ms at 64
    /// factors, 6 ms at 128). Past 128 factors the decomposition's own cost grows faster (0.3 s and more at 256), so the
    /// plain basis is kept there.
    /// </summary>
    internal static bool EigenbasisPays(int members, int titles, int kp, int cgSteps)
        => kp <= 128 && (long)cgSteps * members > titles + 64L * kp;

    /// <summary>
    /// What a member half-iteration solves against, from the title factors <paramref name="y"/> as they stand: G = a0 Y^T Y;
    /// or, with <paramref name="eigenbasis"/>, G's eigenvalues and its eigenbasis V, with Y turned into that basis in
    /// place (Y V), for <see cref="IalsSolver.SolveAllFromCompact"/> to turn each member's row into it as it is solved.
    /// Scores (x . y) do not change with the basis; the factors then come out in the last iteration's.
    /// </summary>
    internal static (float[] Gram, float[]? Basis) MemberHalfTerms(float[] y, int titles, int kp, IalsOptions o, bool eigenbasis, CancellationToken ct)
    {
        var gy = FactorKernels.Gramian(y, titles, kp, o.A0, ct);
        // A Gramian that is not finite (a fit that diverged) or that the sweeps do not diagonalize is solved as it is.
        if (!eigenbasis || !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(gy)) return (gy, null);
        var (eigenvalues, basis, converged) = SymmetricEigen.Decompose(gy, o.Factors, kp);
        if (!converged) return (gy, null);
        FactorKernels.TransformRows(y, titles, basis, kp, ct);
        return (eigenvalues, basis);
    }

    /// <summary><see cref="Train"/>, the member half in the title Gramian's eigenbasis or not.</summary>
    internal static (float[] Members, float[] Titles, int Stride) TrainFactors(SparseMatrix memberRows, IalsOptions o, Action<int, double>? iterationCompleted, bool eigenbasis, CancellationToken ct)
    {
        o = Resolve(memberRows, o);
        var (x, y, kp) = StartingFactors(memberRows.Rows, memberRows.Columns, o);
        var titleRows = memberRows.Transpose();
        // Each half-iteration gathers the other side from a compact (bfloat16) copy, rounded once per half-iteration.
        using var compactTitles = new CompactFactors();
        using var compactMembers = new CompactFactors();
        for (int it = 1; it <= o.Iterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            var sw = Stopwatch.StartNew();
            var (gram, basis) = MemberHalfTerms(y, memberRows.Columns, kp, o, eigenbasis, ct);
            IalsSolver.SolveAllFromCompact(memberRows, x, compactTitles.From(y, memberRows.Columns, kp, ct), gram, kp, o, memberRows.Columns, ct, basis);
            var gx = FactorKernels.Gramian(x, memberRows.Rows, kp, o.A0, ct);
            IalsSolver.SolveAllFromCompact(titleRows, y, compactMembers.From(x, memberRows.Rows, kp, ct), gx, kp, o, memberRows.Rows, ct);
            iterationCompleted?.Invoke(it, sw.Elapsed.TotalSeconds);
        }
        return (x, y, kp);
    }

    /// <summary>
    /// The factors <see cref="Train"/> starts from (rows padded to <c>kp</c> floats): normal draws of standard deviation
    /// InitScale / sqrt(factors) from <see cref="IalsOptions.Seed"/>, every member's row, then every title's.
    /// </summary>
    internal static (float[] Members, float[] Titles, int Stride) StartingFactors(int members, int titles, IalsOptions o)
    {
        int kp = FactorKernels.Stride(o.Factors);
        var x = new float[(long)members * kp];
        var y = new float[(long)titles * kp];
        var rng = new Random(o.Seed);
        float std = o.InitScale / MathF.Sqrt(o.Factors);
        Initialize(x, members, kp, o.Factors, std, rng);
        Initialize(y, titles, kp, o.Factors, std, rng);
        return (x, y, kp);
    }

    private static void Initialize(float[] f, int rows, int kp, int k, float std, Random rng)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < k; c++)
            {
                // Box-Muller from the seeded generator: the same seed gives the same factors on every machine.
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                f[(long)r * kp + c] = (float)(std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
    }

    // A missing rating (NaN) keeps the interaction's own weight.
    private static float[] RatingWeights(float[] ratings, float[] values)
    {
        var w = new float[ratings.Length];
        for (int i = 0; i < w.Length; i++) w[i] = float.IsNaN(ratings[i]) ? values[i] : ratings[i];
        return w;
    }

    private static SparseMatrix TitleCounts(SparseMatrix raw)
    {
        // Only the row lengths of the transpose are needed for the popularity prior.
        var pointers = new int[raw.Columns + 1];
        foreach (var c in raw.Indices) pointers[c + 1]++;
        for (int c = 0; c < raw.Columns; c++) pointers[c + 1] += pointers[c];
        return new SparseMatrix(raw.Columns, 0, pointers, new int[raw.NonZeros], new float[raw.NonZeros]);
    }
}
