using Encore.Models.Numerics;

namespace Encore.Models.Ials;

/// <summary>
/// One half-iteration of iALS: re-solves every row of <c>x</c> (members, or titles) against the fixed factors
/// <c>y</c> of the other side with a few warm-started conjugate-gradient steps on
/// (G + sum_i (c_i - a0) y_i y_i^T + lambda_r I) x = sum_i c_i y_i, G = a0 Y^T Y. Rows are independent, so the
/// result does not depend on thread timing.
/// </summary>
internal static unsafe class IalsSolver
{
    public static void SolveAll(SparseMatrix rows, float[] x, float[] y, float[] gram, int kp, IalsOptions o, int otherCount, CancellationToken ct)
    {
        // One worker per core (the work is compute and memory bound: more would only share the caches), each with
        // its own buffers; the buffers for long rows are rented from the shared pool, so that successive half-iterations
        // reuse the same few instead of leaving one per worker and call to the collector.
        var po = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount };
        var bounds = Partition(rows.Pointers, rows.Rows, kp, out int longest);
        Parallel.For(0, bounds.Length - 1, po, () => new Scratch(kp, longest), (c, _, scratch) =>
        {
            int end = bounds[c + 1];
            fixed (float* px = x, py = y, pg = gram, ps = scratch.Vectors, pv = rows.Values, pu = scratch.U, pvv = scratch.V, pd = scratch.D, pz = scratch.Zeros)
            fixed (int* pi = rows.Indices, pp = rows.Pointers)
            {
                for (int r = bounds[c]; r < end; r++)
                {
                    int from = pp[r], to = pp[r + 1];
                    // The next row's first rows are fetched while this one is solved (a member's row is mostly shorter
                    // than one prefetch distance, so its own passes would otherwise start on cold misses).
                    if (r + 1 < rows.Rows) FactorKernels.Prefetch(py, pi, to, pp[r + 2], 32, kp);
                    float lambda = Lambda(o, to - from, otherCount);
                    SolveRow(px + (long)r * kp, py, pg, pi, pv, from, to, lambda, kp, o, ps, pu, pvv, pd, pz, scratch);
                }
            }
            return scratch;
        }, scratch => scratch.Release());
    }

    /// <summary>
    /// Chunk boundaries over the rows with about equal work each, counted as the row's entries plus kp / 2 (a row's
    /// dense products cost about as much as kp / 2 entries' gathers): a chunk of popular titles is then as short as
    /// a chunk of rare ones, and no thread is left with one long tail at the end of the half-iteration. About 32
    /// chunks per core, and at most 256 rows in one.
    /// </summary>
    private static int[] Partition(int[] pointers, int rowCount, int kp, out int longest)
    {
        longest = 0;
        for (int r = 0; r < rowCount; r++) longest = Math.Max(longest, pointers[r + 1] - pointers[r]);
        long rowCost = kp / 2;
        long total = pointers[rowCount] + rowCount * rowCost;
        long target = Math.Max(1, total / (32L * Environment.ProcessorCount));
        var bounds = new List<int>(32 * Environment.ProcessorCount + 2) { 0 };
        long cost = 0;
        int start = 0;
        for (int r = 0; r < rowCount; r++)
        {
            cost += pointers[r + 1] - pointers[r] + rowCost;
            if (cost >= target || r + 1 - start >= 256)
            {
                bounds.Add(r + 1);
                start = r + 1;
                cost = 0;
            }
        }
        if (bounds[^1] != rowCount) bounds.Add(rowCount);
        return bounds.ToArray();
    }

    // Per-thread buffers: three factor-sized vectors, and per-entry coefficients (Zeros is never written).
    private sealed class Scratch(int kp, int longest)
    {
        /// <summary>Rows at least this long are copied to <see cref="Gathered"/> on the first pass (shorter ones stay in L1/L2 between passes anyway).</summary>
        public const int CopyFrom = 256;

        /// <summary>At most this many rows are copied (16 MiB at 64 factors); a longer row is gathered on every pass.</summary>
        public const int CopyAtMost = 1 << 16;

        private float[]? _gathered;

        /// <summary>A buffer for the gathered rows of one long row, rented once per worker for the longest row it may meet.</summary>
        public float[] Gathered(int count)
        {
            long need = (long)count * kp;
            if (_gathered is not null && _gathered.Length >= need) return _gathered;
            Release();
            _gathered = System.Buffers.ArrayPool<float>.Shared.Rent((int)Math.Max(need, (long)Math.Min(longest, CopyAtMost) * kp));
            return _gathered;
        }

        /// <summary>Gives the long-row buffer back to the pool.</summary>
        public void Release()
        {
            if (_gathered is not null) System.Buffers.ArrayPool<float>.Shared.Return(_gathered);
            _gathered = null;
        }

        public readonly float[] Vectors = new float[3 * kp];
        public readonly float[] Zeros = new float[longest + 1];
        public readonly float[] U = new float[longest + 1];
        public readonly float[] V = new float[longest + 1];
        public readonly float[] D = new float[longest + 1];
    }

    /// <summary>The regularization of a row with <paramref name="count"/> observations: lambda (n + a0 * N)^nu.</summary>
    public static float Lambda(IalsOptions o, int count, int otherCount)
        => o.RegularizationExponent == 0 ? o.Regularization
            : (float)(o.Regularization * Math.Pow(count + (double)o.A0 * otherCount, o.RegularizationExponent));

    private static void SolveRow(float* x, float* y, float* g, int* indices, float* values, int from, int to, float lambda, int kp, IalsOptions o, float* scratch, float* u, float* v, float* d, float* zero, Scratch buffers)
    {
        float* r = scratch, p = scratch + kp, ap = scratch + 2 * kp;
        float a0 = o.A0, alpha = o.Alpha;
        // Per entry: confidence c, and the coefficients of the two sparse passes.
        for (int e = from; e < to; e++)
        {
            // A negative weight is negative evidence: preference 0 with confidence 1 + alpha |w| (as benfred/implicit reads it).
            float w = values[e];
            float c = 1f + alpha * Math.Abs(w);
            u[e - from] = w >= 0 ? c : 0f;
            v[e - from] = -(c - a0);
            d[e - from] = c - a0;
        }
        int n = to - from;
        // r = b - A x = sum_e (c_e - (c_e - a0) y_e.x) y_e - (G + lambda I) x
        FactorKernels.SymMatVec(g, x, lambda, ap, kp);
        for (int k = 0; k < kp; k++) r[k] = -ap[k];
        // A long row's rows are gathered once and read in order by the CG steps.
        float[]? gathered = n >= Scratch.CopyFrom && n <= Scratch.CopyAtMost ? buffers.Gathered(n) : null;
        fixed (float* copy = gathered)
        {
            if (copy != null) FactorKernels.AddWeightedRowsCopying(y, indices + from, u, v, n, x, r, kp, copy);
            else FactorKernels.AddWeightedRows(y, indices + from, u, v, 0, n, x, r, kp);
            ConjugateGradient(x, y, g, indices + from, n, lambda, kp, o.CgSteps, r, p, ap, zero, d, copy);
        }
    }

    private static void ConjugateGradient(float* x, float* y, float* g, int* indices, int n, float lambda, int kp, int steps, float* r, float* p, float* ap, float* zero, float* d, float* copy)
    {
        float rsOld = FactorKernels.Dot(r, r, kp);
        if (rsOld < 1e-20f) return;
        for (int k = 0; k < kp; k++) p[k] = r[k];
        for (int step = 0; step < steps; step++)
        {
            // A p = (G + lambda I) p + sum_e (c_e - a0) (y_e . p) y_e
            FactorKernels.SymMatVec(g, p, lambda, ap, kp);
            if (copy != null) FactorKernels.AddWeightedDenseRows(copy, zero, d, n, p, ap, kp);
            else FactorKernels.AddWeightedRows(y, indices, zero, d, 0, n, p, ap, kp);
            float pAp = FactorKernels.Dot(p, ap, kp);
            if (!(pAp > 0)) return;
            float stepSize = rsOld / pAp;
            FactorKernels.Axpy(x, stepSize, p, kp);
            FactorKernels.Axpy(r, -stepSize, ap, kp);
            float rsNew = FactorKernels.Dot(r, r, kp);
            if (rsNew < 1e-20f) return;
            float beta = rsNew / rsOld;
            FactorKernels.Xpby(r, beta, p, kp);
            rsOld = rsNew;
        }
    }
}
