using Encore.Core;
using Encore.Models.Numerics;

namespace Encore.Models.ItemKnn;

/// <summary>
/// Item-kNN: title-title similarities from the (weighted) member vectors of the titles, keeping the top-K
/// neighbours of each title in a sparse (CSR) matrix; a member's score for a title is the sum, over the
/// member's titles, of the member's weight times the similarity. Sparse throughout, so it scales to large
/// catalogues: the cost is the sum over members of their history length squared, not titles squared.
/// </summary>
internal sealed class ItemKnnTrainer(ItemKnnOptions? options = null) : IRecommenderTrainer
{
    public const string ModelName = "itemknn";

    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.Create<ItemKnnOptions>(
        ModelName, "item-item nearest neighbours: cosine with shrinkage, BM25 or TF-IDF weighting, top-K sparse",
        o => new ItemKnnTrainer(o), ItemKnnRecommender.Load);

    public ItemKnnOptions Options { get; } = options ?? new ItemKnnOptions();

    public string Name => ModelName;

    public IRecommender Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        data = data.WithoutNegatives(); // this model learns from positive evidence only
        var o = Options;
        o.Validate();
        int titles = data.Columns;
        var raw = new SparseMatrix(data.Rows, titles, data.RowPointers, data.ColumnIndices, data.Values);
        var byTitle = raw.Transpose();
        var weightedByTitle = Weight(byTitle, o);
        var weightedByMember = weightedByTitle.Transpose();
        ct.ThrowIfCancellationRequested();

        bool normalized = o.Weighting != ItemKnnWeighting.Bm25;
        var norms = new float[titles];
        for (int t = 0; t < titles; t++)
        {
            double sum = 0;
            foreach (var v in weightedByTitle.RowValues(t)) sum += (double)v * v;
            norms[t] = (float)Math.Sqrt(sum);
        }

        int k = Math.Min(o.Neighbours, Math.Max(1, titles - 1));
        // Each title writes its kept neighbours into its own fixed slot of k; the slots are compacted afterwards,
        // so there is one allocation for all rows (no per-row arrays at 50,000 titles).
        var slotIdx = new int[(long)titles * k];
        var slotVal = new float[(long)titles * k];
        var kept = new int[titles];
        var po = new ParallelOptions { CancellationToken = ct };
        Parallel.For(0, titles, po, () => new Scratch(titles), (i, _, s) =>
        {
            int touched = 0;
            var members = weightedByTitle.RowIndices(i);
            var w = weightedByTitle.RowValues(i);
            for (int a = 0; a < members.Length; a++)
            {
                float wi = w[a];
                int u = members[a];
                var js = weightedByMember.RowIndices(u);
                var wj = weightedByMember.RowValues(u);
                for (int b = 0; b < js.Length; b++)
                {
                    int j = js[b];
                    if (!s.Seen[j]) { s.Seen[j] = true; s.Touched[touched++] = j; }
                    s.Accumulator[j] += wi * wj[b];
                }
            }
            int count = 0;
            for (int t = 0; t < touched; t++)
            {
                int j = s.Touched[t];
                float dot = s.Accumulator[j];
                s.Accumulator[j] = 0;
                s.Seen[j] = false;
                if (j == i) continue;
                float sim = normalized ? dot / (norms[i] * norms[j] + o.Shrinkage) : dot;
                if (!(sim > 0)) continue;
                s.Items[count] = j;
                s.Scores[count++] = sim;
            }
            int n = TopN.KeepBest(s.Scores, s.Items, count, k);
            var idx = slotIdx.AsSpan((int)((long)i * k), n);
            var val = slotVal.AsSpan((int)((long)i * k), n);
            s.Items.AsSpan(0, n).CopyTo(idx);
            s.Scores.AsSpan(0, n).CopyTo(val);
            idx.Sort(val); // by title index: scatter-adds at scoring time walk memory forward
            kept[i] = n;
            return s;
        }, _ => { });

