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
    private const int RowTile = 4;
    private const int ColumnTile = 24;

    /// <summary>The leading dimension to allocate for an n x n matrix (rows and columns padded for the kernel).</summary>
    public static int PaddedSize(int n) => (n + ColumnTile - 1) / ColumnTile * ColumnTile;

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
            // X^T[c, j] = A[k0 + c, j], read from the lower triangle.
            Array.Clear(xt);
            for (int c = 0; c < nb; c++)
            {
                int r = k0 + c;
                var row = xt.AsSpan(c * ld, ld);
                a.AsSpan(r * ld, r + 1).CopyTo(row);
                for (int j = r + 1; j < n; j++) row[j] = a[j * ld + r];
            }
            // D = inverse of the pivot block (double, through Cholesky).
            for (int r = 0; r < nb; r++)
                for (int c = 0; c < nb; c++) d[r * nb + c] = xt[r * ld + k0 + c];
            try { DenseCholesky.Factor(d.AsSpan(0, nb * nb), nb); }
            catch (ArithmeticException e) { throw new ArithmeticException($"matrix is not positive definite (block at {k0}: {e.Message})", e); }
            DenseCholesky.Invert(d.AsSpan(0, nb * nb), nb, dInv.AsSpan(0, nb * nb));
            Array.Clear(dFloat);
            for (int r = 0; r < nb; r++)
                for (int c = 0; c < nb; c++) dFloat[r * blockSize + c] = (float)dInv[r * nb + c];
            // Y[i, :] = X[i, :] D for rows outside the block (zero inside it and in the padding).
            Array.Clear(y);
            Parallel.For(0, (n + 63) / 64, po, chunk =>
            {
                int end = Math.Min(n, (chunk + 1) * 64);
                for (int i = chunk * 64; i < end; i++)
                {
                    if (i >= k0 && i < k1) continue;
                    var yi = y.AsSpan(i * blockSize, blockSize);
                    for (int c = 0; c < nb; c++)
                    {
                        float x = xt[c * ld + i];
                        if (x != 0) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(dFloat.AsSpan(c * blockSize, blockSize), x, yi, yi);
                    }
                }
            });
            // Lower triangle: A[i, j] -= Y[i, :] . X[j, :] (rows in the block are unchanged as their Y is zero).
            int rowTiles = (n + RowTile - 1) / RowTile;
            Parallel.For(0, rowTiles, po, t => UpdateRowTile(a, xt, y, ld, blockSize, nb, t * RowTile));
            // The pivot block's column becomes Y, and the pivot block becomes -D.
            for (int i = 0; i < n; i++)
            {
                if (i >= k0 && i < k1) continue;
                for (int c = 0; c < nb; c++)
                {
                    if (i > k0 + c) a[i * ld + k0 + c] = y[i * blockSize + c];
                    else a[(k0 + c) * ld + i] = y[i * blockSize + c];
                }
            }
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
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) a[i * ld + j] = a[j * ld + i];
    }

    private static unsafe void UpdateRowTile(float[] a, float[] xt, float[] y, int ld, int ys, int nb, int i0)
    {
        int jEnd = i0 + RowTile; // columns 0 .. i0+3 cover the lower triangle of these rows
        fixed (float* pa = a, px = xt, py = y)
        {
            float* y0 = py + i0 * ys, y1 = y0 + ys, y2 = y1 + ys, y3 = y2 + ys;
            // Skip all-zero tiles of Y (rows inside the pivot block).
            bool any = false;
            for (int c = 0; c < nb && !any; c++) any = y0[c] != 0 || y1[c] != 0 || y2[c] != 0 || y3[c] != 0;
            if (!any) return;
            for (int j0 = 0; j0 < jEnd; j0 += ColumnTile)
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
