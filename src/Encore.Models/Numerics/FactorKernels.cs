using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Encore.Models.Numerics;

/// <summary>
/// Small dense kernels over factor rows padded to a multiple of 16 floats (one Vector512, or two Vector256),
/// inlined into the ALS inner loops where a general library call would cost more than the arithmetic.
/// </summary>
public static unsafe class FactorKernels
{
    /// <summary>Pads a factor count to the kernels' stride.</summary>
    public static int Stride(int factors) => (factors + 15) & ~15;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int kp)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            // Two chains halve the FMA latency on the critical path.
            var acc = Vector512<float>.Zero;
            var acc2 = Vector512<float>.Zero;
            int v = 0;
            for (; v + 32 <= kp; v += 32)
            {
                acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + v), Vector512.Load(b + v), acc);
                acc2 = Vector512.FusedMultiplyAdd(Vector512.Load(a + v + 16), Vector512.Load(b + v + 16), acc2);
            }
            if (v < kp) acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + v), Vector512.Load(b + v), acc);
            return Vector512.Sum(acc + acc2);
        }
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        for (int v = 0; v < kp; v += 16)
        {
            acc0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + v), Vector256.Load(b + v), acc0);
            acc1 = Vector256.FusedMultiplyAdd(Vector256.Load(a + v + 8), Vector256.Load(b + v + 8), acc1);
        }
        return Vector256.Sum(acc0 + acc1);
    }

    /// <summary>y += a * x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float* y, float a, float* x, int kp)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(a);
            for (int v = 0; v < kp; v += 16) Vector512.Store(Vector512.FusedMultiplyAdd(va, Vector512.Load(x + v), Vector512.Load(y + v)), y + v);
            return;
        }
        var vb = Vector256.Create(a);
        for (int v = 0; v < kp; v += 8) Vector256.Store(Vector256.FusedMultiplyAdd(vb, Vector256.Load(x + v), Vector256.Load(y + v)), y + v);
    }

    /// <summary>y = x + b * y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Xpby(float* x, float b, float* y, int kp)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var vb = Vector512.Create(b);
            for (int v = 0; v < kp; v += 16) Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(y + v), Vector512.Load(x + v)), y + v);
            return;
        }
        var vc = Vector256.Create(b);
        for (int v = 0; v < kp; v += 8) Vector256.Store(Vector256.FusedMultiplyAdd(vc, Vector256.Load(y + v), Vector256.Load(x + v)), y + v);
    }

    /// <summary>
    /// acc += sum over entries e of (u_e + v_e * (y_e . q)) y_e, for the rows y_e = y[indices[e]]: the sparse part of
    /// an ALS residual or of a CG matrix-vector product. Done in chunks: the chunk's dot products first (independent,
    /// so they overlap in the pipeline), then one pass that keeps the accumulator in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddWeightedRows(float* y, int* indices, float* u, float* v, int from, int to, float* q, float* acc, int kp)
        => Gathered(y, indices, u, v, from, to, q, acc, kp);

    /// <summary>acc += sum over e in 0..n of (u_e + v_e * (r_e . q)) r_e for the consecutive rows r_e = rows + e * kp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddWeightedDenseRows(float* rows, float* u, float* v, int n, float* q, float* acc, int kp)
    {
        if (Vector512.IsHardwareAccelerated && kp == 64)
        {
            DenseRows64(rows, u, v, n, q, acc);
            return;
        }
        if (Vector512.IsHardwareAccelerated && kp == 128)
        {
            DenseRows128(rows, u, v, n, q, acc);
            return;
        }
        const int chunk = 32;
        float* coef = stackalloc float[chunk];
        float** pointers = stackalloc float*[chunk];
        for (int start = 0; start < n; start += chunk)
        {
            int count = Math.Min(chunk, n - start);
            for (int j = 0; j < count; j++)
            {
                float* row = rows + (long)(start + j) * kp;
                pointers[j] = row;
                coef[j] = u[start + j] + v[start + j] * Dot(row, q, kp);
            }
            AccumulateRows(pointers, coef, count, acc, kp);
        }
    }

    /// <summary>
    /// <see cref="AddWeightedDenseRows"/> for 64 factors in one pass: q and the accumulator stay in registers and each
    /// row is loaded once, used for its dot product and then, scaled, added in (two accumulators a row apart, so the
    /// adds of one row do not wait for the previous row's).
    /// </summary>
    private static void DenseRows64(float* rows, float* u, float* v, int n, float* q, float* acc)
    {
        var q0 = Vector512.Load(q);
        var q1 = Vector512.Load(q + 16);
        var q2 = Vector512.Load(q + 32);
        var q3 = Vector512.Load(q + 48);
        var a0 = Vector512.Load(acc);
        var a1 = Vector512.Load(acc + 16);
        var a2 = Vector512.Load(acc + 32);
        var a3 = Vector512.Load(acc + 48);
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
        int e = 0;
        float* row = rows;
        for (; e + 2 <= n; e += 2, row += 128)
        {
            var r0 = Vector512.Load(row);
            var r1 = Vector512.Load(row + 16);
            var r2 = Vector512.Load(row + 32);
            var r3 = Vector512.Load(row + 48);
            var s0 = Vector512.Load(row + 64);
            var s1 = Vector512.Load(row + 80);
            var s2 = Vector512.Load(row + 96);
            var s3 = Vector512.Load(row + 112);
            var c = Vector512.Create(u[e] + v[e] * Vector512.Sum(Products(r0, r1, r2, r3, q0, q1, q2, q3)));
            var d = Vector512.Create(u[e + 1] + v[e + 1] * Vector512.Sum(Products(s0, s1, s2, s3, q0, q1, q2, q3)));
            a0 = Vector512.FusedMultiplyAdd(c, r0, a0);
            a1 = Vector512.FusedMultiplyAdd(c, r1, a1);
            a2 = Vector512.FusedMultiplyAdd(c, r2, a2);
            a3 = Vector512.FusedMultiplyAdd(c, r3, a3);
            b0 = Vector512.FusedMultiplyAdd(d, s0, b0);
            b1 = Vector512.FusedMultiplyAdd(d, s1, b1);
            b2 = Vector512.FusedMultiplyAdd(d, s2, b2);
            b3 = Vector512.FusedMultiplyAdd(d, s3, b3);
        }
        if (e < n)
        {
            var r0 = Vector512.Load(row);
            var r1 = Vector512.Load(row + 16);
            var r2 = Vector512.Load(row + 32);
            var r3 = Vector512.Load(row + 48);
            var c = Vector512.Create(u[e] + v[e] * Vector512.Sum(Products(r0, r1, r2, r3, q0, q1, q2, q3)));
            a0 = Vector512.FusedMultiplyAdd(c, r0, a0);
            a1 = Vector512.FusedMultiplyAdd(c, r1, a1);
            a2 = Vector512.FusedMultiplyAdd(c, r2, a2);
            a3 = Vector512.FusedMultiplyAdd(c, r3, a3);
        }
        Vector512.Store(a0 + b0, acc);
        Vector512.Store(a1 + b1, acc + 16);
        Vector512.Store(a2 + b2, acc + 32);
        Vector512.Store(a3 + b3, acc + 48);
    }

    /// <summary>The lane-wise sums of r_i q_i over four registers (64 floats): summed across lanes, their dot product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Products(Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3,
        Vector512<float> q0, Vector512<float> q1, Vector512<float> q2, Vector512<float> q3)
        => Vector512.FusedMultiplyAdd(r0, q0, r1 * q1) + Vector512.FusedMultiplyAdd(r2, q2, r3 * q3);

    /// <summary>
    /// <see cref="DenseRows64"/> for 128 factors: eight accumulators, so one set is enough to keep the adds apart.
    /// </summary>
    private static void DenseRows128(float* rows, float* u, float* v, int n, float* q, float* acc)
    {
        var q0 = Vector512.Load(q);
        var q1 = Vector512.Load(q + 16);
        var q2 = Vector512.Load(q + 32);
        var q3 = Vector512.Load(q + 48);
        var q4 = Vector512.Load(q + 64);
        var q5 = Vector512.Load(q + 80);
        var q6 = Vector512.Load(q + 96);
        var q7 = Vector512.Load(q + 112);
        var a0 = Vector512.Load(acc);
        var a1 = Vector512.Load(acc + 16);
        var a2 = Vector512.Load(acc + 32);
        var a3 = Vector512.Load(acc + 48);
        var a4 = Vector512.Load(acc + 64);
        var a5 = Vector512.Load(acc + 80);
        var a6 = Vector512.Load(acc + 96);
        var a7 = Vector512.Load(acc + 112);
        float* row = rows;
        for (int e = 0; e < n; e++, row += 128)
        {
            var r0 = Vector512.Load(row);
            var r1 = Vector512.Load(row + 16);
            var r2 = Vector512.Load(row + 32);
            var r3 = Vector512.Load(row + 48);
            var r4 = Vector512.Load(row + 64);
            var r5 = Vector512.Load(row + 80);
            var r6 = Vector512.Load(row + 96);
            var r7 = Vector512.Load(row + 112);
            var c = Vector512.Create(u[e] + v[e] * Vector512.Sum(Products(r0, r1, r2, r3, q0, q1, q2, q3) + Products(r4, r5, r6, r7, q4, q5, q6, q7)));
            a0 = Vector512.FusedMultiplyAdd(c, r0, a0);
            a1 = Vector512.FusedMultiplyAdd(c, r1, a1);
            a2 = Vector512.FusedMultiplyAdd(c, r2, a2);
            a3 = Vector512.FusedMultiplyAdd(c, r3, a3);
            a4 = Vector512.FusedMultiplyAdd(c, r4, a4);
            a5 = Vector512.FusedMultiplyAdd(c, r5, a5);
            a6 = Vector512.FusedMultiplyAdd(c, r6, a6);
            a7 = Vector512.FusedMultiplyAdd(c, r7, a7);
        }
        Vector512.Store(a0, acc);
        Vector512.Store(a1, acc + 16);
        Vector512.Store(a2, acc + 32);
        Vector512.Store(a3, acc + 48);
        Vector512.Store(a4, acc + 64);
        Vector512.Store(a5, acc + 80);
        Vector512.Store(a6, acc + 96);
        Vector512.Store(a7, acc + 112);
    }

    /// <summary>
    /// Asks for the cache lines of the rows y[indices[e]], e in from..to (at most <paramref name="limit"/> of them), ahead
    /// of their use: a caller that knows which rows come next overlaps their misses with the work at hand.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(float* y, int* indices, int from, int to, int limit, int kp)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        int end = Math.Min(to, from + limit);
        int lines = kp >> 4; // 64-byte cache lines per row
        for (int e = from; e < end; e++)
        {
            byte* row = (byte*)(y + (long)indices[e] * kp);
            for (int l = 0; l < lines; l++) System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + 64 * l);
        }
    }

    private static void Gathered(float* y, int* indices, float* u, float* v, int from, int to, float* q, float* acc, int kp)
    {
        const int chunk = 32;
        float* coef = stackalloc float[chunk];
        float** rows = stackalloc float*[chunk];
        for (int start = from; start < to; start += chunk)
        {
            int count = Math.Min(chunk, to - start);
            // Rows are gathered at random: ask for the next chunk's rows now, so their misses overlap this chunk's work.
            Prefetch(y, indices, start + count, to, chunk, kp);
            for (int j = 0; j < count; j++)
            {
                float* row = y + (long)indices[start + j] * kp;
                rows[j] = row;
                coef[j] = u[start + j] + v[start + j] * Dot(row, q, kp);
            }
            AccumulateRows(rows, coef, count, acc, kp);
        }
    }

    /// <summary>
    /// acc += sum_j coef[j] rows[j] over <paramref name="count"/> rows: 64 floats of acc at a time held in four
    /// registers over all rows (four independent FMA chains, so the loop runs at the loads' pace, not the FMA latency's).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateRows(float** rows, float* coef, int count, float* acc, int kp)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            int k = 0;
            for (; k + 64 <= kp; k += 64)
            {
                var a0 = Vector512.Load(acc + k);
                var a1 = Vector512.Load(acc + k + 16);
                var a2 = Vector512.Load(acc + k + 32);
                var a3 = Vector512.Load(acc + k + 48);
                for (int j = 0; j < count; j++)
                {
                    var c = Vector512.Create(coef[j]);
                    float* row = rows[j] + k;
                    a0 = Vector512.FusedMultiplyAdd(c, Vector512.Load(row), a0);
                    a1 = Vector512.FusedMultiplyAdd(c, Vector512.Load(row + 16), a1);
                    a2 = Vector512.FusedMultiplyAdd(c, Vector512.Load(row + 32), a2);
                    a3 = Vector512.FusedMultiplyAdd(c, Vector512.Load(row + 48), a3);
                }
                Vector512.Store(a0, acc + k);
                Vector512.Store(a1, acc + k + 16);
                Vector512.Store(a2, acc + k + 32);
                Vector512.Store(a3, acc + k + 48);
            }
            for (; k < kp; k += 16)
            {
                var a = Vector512.Load(acc + k);
                for (int j = 0; j < count; j++) a = Vector512.FusedMultiplyAdd(Vector512.Create(coef[j]), Vector512.Load(rows[j] + k), a);
                Vector512.Store(a, acc + k);
            }
            return;
        }
        // kp is a multiple of 16: blocks of 32 floats (four registers), then at most one of 16 (two).
        int v = 0;
        for (; v + 32 <= kp; v += 32)
        {
            var a0 = Vector256.Load(acc + v);
            var a1 = Vector256.Load(acc + v + 8);
            var a2 = Vector256.Load(acc + v + 16);
            var a3 = Vector256.Load(acc + v + 24);
            for (int j = 0; j < count; j++)
            {
                var c = Vector256.Create(coef[j]);
                float* row = rows[j] + v;
                a0 = Vector256.FusedMultiplyAdd(c, Vector256.Load(row), a0);
                a1 = Vector256.FusedMultiplyAdd(c, Vector256.Load(row + 8), a1);
                a2 = Vector256.FusedMultiplyAdd(c, Vector256.Load(row + 16), a2);
                a3 = Vector256.FusedMultiplyAdd(c, Vector256.Load(row + 24), a3);
            }
            Vector256.Store(a0, acc + v);
            Vector256.Store(a1, acc + v + 8);
            Vector256.Store(a2, acc + v + 16);
            Vector256.Store(a3, acc + v + 24);
        }
        for (; v < kp; v += 16)
        {
            var a0 = Vector256.Load(acc + v);
            var a1 = Vector256.Load(acc + v + 8);
            for (int j = 0; j < count; j++)
            {
                var c = Vector256.Create(coef[j]);
                a0 = Vector256.FusedMultiplyAdd(c, Vector256.Load(rows[j] + v), a0);
                a1 = Vector256.FusedMultiplyAdd(c, Vector256.Load(rows[j] + v + 8), a1);
            }
            Vector256.Store(a0, acc + v);
            Vector256.Store(a1, acc + v + 8);
        }
    }

    /// <summary>
    /// result = G x + lambda x for a symmetric kp x kp matrix G (row-major). It sums G's rows scaled by x's entries, so for
    /// any matrix M (lambda 0) it gives the row vector x M: <see cref="TransformRows"/> and the iALS solver's change of
    /// basis rely on that (an implementation that read only one triangle of G would break them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SymMatVec(float* g, float* x, float lambda, float* result, int kp)
    {
        if (Vector512.IsHardwareAccelerated && kp == 64)
        {
            // Row j of G scaled by x[j], summed: four independent accumulators per parity of j, in registers.
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
            float* row = g;
            for (int j = 0; j < 64; j += 2, row += 128)
            {
                var xj = Vector512.Create(x[j]);
                a0 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row), a0);
                a1 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row + 16), a1);
                a2 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row + 32), a2);
                a3 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row + 48), a3);
                var xk = Vector512.Create(x[j + 1]);
                b0 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(row + 64), b0);
                b1 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(row + 80), b1);
                b2 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(row + 96), b2);
                b3 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(row + 112), b3);
            }
            var l = Vector512.Create(lambda);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x), a0 + b0), result);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x + 16), a1 + b1), result + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x + 32), a2 + b2), result + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x + 48), a3 + b3), result + 48);
            return;
        }
        if (Vector512.IsHardwareAccelerated && kp == 128)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            float* row = g;
            for (int j = 0; j < 128; j++, row += 128)
            {
                var xj = Vector512.Create(x[j]);
                a0 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row), a0);
                a1 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row + 16), a1);
                a2 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row + 32), a2);
                a3 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row + 48), a3);
                a4 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row + 64), a4);
                a5 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row + 80), a5);
                a6 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row + 96), a6);
                a7 = Vector512.FusedMultiplyAdd(xj, Vector512.Load(row + 112), a7);
            }
            var l = Vector512.Create(lambda);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x), a0), result);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x + 16), a1), result + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x + 32), a2), result + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x + 48), a3), result + 48);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x + 64), a4), result + 64);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x + 80), a5), result + 80);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x + 96), a6), result + 96);
            Vector512.Store(Vector512.FusedMultiplyAdd(l, Vector512.Load(x + 112), a7), result + 112);
            return;
        }
        if (Vector512.IsHardwareAccelerated)
        {
            for (int v = 0; v < kp; v += 16)
            {
                var acc = Vector512.Create(lambda) * Vector512.Load(x + v);
                float* col = g + v;
                for (int j = 0; j < kp; j++, col += kp) acc = Vector512.FusedMultiplyAdd(Vector512.Create(x[j]), Vector512.Load(col), acc);
                Vector512.Store(acc, result + v);
            }
            return;
        }
        for (int v = 0; v < kp; v += 8)
        {
            var acc = Vector256.Create(lambda) * Vector256.Load(x + v);
            float* col = g + v;
            for (int j = 0; j < kp; j++, col += kp) acc = Vector256.FusedMultiplyAdd(Vector256.Create(x[j]), Vector256.Load(col), acc);
            Vector256.Store(acc, result + v);
        }
    }

    /// <summary>result = (diag(d) + lambda I) x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void DiagonalMatVec(float* d, float* x, float lambda, float* result, int kp)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var l = Vector512.Create(lambda);
            for (int v = 0; v < kp; v += 16) Vector512.Store((Vector512.Load(d + v) + l) * Vector512.Load(x + v), result + v);
            return;
        }
        var l8 = Vector256.Create(lambda);
        for (int v = 0; v < kp; v += 8) Vector256.Store((Vector256.Load(d + v) + l8) * Vector256.Load(x + v), result + v);
    }

    /// <summary>
    /// Replaces each of the first <paramref name="rows"/> rows f of <paramref name="factors"/> with f M (M kp x kp,
    /// row-major): a change of basis, in parallel over blocks of rows.
    /// </summary>
    internal static void TransformRows(float[] factors, int rows, float[] m, int kp, CancellationToken ct = default)
    {
        const int blockRows = 4096;
        Parallel.For(0, (rows + blockRows - 1) / blockRows, new ParallelOptions { CancellationToken = ct }, b =>
        {
            float* row = stackalloc float[kp];
            int from = b * blockRows, to = Math.Min(rows, from + blockRows);
            fixed (float* pf = factors, pm = m)
            {
                for (int r = from; r < to; r++)
                {
                    float* f = pf + (long)r * kp;
                    // SymMatVec sums the rows of its matrix scaled by the vector's entries: f M for any M.
                    SymMatVec(pm, f, 0, row, kp);
                    new ReadOnlySpan<float>(row, kp).CopyTo(new Span<float>(f, kp));
                }
            }
        });
    }

    /// <summary>
    /// G = scale * F^T F over the rows of F (rows x kp): float sums over blocks of rows, added up in double in a
    /// fixed order (deterministic whatever the thread timing); parallel over the blocks.
    /// </summary>
    public static float[] Gramian(float[] factors, int rows, int kp, float scale, CancellationToken ct = default)
    {
        const int blockRows = 2048;
        int blocks = Math.Max(1, (rows + blockRows - 1) / blockRows);
        var total = new double[kp * kp];
        var partial = new float[blocks][];
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = ct }, b =>
        {
            var acc = new float[kp * kp];
            int from = b * blockRows, to = Math.Min(rows, from + blockRows);
            fixed (float* pf = factors, pa = acc)
            {
                int r = from;
                // Four rows per pass over the accumulator: a quarter of its loads and stores.
                for (; r + 4 <= to; r += 4)
                {
                    float* r0 = pf + (long)r * kp;
                    AddOuter4(pa, r0, r0 + kp, r0 + 2 * kp, r0 + 3 * kp, kp);
                }
                for (; r < to; r++)
                {
                    float* row = pf + (long)r * kp;
                    for (int i = 0; i < kp; i++)
                        if (row[i] != 0) Axpy(pa + i * kp, row[i], row, kp);
                }
            }
            partial[b] = acc;
        });
        for (int b = 0; b < blocks; b++)
        {
            var acc = partial[b];
            for (int i = 0; i < total.Length; i++) total[i] += acc[i];
        }
        var g = new float[kp * kp];
        for (int i = 0; i < g.Length; i++) g[i] = (float)(total[i] * scale);
        return g;
    }

    /// <summary>acc += r0 r0^T + r1 r1^T + r2 r2^T + r3 r3^T (kp x kp, row-major); rows i that are 0 in all four (padding) are skipped.</summary>
    private static void AddOuter4(float* acc, float* r0, float* r1, float* r2, float* r3, int kp)
    {
        for (int i = 0; i < kp; i++)
        {
            float s0 = r0[i], s1 = r1[i], s2 = r2[i], s3 = r3[i];
            if (s0 == 0 && s1 == 0 && s2 == 0 && s3 == 0) continue;
            float* a = acc + i * kp;
            if (Vector512.IsHardwareAccelerated)
            {
                var c0 = Vector512.Create(s0);
                var c1 = Vector512.Create(s1);
                var c2 = Vector512.Create(s2);
                var c3 = Vector512.Create(s3);
                for (int v = 0; v < kp; v += 16)
                {
                    var t = Vector512.FusedMultiplyAdd(c0, Vector512.Load(r0 + v), Vector512.Load(a + v));
                    var w = Vector512.FusedMultiplyAdd(c2, Vector512.Load(r2 + v), c1 * Vector512.Load(r1 + v));
                    t = Vector512.FusedMultiplyAdd(c3, Vector512.Load(r3 + v), t);
                    Vector512.Store(t + w, a + v);
                }
            }
            else
            {
                var c0 = Vector256.Create(s0);
                var c1 = Vector256.Create(s1);
                var c2 = Vector256.Create(s2);
                var c3 = Vector256.Create(s3);
                for (int v = 0; v < kp; v += 8)
                {
                    var t = Vector256.FusedMultiplyAdd(c0, Vector256.Load(r0 + v), Vector256.Load(a + v));
                    var w = Vector256.FusedMultiplyAdd(c2, Vector256.Load(r2 + v), c1 * Vector256.Load(r1 + v));
                    t = Vector256.FusedMultiplyAdd(c3, Vector256.Load(r3 + v), t);
                    Vector256.Store(t + w, a + v);
                }
            }
        }
    }
}