        var pointers = new int[titles + 1];
        for (int t = 0; t < titles; t++) pointers[t + 1] = pointers[t] + kept[t];
        // Compact in place: row t moves from t*k down to pointers[t] <= t*k, so nothing unread is overwritten.
        for (int t = 0; t < titles; t++)
        {
            Array.Copy(slotIdx, (long)t * k, slotIdx, pointers[t], kept[t]);
            Array.Copy(slotVal, (long)t * k, slotVal, pointers[t], kept[t]);
        }
        var simIdx = slotIdx.Length == pointers[^1] ? slotIdx : slotIdx[..pointers[^1]];
        var simVal = slotVal.Length == pointers[^1] ? slotVal : slotVal[..pointers[^1]];
        var similarity = new SparseMatrix(titles, titles, pointers, simIdx, simVal);
        return new ItemKnnRecommender(data.MemberIds, data.TitleIds, o, raw, similarity, PopularityPrior(byTitle));
    }

    /// <summary>Title counts scaled to at most 1e-6: breaks ties among unscored titles by popularity, and is the empty-history fallback.</summary>
    internal static float[] PopularityPrior(SparseMatrix byTitle)
    {
        var prior = new float[byTitle.Rows];
        int max = 1;
        for (int t = 0; t < byTitle.Rows; t++) max = Math.Max(max, byTitle.Pointers[t + 1] - byTitle.Pointers[t]);
        for (int t = 0; t < byTitle.Rows; t++) prior[t] = 1e-6f * (byTitle.Pointers[t + 1] - byTitle.Pointers[t]) / max;
        return prior;
    }

    /// <summary>The title x member matrix reweighted as <see cref="ItemKnnOptions.Weighting"/> says (titles are the documents, members the terms).</summary>
    public static SparseMatrix Weight(SparseMatrix byTitle, ItemKnnOptions o)
    {
        if (o.Weighting == ItemKnnWeighting.Cosine) return byTitle; // never written: shared as is
        var values = new float[byTitle.NonZeros];
        // idf of each member: log(N / (1 + number of titles of the member)), N = number of titles.
        var df = new int[byTitle.Columns];
        foreach (var u in byTitle.Indices) df[u]++;
        double n = byTitle.Rows;
        var idf = new float[byTitle.Columns];
        for (int u = 0; u < idf.Length; u++) idf[u] = (float)(Math.Log(n) - Math.Log(1.0 + df[u]));
        if (o.Weighting == ItemKnnWeighting.TfIdf)
        {
            for (int p = 0; p < values.Length; p++) values[p] = MathF.Sqrt(byTitle.Values[p]) * idf[byTitle.Indices[p]];
        }
        else
        {
            double total = 0;
            var lengths = new double[byTitle.Rows];
            for (int t = 0; t < byTitle.Rows; t++)
            {
                double sum = 0;
                foreach (var v in byTitle.RowValues(t)) sum += v;
                lengths[t] = sum;
                total += sum;
            }
            double average = total / Math.Max(1, byTitle.Rows);
            for (int t = 0; t < byTitle.Rows; t++)
            {
                double lengthNorm = (1.0 - o.B) + o.B * (average > 0 ? lengths[t] / average : 0);
                for (int p = byTitle.Pointers[t]; p < byTitle.Pointers[t + 1]; p++)
                {
                    double x = byTitle.Values[p];
                    values[p] = (float)(x * (o.K1 + 1.0) / (o.K1 * lengthNorm + x) * idf[byTitle.Indices[p]]);
                }
            }
        }
        return new SparseMatrix(byTitle.Rows, byTitle.Columns, byTitle.Pointers, byTitle.Indices, values);
    }

    private sealed class Scratch(int titles)
    {
        public readonly float[] Accumulator = new float[titles];
        public readonly bool[] Seen = new bool[titles];
        public readonly int[] Touched = new int[titles];
        public readonly int[] Items = new int[titles];
        public readonly float[] Scores = new float[titles];
    }
}
