using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Encore.Models.Numerics;

/// <summary>
/// In-place inverse of a dense symmetric positive-definite float matrix by the blocked symmetric sweep
/// (block Gauss-Jordan on the lower triangle; the pivots are the Schur complements a Cholesky factorization
/// would meet, each diagonal block is inverted through <see cref="DenseCholesky"/> in double). Every step is
/// one rank-<c>nb</c> update of the lower triangle, C -= Y X^T, done by a register-blocked 4 x 24 FMA kernel
/// (Vector256) in parallel over row tiles: n^3/2 multiply-adds in all, the same as Cholesky plus the
/// triangular inverse, and half of an LU-based inverse.
/// </summary>
public static class SymmetricInverse
{
    // Register tiles: rows x columns of C updated per kernel call (Vector256: 4 x 24, Vector512: 8 x 48).
    private const int Padding = 48;

    /// <summary>The leading dimension to allocate for an n x n matrix (rows and columns padded for the kernels).</summary>
    public static int PaddedSize(int n) => (n + Padding - 1) / Padding * Padding;

    /// <summary>
    /// Replaces the lower triangle of <paramref name="a"/> (n x n inside an ld x ld row-major array, ld =
    /// <see cref="PaddedSize"/>(n), padding zero) with the lower triangle of its inverse. The upper triangle is
    /// scratch. Throws <see cref="ArithmeticException"/> when the matrix is not positive definite.
    /// </summary>
    public static void InvertLower(float[] a, int n, int blockSize = 64, int maxDegreeOfParallelism = -1, CancellationToken ct = default)
    {
        int ld = PaddedSize(n);
        if (a.Length < (long)ld * ld) throw new ArgumentException($"matrix holds {a.Length} values; needs {ld}x{ld} (padded)", nameof(a));
        if (blockSize < 8 || blockSize % 8 != 0) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "block size must be a positive multiple of 8");
        var xt = new float[blockSize * ld];       // X^T: the pivot block's rows over all columns
        var x = new float[ld * blockSize];        // X: the pivot block's columns, row-major
        var y = new float[ld * blockSize];        // Y = X D, row-major, rows outside the pivot block
        var d = new double[blockSize * blockSize];
        var dInv = new double[blockSize * blockSize];
        var dFloat = new float[blockSize * blockSize];
        var po = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = maxDegreeOfParallelism };

        for (int k0 = 0; k0 < n; k0 += blockSize)
        {
            ct.ThrowIfCancellationRequested();
            int nb = Math.Min(blockSize, n - k0);
            int k1 = k0 + nb;
            // X[i, c] = A[i, k0 + c] (row-major panel) and its transpose, read from the lower triangle in
            // contiguous runs: rows below the block hold it in their columns K, rows above it in the block's rows.
            for (int c = 0; c < nb; c++)
                a.AsSpan((k0 + c) * ld, k0 + c + 1).CopyTo(xt.AsSpan(c * ld));
            for (int j = k0 + 1; j < n; j++)
            {
                int count = Math.Min(nb, j - k0);
                for (int c = 0; c < count; c++) xt[c * ld + j] = a[j * ld + k0 + c];
            }
            Array.Clear(x);
            for (int i = 0; i < n; i++)
                for (int c = 0; c < nb; c++) x[i * blockSize + c] = xt[c * ld + i];
            // D = inverse of the pivot block (double, through Cholesky).
            for (int r = 0; r < nb; r++)
                for (int c = 0; c < nb; c++) d[r * nb + c] = xt[r * ld + k0 + c];
            try { DenseCholesky.Factor(d.AsSpan(0, nb * nb), nb); }
            catch (ArithmeticException e) { throw new ArithmeticException($"matrix is not positive definite (block at {k0}: {e.Message})", e); }
            DenseCholesky.Invert(d.AsSpan(0, nb * nb), nb, dInv.AsSpan(0, nb * nb));
            Array.Clear(dFloat);
            for (int r = 0; r < nb; r++)
                for (int c = 0; c < nb; c++) dFloat[r * blockSize + c] = (float)dInv[r * nb + c];
            // Y = X D for rows outside the block (zero inside it and in the padding).
            Array.Clear(y);
            int chunks = (n + 63) / 64;
            Parallel.For(0, chunks, po, chunk => MultiplyPanel(x, dFloat, y, blockSize, nb, chunk * 64, Math.Min(n, chunk * 64 + 64), k0, k1));
            // Lower triangle: A[i, j] -= Y[i, :] . X[j, :] (rows in the block are unchanged as their Y is zero).
            if (Vector512.IsHardwareAccelerated)
                Parallel.For(0, (n + 7) / 8, po, t => UpdateRowTile512(a, xt, y, ld, blockSize, nb, t * 8));
            else
                Parallel.For(0, (n + 3) / 4, po, t => UpdateRowTile256(a, xt, y, ld, blockSize, nb, t * 4));
            // The pivot block's column becomes Y, and the pivot block becomes -D.
            for (int c = 0; c < nb; c++)
                for (int i = 0; i < k0; i++) a[(k0 + c) * ld + i] = y[i * blockSize + c];
            for (int i = k1; i < n; i++)
                y.AsSpan(i * blockSize, nb).CopyTo(a.AsSpan(i * ld + k0, nb));
            for (int r = 0; r < nb; r++)
                for (int c = 0; c <= r; c++) a[(k0 + r) * ld + k0 + c] = -dFloat[r * blockSize + c];
        }
        // The full sweep leaves -A^{-1}.
        for (int i = 0; i < n; i++)
        {
            var row = a.AsSpan(i * ld, i + 1);
            System.Numerics.Tensors.TensorPrimitives.Negate(row, row);
        }
    }

    /// <summary>Copies the lower triangle onto the upper one.</summary>
    public static void MirrorLower(float[] a, int n)
    {
        int ld = PaddedSize(n);
        const int tile = 32; // tile by tile, so the strided reads stay in cache
        for (int i0 = 0; i0 < n; i0 += tile)
            for (int j0 = i0; j0 < n; j0 += tile)
                for (int i = i0; i < Math.Min(n, i0 + tile); i++)
                    for (int j = Math.Max(j0, i + 1); j < Math.Min(n, j0 + tile); j++) a[i * ld + j] = a[j * ld + i];
    }

    /// <summary>Y[i, :] = X[i, :] D for rows [from, to) outside the pivot block [k0, k1); D is nb x nb in rows of stride <paramref name="s"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void MultiplyPanel(float[] x, float[] d, float[] y, int s, int nb, int from, int to, int k0, int k1)
    {
        fixed (float* px = x, pd = d, py = y)
        {
            for (int i = from; i < to; i++)
            {
                if (i >= k0 && i < k1) continue;
                float* xi = px + (long)i * s;
                float* yi = py + (long)i * s;
                for (int v = 0; v < s; v += 32)
                {
                    Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    float* dc = pd + v;
                    for (int c = 0; c < nb; c++, dc += s)
                    {
                        var b = Vector256.Create(xi[c]);
                        a0 = Vector256.FusedMultiplyAdd(b, Vector256.Load(dc), a0);
                        if (v + 8 < s) a1 = Vector256.FusedMultiplyAdd(b, Vector256.Load(dc + 8), a1);
                        if (v + 16 < s) a2 = Vector256.FusedMultiplyAdd(b, Vector256.Load(dc + 16), a2);
                        if (v + 24 < s) a3 = Vector256.FusedMultiplyAdd(b, Vector256.Load(dc + 24), a3);
                    }
                    Vector256.Store(a0, yi + v);
                    if (v + 8 < s) Vector256.Store(a1, yi + v + 8);
                    if (v + 16 < s) Vector256.Store(a2, yi + v + 16);
                    if (v + 24 < s) Vector256.Store(a3, yi + v + 24);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void UpdateRowTile512(float[] a, float[] xt, float[] y, int ld, int ys, int nb, int i0)
    {
        const int columnTile = 48;
        int jEnd = i0 + 8; // columns 0 .. i0+7 cover the lower triangle of these rows
        fixed (float* pa = a, px = xt, py = y)
        {
            float* y0 = py + (long)i0 * ys;
            bool any = false;
            for (int c = 0; c < 8 * ys && !any; c++) any = y0[c] != 0;
            if (!any) return;
            float* y1 = y0 + ys, y2 = y1 + ys, y3 = y2 + ys, y4 = y3 + ys, y5 = y4 + ys, y6 = y5 + ys, y7 = y6 + ys;
            for (int j0 = 0; j0 < jEnd; j0 += columnTile)
            {
                Vector512<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
                Vector512<float> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
                Vector512<float> c40 = default, c41 = default, c42 = default, c50 = default, c51 = default, c52 = default;
                Vector512<float> c60 = default, c61 = default, c62 = default, c70 = default, c71 = default, c72 = default;
                float* x = px + j0;
                for (int c = 0; c < nb; c++, x += ld)
                {
                    var x0 = Vector512.Load(x);
                    var x1 = Vector512.Load(x + 16);
                    var x2 = Vector512.Load(x + 32);
                    var b = Vector512.Create(y0[c]);
                    c00 = Vector512.FusedMultiplyAdd(b, x0, c00); c01 = Vector512.FusedMultiplyAdd(b, x1, c01); c02 = Vector512.FusedMultiplyAdd(b, x2, c02);
                    b = Vector512.Create(y1[c]);
                    c10 = Vector512.FusedMultiplyAdd(b, x0, c10); c11 = Vector512.FusedMultiplyAdd(b, x1, c11); c12 = Vector512.FusedMultiplyAdd(b, x2, c12);
                    b = Vector512.Create(y2[c]);
                    c20 = Vector512.FusedMultiplyAdd(b, x0, c20); c21 = Vector512.FusedMultiplyAdd(b, x1, c21); c22 = Vector512.FusedMultiplyAdd(b, x2, c22);
                    b = Vector512.Create(y3[c]);
                    c30 = Vector512.FusedMultiplyAdd(b, x0, c30); c31 = Vector512.FusedMultiplyAdd(b, x1, c31); c32 = Vector512.FusedMultiplyAdd(b, x2, c32);
                    b = Vector512.Create(y4[c]);
                    c40 = Vector512.FusedMultiplyAdd(b, x0, c40); c41 = Vector512.FusedMultiplyAdd(b, x1, c41); c42 = Vector512.FusedMultiplyAdd(b, x2, c42);
                    b = Vector512.Create(y5[c]);
                    c50 = Vector512.FusedMultiplyAdd(b, x0, c50); c51 = Vector512.FusedMultiplyAdd(b, x1, c51); c52 = Vector512.FusedMultiplyAdd(b, x2, c52);
                    b = Vector512.Create(y6[c]);
                    c60 = Vector512.FusedMultiplyAdd(b, x0, c60); c61 = Vector512.FusedMultiplyAdd(b, x1, c61); c62 = Vector512.FusedMultiplyAdd(b, x2, c62);
                    b = Vector512.Create(y7[c]);
                    c70 = Vector512.FusedMultiplyAdd(b, x0, c70); c71 = Vector512.FusedMultiplyAdd(b, x1, c71); c72 = Vector512.FusedMultiplyAdd(b, x2, c72);
                }
                float* r = pa + (long)i0 * ld + j0;
                Sub(r, c00, c01, c02); r += ld;
                Sub(r, c10, c11, c12); r += ld;
                Sub(r, c20, c21, c22); r += ld;
                Sub(r, c30, c31, c32); r += ld;
                Sub(r, c40, c41, c42); r += ld;
                Sub(r, c50, c51, c52); r += ld;
                Sub(r, c60, c61, c62); r += ld;
                Sub(r, c70, c71, c72);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Sub(float* r, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2)
    {
        Vector512.Store(Vector512.Load(r) - v0, r);
        Vector512.Store(Vector512.Load(r + 16) - v1, r + 16);
        Vector512.Store(Vector512.Load(r + 32) - v2, r + 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void UpdateRowTile256(float[] a, float[] xt, float[] y, int ld, int ys, int nb, int i0)
    {
        const int columnTile = 24;
        int jEnd = i0 + 4; // columns 0 .. i0+3 cover the lower triangle of these rows // columns 0 .. i0+3 cover the lower triangle of these rows
        fixed (float* pa = a, px = xt, py = y)
        {
            float* y0 = py + i0 * ys, y1 = y0 + ys, y2 = y1 + ys, y3 = y2 + ys;
            // Skip all-zero tiles of Y (rows inside the pivot block).
            bool any = false;
            for (int c = 0; c < nb && !any; c++) any = y0[c] != 0 || y1[c] != 0 || y2[c] != 0 || y3[c] != 0;
            if (!any) return;
            for (int j0 = 0; j0 < jEnd; j0 += columnTile)
            {
                Vector256<float> c00 = default, c01 = default, c02 = default;
                Vector256<float> c10 = default, c11 = default, c12 = default;
                Vector256<float> c20 = default, c21 = default, c22 = default;
                Vector256<float> c30 = default, c31 = default, c32 = default;
                float* x = px + j0;
                for (int c = 0; c < nb; c++, x += ld)
                {
                    var x0 = Vector256.Load(x);
                    var x1 = Vector256.Load(x + 8);
                    var x2 = Vector256.Load(x + 16);
                    var b = Vector256.Create(y0[c]);
                    c00 = Vector256.FusedMultiplyAdd(b, x0, c00); c01 = Vector256.FusedMultiplyAdd(b, x1, c01); c02 = Vector256.FusedMultiplyAdd(b, x2, c02);
                    b = Vector256.Create(y1[c]);
                    c10 = Vector256.FusedMultiplyAdd(b, x0, c10); c11 = Vector256.FusedMultiplyAdd(b, x1, c11); c12 = Vector256.FusedMultiplyAdd(b, x2, c12);
                    b = Vector256.Create(y2[c]);
                    c20 = Vector256.FusedMultiplyAdd(b, x0, c20); c21 = Vector256.FusedMultiplyAdd(b, x1, c21); c22 = Vector256.FusedMultiplyAdd(b, x2, c22);
                    b = Vector256.Create(y3[c]);
                    c30 = Vector256.FusedMultiplyAdd(b, x0, c30); c31 = Vector256.FusedMultiplyAdd(b, x1, c31); c32 = Vector256.FusedMultiplyAdd(b, x2, c32);
                }
                float* r = pa + (long)i0 * ld + j0;
                Sub(r, c00, c01, c02); r += ld;
                Sub(r, c10, c11, c12); r += ld;
                Sub(r, c20, c21, c22); r += ld;
                Sub(r, c30, c31, c32);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Sub(float* r, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2)
    {
        Vector256.Store(Vector256.Load(r) - v0, r);
        Vector256.Store(Vector256.Load(r + 8) - v1, r + 8);
        Vector256.Store(Vector256.Load(r + 16) - v2, r + 16);
    }
}
