using Encore.Models.Numerics;
using Xunit;

namespace Encore.Models.Tests;

public sealed class LinearAlgebraTests
{
    private static double[] RandomSpd(int n, int seed)
    {
        var rng = new Random(seed);
        var m = new double[n * n];
        for (int i = 0; i < m.Length; i++) m[i] = rng.NextDouble() - 0.5;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += m[i * n + k] * m[j * n + k];
                a[i * n + j] = s + (i == j ? n * 0.1 : 0);
            }
        return a;
    }

    /// <summary>Naive Gauss-Jordan with partial pivoting, the reference.</summary>
    private static double[] NaiveInverse(double[] a, int n)
    {
        var m = (double[])a.Clone();
        var inv = new double[n * n];
        for (int i = 0; i < n; i++) inv[i * n + i] = 1;
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(m[r * n + c]) > Math.Abs(m[pivot * n + c])) pivot = r;
            for (int k = 0; k < n; k++)
            {
                (m[c * n + k], m[pivot * n + k]) = (m[pivot * n + k], m[c * n + k]);
                (inv[c * n + k], inv[pivot * n + k]) = (inv[pivot * n + k], inv[c * n + k]);
            }
            double p = m[c * n + c];
            for (int k = 0; k < n; k++) { m[c * n + k] /= p; inv[c * n + k] /= p; }
            for (int r = 0; r < n; r++)
            {
                if (r == c) continue;
                double f = m[r * n + c];
                for (int k = 0; k < n; k++) { m[r * n + k] -= f * m[c * n + k]; inv[r * n + k] -= f * inv[c * n + k]; }
            }
        }
        return inv;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(33)]
    public void Cholesky_solve_matches_a_naive_solve(int n)
    {
        var a = RandomSpd(n, n);
        var rng = new Random(3);
        var b = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var naive = NaiveInverse(a, n);
        var expected = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) expected[i] += naive[i * n + j] * b[j];
        var l = (double[])a.Clone();
        DenseCholesky.Factor(l, n);
        var x = (double[])b.Clone();
        DenseCholesky.Solve(l, n, x);
        for (int i = 0; i < n; i++) Assert.Equal(expected[i], x[i], 8);
        var inverse = new double[n * n];
        DenseCholesky.Invert(l, n, inverse);
        for (int i = 0; i < n * n; i++) Assert.Equal(naive[i], inverse[i], 8);
    }

    [Fact]
    public void Cholesky_rejects_a_matrix_that_is_not_positive_definite()
    {
        var a = new double[] { 1, 2, 2, 1 };
        var e = Assert.Throws<ArithmeticException>(() => DenseCholesky.Factor(a, 2));
        Assert.Contains("pivot 1", e.Message);
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(7, 64)]
    [InlineData(64, 64)]
    [InlineData(65, 64)]
    [InlineData(150, 64)]
    [InlineData(150, 16)]
    [InlineData(200, 128)]
    public void Blocked_symmetric_inverse_matches_a_naive_inverse(int n, int block)
    {
        var a = RandomSpd(n, n + block);
        int ld = SymmetricInverse.PaddedSize(n);
        var f = new float[ld * ld];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) f[i * ld + j] = (float)a[i * n + j];
        SymmetricInverse.InvertLower(f, n, block, ct: TestContext.Current.CancellationToken);
        SymmetricInverse.MirrorLower(f, n);
        var naive = NaiveInverse(a, n);
        double scale = naive.Max(Math.Abs);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Assert.True(Math.Abs(naive[i * n + j] - f[i * ld + j]) < 1e-4 * scale, $"({i},{j}): {f[i * ld + j]} vs {naive[i * n + j]}");
    }

    [Fact]
    public void Symmetric_inverse_rejects_a_matrix_that_is_not_positive_definite()
    {
        int n = 3, ld = SymmetricInverse.PaddedSize(n);
        var f = new float[ld * ld];
        f[0] = 1; f[ld] = 2; f[ld + 1] = 1; f[2 * ld + 2] = 1;
        Assert.Throws<ArithmeticException>(() => SymmetricInverse.InvertLower(f, n, ct: TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(5, 16, 200)]
    [InlineData(64, 64, 5000)]
    [InlineData(100, 112, 40)] // rank 40 of 100: sixty eigenvalues 0
    public void Symmetric_eigen_decomposition_rebuilds_the_gramian_from_orthonormal_vectors(int n, int stride, int rows)
    {
        var rng = new Random(n);
        var f = new float[rows * stride];
        for (int r = 0; r < rows; r++) for (int k = 0; k < n; k++) f[r * stride + k] = (float)(rng.NextDouble() - 0.3) * (1 + k % 7);
        var g = FactorKernels.Gramian(f, rows, stride, 0.5f, TestContext.Current.CancellationToken);
        var (values, v, converged) = SymmetricEigen.Decompose(g, n, stride);
        Assert.True(converged);
        double scale = g.Max(Math.Abs);
        for (int i = 0; i < stride; i++)
            for (int j = 0; j < stride; j++)
            {
                double rebuilt = 0, gram = 0;
                for (int k = 0; k < stride; k++)
                {
                    rebuilt += (double)v[i * stride + k] * values[k] * v[j * stride + k];
                    gram += (double)v[k * stride + i] * v[k * stride + j];
                }
                Assert.True(Math.Abs(rebuilt - g[i * stride + j]) <= 1e-5 * scale, $"V diag V^T ({i},{j}) = {rebuilt}, G = {g[i * stride + j]}");
                Assert.True(Math.Abs(gram - (i == j ? 1 : 0)) <= 1e-5, $"V^T V ({i},{j}) = {gram}");
            }
        // Past the block: eigenvalue 0, the basis vector itself (padding stays padding).
        for (int j = n; j < stride; j++) Assert.Equal(0f, values[j]);
        for (int i = 0; i < stride; i++) for (int j = n; j < stride; j++) Assert.Equal(i == j ? 1f : 0f, v[i * stride + j]);
        Assert.Contains(values, e => e > 1e-3 * scale);
    }

    [Fact]
    public void Symmetric_eigen_decomposition_refuses_a_value_that_is_not_finite_and_says_where()
    {
        var g = new float[16 * 16];
        for (int i = 0; i < 4; i++) g[i * 16 + i] = 1;
        g[2 * 16 + 1] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose(g, 4, 16));
        Assert.Contains("NaN at (2, 1)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5000, 5)]
    [InlineData(5003, 5)]  // rows beyond the last block of four
    [InlineData(2051, 64)] // no padding, two blocks of rows
    public void Gramian_matches_the_definition(int rows, int factors)
    {
        int kp = FactorKernels.Stride(factors);
        var rng = new Random(1);
        var f = new float[rows * kp];
        for (int r = 0; r < rows; r++) for (int k = 0; k < factors; k++) f[r * kp + k] = (float)rng.NextDouble();
        var g = FactorKernels.Gramian(f, rows, kp, 2f, TestContext.Current.CancellationToken);
        for (int i = 0; i < kp; i++)
            for (int j = 0; j < kp; j++)
            {
                double s = 0;
                for (int r = 0; r < rows; r++) s += (double)f[r * kp + i] * f[r * kp + j];
                Assert.Equal(2 * s, g[i * kp + j], 2 * s * 1e-5);
            }
    }

    [Theory]
    [InlineData(16, 1)]
    [InlineData(48, 37)]   // a block of 32 floats and one of 16; a chunk and a part of one
    [InlineData(64, 300)]
    [InlineData(64, 1)]
    [InlineData(64, 7)]    // pairs of rows and one more
    [InlineData(128, 65)]
    [InlineData(80, 33)]   // a block of 64 floats and one of 16
    public unsafe void Weighted_row_sums_match_the_definition_gathered_and_in_order(int kp, int n)
    {
        var rng = new Random(kp + n);
        int titles = 500;
        var y = new float[titles * kp];
        for (int i = 0; i < y.Length; i++) y[i] = (float)(rng.NextDouble() - 0.5);
        var indices = new int[n];
        var u = new float[n];
        var v = new float[n];
        for (int e = 0; e < n; e++) { indices[e] = rng.Next(titles); u[e] = (float)rng.NextDouble(); v[e] = (float)(rng.NextDouble() - 0.5); }
        var q = new float[kp];
        var start = new float[kp];
        for (int k = 0; k < kp; k++) { q[k] = (float)(rng.NextDouble() - 0.5); start[k] = (float)rng.NextDouble(); }
        var expected = new double[kp];
        for (int k = 0; k < kp; k++) expected[k] = start[k];
        for (int e = 0; e < n; e++)
        {
            double dot = 0;
            for (int k = 0; k < kp; k++) dot += (double)y[indices[e] * kp + k] * q[k];
            double c = u[e] + v[e] * dot;
            for (int k = 0; k < kp; k++) expected[k] += c * y[indices[e] * kp + k];
        }
        var gathered = (float[])start.Clone();
        var ordered = (float[])start.Clone();
        var copy = new float[n * kp];
        fixed (float* py = y, pu = u, pv = v, pq = q, pg = gathered, po = ordered, pcopy = copy)
        fixed (int* pi = indices)
        {
            FactorKernels.AddWeightedRows(py, pi, pu, pv, 0, n, pq, pg, kp);
            for (int e = 0; e < n; e++) y.AsSpan(indices[e] * kp, kp).CopyTo(copy.AsSpan(e * kp, kp));
            FactorKernels.AddWeightedDenseRows(pcopy, pu, pv, n, pq, po, kp);
        }
        for (int k = 0; k < kp; k++)
        {
            Assert.Equal(expected[k], gathered[k], 1e-4);
            Assert.Equal(expected[k], ordered[k], 1e-4);
        }
    }
}
