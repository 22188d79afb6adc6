using Encore.Core;
using Encore.Models.ItemKnn;
using Encore.Models.Numerics;

namespace Encore.Models.Ease;

/// <summary>
/// EASE (Steck 2019): B = I - P diag(1/diag(P)) with P = (X^T X + lambda I)^{-1}, i.e. B_ij = -P_ij / P_jj and a
/// zero diagonal. The Gram matrix is built sparse, over the titles that have training interactions only, and
/// inverted in float by <see cref="SymmetricInverse"/> on all cores.
/// </summary>
public sealed class EaseTrainer(EaseOptions? options = null) : IRecommenderTrainer
{
    /// <summary>The model's name in the <see cref="ModelCatalog"/> (and in saved model files).</summary>
    public const string ModelName = "ease";

    /// <summary>The model's entry in the <see cref="ModelCatalog"/>: its name, description, options and loader.</summary>
    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.Create<EaseOptions>(
        ModelName, "EASE closed-form title-title model (lambda); max-titles bounds the dense solve for large catalogues",
        o => new EaseTrainer(o), EaseRecommender.Load);

    /// <summary>The options every fit uses.</summary>
    public EaseOptions Options { get; } = options ?? new EaseOptions();

    /// <inheritdoc />
    public string Name => ModelName;

    /// <inheritdoc />
    public IRecommender Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        data = data.WithoutNegatives(); // this model learns from positive evidence only
        var o = Options;
        o.Validate();
        var raw = new SparseMatrix(data.Rows, data.Columns, data.RowPointers, data.ColumnIndices, data.Values);
        var byTitle = raw.Transpose();
        var prior = ItemKnnTrainer.PopularityPrior(byTitle);

        // The dense solve covers titles with interactions, the most popular first when capped.
        var counts = new int[data.Columns];
        for (int t = 0; t < counts.Length; t++) counts[t] = byTitle.Pointers[t + 1] - byTitle.Pointers[t];
        var active = Enumerable.Range(0, data.Columns).Where(t => counts[t] > 0).ToArray();
        if (o.MaxTitles > 0 && active.Length > o.MaxTitles)
        {
            active = active.OrderByDescending(t => counts[t]).ThenBy(t => t).Take(o.MaxTitles).ToArray();
            Array.Sort(active);
        }
        int m = active.Length;
        var local = new int[data.Columns];
        Array.Fill(local, -1);
        for (int k = 0; k < m; k++) local[active[k]] = k;

        var weights = Gram(raw, byTitle, active, local, o.Binary, o.Lambda, ct, out int ld);
        SymmetricInverse.InvertLower(weights, m, ct: ct);
        SymmetricInverse.MirrorLower(weights, m);
        // B_ij = -P_ij / P_jj, diagonal 0; stored densely m x m (row i: what title i contributes to every j).
        var b = new float[(long)m * m];
        var invDiag = new float[m];
        for (int j = 0; j < m; j++) invDiag[j] = -1f / weights[(long)j * ld + j];
        Parallel.For(0, m, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var src = weights.AsSpan((int)((long)i * ld), m);
            var dst = b.AsSpan((int)((long)i * m), m);
            System.Numerics.Tensors.TensorPrimitives.Multiply(src, invDiag, dst);
            dst[i] = 0;
        });
        return new EaseRecommender(data.MemberIds, data.TitleIds, o, MemberHistory.From(data), raw, active, b, prior);
    }

    /// <summary>G = X^T X + lambda I over the active titles (lower triangle), padded for <see cref="SymmetricInverse"/>.</summary>
    private static float[] Gram(SparseMatrix raw, SparseMatrix byTitle, int[] active, int[] local, bool binary, float lambda, CancellationToken ct, out int ld)
    {
        int m = active.Length;
        int stride = SymmetricInverse.PaddedSize(m);
        var g = new float[(long)stride * stride];
        // Row li of G is owned by one task: for each member of title i, add the member's other titles j <= i.
        Parallel.For(0, m, new ParallelOptions { CancellationToken = ct }, li =>
        {
            int i = active[li];
            var row = g.AsSpan((int)((long)li * stride), li + 1);
            var members = byTitle.RowIndices(i);
            var wi = byTitle.RowValues(i);
            for (int a = 0; a < members.Length; a++)
            {
                int u = members[a];
                float x = binary ? 1f : wi[a];
                var js = raw.RowIndices(u);
                var wj = raw.RowValues(u);
                for (int c = 0; c < js.Length; c++)
                {
                    int lj = local[js[c]];
                    if ((uint)lj <= (uint)li) row[lj] += x * (binary ? 1f : wj[c]);
                }
            }
            row[li] += lambda;
        });
        ld = stride;
        return g;
    }
}
