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
        Parallel.For(0, chunks, po, () => new float[3 * kp], (c, _, scratch) =>
        {
            int end = Math.Min(rows.Rows, (c + 1) * chunk);
            fixed (float* px = x, py = y, pg = gram, ps = scratch, pv = rows.Values)
            fixed (int* pi = rows.Indices, pp = rows.Pointers)
            {
                for (int r = c * chunk; r < end; r++)
                {
                    int from = pp[r], to = pp[r + 1];
                    float lambda = Lambda(o, to - from, otherCount);
                    SolveRow(px + (long)r * kp, py, pg, pi, pv, from, to, lambda, kp, o, ps);
                }
            }
            return scratch;
        }, _ => { });
    }

    /// <summary>The regularization of a row with <paramref name="count"/> observations: lambda (n + a0 * N)^nu.</summary>
    public static float Lambda(IalsOptions o, int count, int otherCount)
        => o.RegularizationExponent == 0 ? o.Regularization
            : (float)(o.Regularization * Math.Pow(count + (double)o.UnobservedWeight * otherCount, o.RegularizationExponent));

    private static void SolveRow(float* x, float* y, float* g, int* indices, float* values, int from, int to, float lambda, int kp, IalsOptions o, float* scratch)
    {
        float* r = scratch, p = scratch + kp, ap = scratch + 2 * kp;
        float a0 = o.UnobservedWeight, alpha = o.Alpha;
        // r = b - A x
        FactorKernels.SymMatVec(g, x, lambda, ap, kp);
        for (int k = 0; k < kp; k++) r[k] = -ap[k];
        for (int e = from; e < to; e++)
        {
            float* yi = y + (long)indices[e] * kp;
            float c = 1f + alpha * values[e];
            float dot = FactorKernels.Dot(yi, x, kp);
            FactorKernels.Axpy(r, c - (c - a0) * dot, yi, kp);
        }
        float rsOld = FactorKernels.Dot(r, r, kp);
        if (rsOld < 1e-20f) return;
        for (int k = 0; k < kp; k++) p[k] = r[k];
        for (int step = 0; step < o.CgSteps; step++)
        {
            FactorKernels.SymMatVec(g, p, lambda, ap, kp);
            for (int e = from; e < to; e++)
            {
                float* yi = y + (long)indices[e] * kp;
                float d = 1f + alpha * values[e] - a0;
                FactorKernels.Axpy(ap, d * FactorKernels.Dot(yi, p, kp), yi, kp);
            }
            float pAp = FactorKernels.Dot(p, ap, kp);
            if (!(pAp > 0)) return;
            float step_ = rsOld / pAp;
            FactorKernels.Axpy(x, step_, p, kp);
            FactorKernels.Axpy(r, -step_, ap, kp);
            float rsNew = FactorKernels.Dot(r, r, kp);
            if (rsNew < 1e-20f) return;
            float beta = rsNew / rsOld;
            for (int k = 0; k < kp; k++) p[k] = r[k] + beta * p[k];
            rsOld = rsNew;
        }
    }
}
