namespace Encore.Models.Numerics;

/// <summary>
/// The eigen-decomposition G = V diag(values) V^T of a small symmetric matrix (a factor Gramian), in double: Householder
/// reduction to tridiagonal form, then the implicit QL method (the EISPACK tred2 / tql2 pair, as in JAMA), about 9 n^3
/// flops: about 2 ms for a 64 x 64 Gramian, 10 ms for 128 x 128. Deterministic.
/// </summary>
internal static class SymmetricEigen
{
    /// <summary>QL iterations allowed per eigenvalue (it takes about two).</summary>
    private const int MaxIterations = 64;

    /// <summary>
    /// Decomposes the leading <paramref name="n"/> x <paramref name="n"/> block of <paramref name="g"/> (row-major,
    /// <paramref name="stride"/> x <paramref name="stride"/>, symmetric; only that block is read). Returns the
    /// eigenvalues (<paramref name="stride"/> of them, 0 past n) and V (stride x stride, row-major: column j is the
    /// eigenvector of value j; the identity past n), orthogonal to float rounding. A row vector f is turned into the
    /// eigenbasis as f V, where f G f^T = sum_j values[j] (f V)_j^2. <c>Converged</c> is false when an eigenvalue took
    /// more than the allowed QL iterations (then V diagonalizes G only approximately: a caller that relies on V^T G V
    /// being diagonal should not use it).
    /// </summary>
    /// <exception cref="ArgumentException">The block holds a value that is not finite.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static (float[] Values, float[] Vectors, bool Converged) Decompose(ReadOnlySpan<float> g, int n, int stride)
    {
        if (n < 0 || n > stride) throw new ArgumentOutOfRangeException(nameof(n), n, $"the block must fit the stride {stride}");
        if (g.Length < stride * stride) throw new ArgumentException($"the matrix holds {g.Length} values; a {stride} x {stride} one needs {stride * stride}", nameof(g));
        var v = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (!float.IsFinite(g[i * stride + j])) throw new ArgumentException($"the matrix holds {g[i * stride + j]} at ({i}, {j})", nameof(g));
                v[i * n + j] = 0.5 * ((double)g[i * stride + j] + g[j * stride + i]);
            }
        var d = new double[n];
        var e = new double[n];
        bool converged = true;
        if (n > 0)
        {
            Tridiagonalize(v, d, e, n);
            converged = DiagonalizeTridiagonal(v, d, e, n);
        }
        var values = new float[stride];
        var vectors = new float[stride * stride];
        for (int j = 0; j < n; j++)
        {
            values[j] = (float)d[j];
            for (int i = 0; i < n; i++) vectors[i * stride + j] = (float)v[i * n + j];
        }
        for (int j = n; j < stride; j++) vectors[j * stride + j] = 1;
        return (values, vectors, converged);
    }

    /// <summary>
    /// Householder reduction of the symmetric matrix in <paramref name="v"/> (n x n, row-major) to tridiagonal form:
    /// diagonal <paramref name="d"/>, subdiagonal <paramref name="e"/> (e[0] = 0), and <paramref name="v"/> replaced by
    /// the orthogonal transformation (tred2).
    /// </summary>
    private static void Tridiagonalize(double[] v, double[] d, double[] e, int n)
    {
        for (int j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
        for (int i = n - 1; i > 0; i--)
        {
            double scale = 0, h = 0;
            for (int k = 0; k < i; k++) scale += Math.Abs(d[k]);
            if (scale == 0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++)
                {
                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0;
                    v[j * n + i] = 0;
                }
            }
            else
            {
                for (int k = 0; k < i; k++)
                {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double gg = Math.Sqrt(h);
                if (f > 0) gg = -gg;
                e[i] = scale * gg;
                h -= f * gg;
                d[i - 1] = f - gg;
                for (int j = 0; j < i; j++) e[j] = 0;
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    v[j * n + i] = f;
                    gg = e[j] + v[j * n + j] * f;
                    for (int k = j + 1; k <= i - 1; k++)
                    {
                        gg += v[k * n + j] * d[k];
                        e[k] += v[k * n + j] * f;
                    }
                    e[j] = gg;
                }
                f = 0;
                for (int j = 0; j < i; j++)
                {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) e[j] -= hh * d[j];
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    gg = e[j];
                    for (int k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + gg * d[k];
                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0;
                }
            }
            d[i] = h;
        }
        // Accumulate the transformations.
        for (int i = 0; i < n - 1; i++)
        {
            v[(n - 1) * n + i] = v[i * n + i];
            v[i * n + i] = 1;
            double h = d[i + 1];
            if (h != 0)
            {
                for (int k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
                for (int j = 0; j <= i; j++)
                {
                    double gg = 0;
                    for (int k = 0; k <= i; k++) gg += v[k * n + i + 1] * v[k * n + j];
                    for (int k = 0; k <= i; k++) v[k * n + j] -= gg * d[k];
                }
            }
            for (int k = 0; k <= i; k++) v[k * n + i + 1] = 0;
        }
        for (int j = 0; j < n; j++)
        {
            d[j] = v[(n - 1) * n + j];
            v[(n - 1) * n + j] = 0;
        }
        v[(n - 1) * n + n - 1] = 1;
        e[0] = 0;
    }

    /// <summary>
    /// The implicit QL method with shifts on the tridiagonal (<paramref name="d"/>, <paramref name="e"/>), the
    /// rotations applied to <paramref name="v"/>'s columns (tql2): d becomes the eigenvalues, v's columns the
    /// eigenvectors. Returns false when an eigenvalue took more than <see cref="MaxIterations"/> iterations.
    /// </summary>
    private static bool DiagonalizeTridiagonal(double[] v, double[] d, double[] e, int n)
    {
        for (int i = 1; i < n; i++) e[i - 1] = e[i];
        e[n - 1] = 0;
        double f = 0, tst1 = 0;
        const double eps = 2.220446049250313e-16; // 2^-52
        for (int l = 0; l < n; l++)
        {
            // Find a small subdiagonal element.
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n && Math.Abs(e[m]) > eps * tst1) m++;
            if (m == n) m = n - 1;
            if (m > l)
            {
                int iterations = 0;
                do
                {
                    if (++iterations > MaxIterations) return false;
                    // The implicit shift.
                    double gg = d[l];
                    double p = (d[l + 1] - gg) / (2 * e[l]);
                    double r = double.Hypot(p, 1);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = gg - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    f += h;
                    // The implicit QL transformation.
                    p = d[m];
                    double c = 1, c2 = 1, c3 = 1;
                    double el1 = e[l + 1];
                    double s = 0, s2 = 0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        gg = c * e[i];
                        h = c * p;
                        r = double.Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * gg;
                        d[i + 1] = h + s * (c * gg + s * d[i]);
                        for (int k = 0; k < n; k++)
                        {
                            h = v[k * n + i + 1];
                            v[k * n + i + 1] = s * v[k * n + i] + c * h;
                            v[k * n + i] = c * v[k * n + i] - s * h;
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                }
                while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
        return true;
    }
}
