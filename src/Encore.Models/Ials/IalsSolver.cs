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
        var po = new ParallelOptions { CancellationToken = ct };
        const int chunk = 256;
        int chunks = (rows.Rows + chunk - 1) / chunk;
        int longest = 0;
        for (int r = 0; r < rows.Rows; r++) longest = Math.Max(longest, rows.Pointers[r + 1] - rows.Pointers[r]);
        Parallel.For(0, chunks, po, () => new Scratch(kp, longest), (c, _, scratch) =>
        {
            int end = Math.Min(rows.Rows, (c + 1) * chunk);
            fixed (float* px = x, py = y, pg = gram, ps = scratch.Vectors, pv = rows.Values, pu = scratch.U, pvv = scratch.V, pd = scratch.D, pz = scratch.Zeros)
            fixed (int* pi = rows.Indices, pp = rows.Pointers)
            {
                for (int r = c * chunk; r < end; r++)
                {
                    int from = pp[r], to = pp[r + 1];
                    float lambda = Lambda(o, to - from, otherCount);
                    SolveRow(px + (long)r * kp, py, pg, pi, pv, from, to, lambda, kp, o, ps, pu, pvv, pd, pz);
                }
            }
            return scratch;
        }, _ => { });
    }

    // Per-thread buffers: three factor-sized vectors, and per-entry coefficients (Zeros is never written).
    private sealed class Scratch(int kp, int longest)
    {
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

    private static void SolveRow(float* x, float* y, float* g, int* indices, float* values, int from, int to, float lambda, int kp, IalsOptions o, float* scratch, float* u, float* v, float* d, float* zero)
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
        FactorKernels.AddWeightedRows(y, indices + from, u, v, 0, n, x, r, kp);
        float rsOld = FactorKernels.Dot(r, r, kp);
        if (rsOld < 1e-20f) return;
        for (int k = 0; k < kp; k++) p[k] = r[k];
        for (int step = 0; step < o.CgSteps; step++)
        {
            // A p = (G + lambda I) p + sum_e (c_e - a0) (y_e . p) y_e
            FactorKernels.SymMatVec(g, p, lambda, ap, kp);
            FactorKernels.AddWeightedRows(y, indices + from, zero, d, 0, n, p, ap, kp);
            float pAp = FactorKernels.Dot(p, ap, kp);
            if (!(pAp > 0)) return;
            float stepSize = rsOld / pAp;
            FactorKernels.Axpy(x, stepSize, p, kp);
            FactorKernels.Axpy(r, -stepSize, ap, kp);
            float rsNew = FactorKernels.Dot(r, r, kp);
            if (rsNew < 1e-20f) return;
            float beta = rsNew / rsOld;
            for (int k = 0; k < kp; k++) p[k] = r[k] + beta * p[k];
            rsOld = rsNew;
        }
    }
}
