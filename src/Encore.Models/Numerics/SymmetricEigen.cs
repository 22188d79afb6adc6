namespace Encore.Models.Numerics;

/// <summary>
/// The eigen-decomposition G = V diag(values) V^T of a small symmetric matrix (a factor Gramian) by cyclic Jacobi
/// rotations in double: sweeps over every off-diagonal pair until the off-diagonal part is below double rounding of
/// the diagonal. About 8 sweeps of n^2 / 2 rotations for a 64 x 64 Gramian (a few milliseconds); deterministic.
/// </summary>
internal static class SymmetricEigen
{
    private const int MaxSweeps = 64;

    /// <summary>
    /// Decomposes the leading <paramref name="n"/> x <paramref name="n"/> block of <paramref name="g"/> (row-major,
    /// <paramref name="stride"/> x <paramref name="stride"/>, symmetric; only that block is read). Returns the
    /// eigenvalues (<paramref name="stride"/> of them, 0 past n) and V (stride x stride, row-major: column j is the
    /// eigenvector of value j; the identity past n), orthogonal to float rounding. A row vector f is turned into the
    /// eigenbasis as f V, where f G f^T = sum_j values[j] (f V)_j^2.
    /// </summary>
    public static (float[] Values, float[] Vectors) Decompose(ReadOnlySpan<float> g, int n, int stride)
    {
        if (n < 0 || n > stride) throw new ArgumentOutOfRangeException(nameof(n), n, $"the block must fit the stride {stride}");
        if (g.Length < stride * stride) throw new ArgumentException($"the matrix holds {g.Length} values; a {stride} x {stride} one needs {stride * stride}", nameof(g));
        var a = new double[n * n];
        var v = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) a[i * n + j] = 0.5 * ((double)g[i * stride + j] + g[j * stride + i]);
            v[i * n + i] = 1;
        }
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double off = 0, diagonal = 0;
            for (int i = 0; i < n; i++)
            {
                diagonal += a[i * n + i] * a[i * n + i];
                for (int j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
            }
            if (off <= 1e-30 * diagonal || off == 0) break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                    Rotate(a, v, n, p, q);
        }
        var values = new float[stride];
        var vectors = new float[stride * stride];
        for (int j = 0; j < n; j++)
        {
            values[j] = (float)a[j * n + j];
            for (int i = 0; i < n; i++) vectors[i * stride + j] = (float)v[i * n + j];
        }
        for (int j = n; j < stride; j++) vectors[j * stride + j] = 1;
        return (values, vectors);
    }

    /// <summary>A = J^T A J and V = V J for the rotation J in the (p, q) plane that zeroes a[p, q].</summary>
    private static void Rotate(double[] a, double[] v, int n, int p, int q)
    {
        double apq = a[p * n + q];
        double app = a[p * n + p], aqq = a[q * n + q];
        if (Math.Abs(apq) <= 1e-300 || Math.Abs(apq) <= 1e-18 * Math.Sqrt(Math.Abs(app * aqq)))
        {
            a[p * n + q] = a[q * n + p] = 0;
            return;
        }
        double theta = (aqq - app) / (2 * apq);
        double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        if (theta == 0) t = 1;
        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++)
        {
            // Columns p and q.
            double akp = a[k * n + p], akq = a[k * n + q];
            a[k * n + p] = c * akp - s * akq;
            a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++)
        {
            // Rows p and q.
            double apk = a[p * n + k], aqk = a[q * n + k];
            a[p * n + k] = c * apk - s * aqk;
            a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = a[q * n + p] = 0;
        for (int k = 0; k < n; k++)
        {
            double vkp = v[k * n + p], vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
        }
    }
}
