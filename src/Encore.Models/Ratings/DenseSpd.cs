namespace Encore.Models.Ratings;

/// <summary>
/// Small dense symmetric positive-definite algebra on row-major n x n spans of doubles (n is a model's rank,
/// tens at most): Cholesky, triangular solves and the inverse. No allocation.
/// </summary>
internal static class DenseSpd
{
    /// <summary>Overwrites the lower triangle of <paramref name="a"/> with L, where A = L Lᵀ. False when A is not positive definite.</summary>
    public static bool Cholesky(Span<double> a, int n)
    {
        for (int j = 0; j < n; j++)
        {
            var rowJ = a.Slice(j * n, j);
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= rowJ[k] * rowJ[k];
            if (!(d > 0)) return false;
            double ljj = Math.Sqrt(d);
            a[j * n + j] = ljj;
            double inv = 1 / ljj;
            for (int i = j + 1; i < n; i++)
            {
                var rowI = a.Slice(i * n, j);
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= rowI[k] * rowJ[k];
                a[i * n + j] = s * inv;
            }
        }
        return true;
    }

    /// <summary>Solves L y = b in place (b becomes y); L is the lower triangle of <paramref name="l"/>.</summary>
    public static void SolveLower(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            var row = l.Slice(i * n, i);
            for (int k = 0; k < i; k++) s -= row[k] * b[k];
            b[i] = s / l[i * n + i];
        }
    }

    /// <summary>Solves Lᵀ x = b in place (b becomes x); L is the lower triangle of <paramref name="l"/>.</summary>
    public static void SolveLowerTransposed(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }

    /// <summary>Writes A⁻¹ (full, symmetric) into <paramref name="inverse"/> from A's Cholesky factor in <paramref name="l"/>.</summary>
    public static void InverseFromCholesky(ReadOnlySpan<double> l, int n, Span<double> inverse, Span<double> column)
    {
        for (int c = 0; c < n; c++)
        {
            column[..n].Clear();
            column[c] = 1;
            SolveLower(l, n, column);
            SolveLowerTransposed(l, n, column);
            for (int r = 0; r < n; r++) inverse[r * n + c] = column[r];
        }
        // Symmetrize against rounding.
        for (int r = 0; r < n; r++)
            for (int c = r + 1; c < n; c++)
            {
                double v = 0.5 * (inverse[r * n + c] + inverse[c * n + r]);
                inverse[r * n + c] = v;
                inverse[c * n + r] = v;
            }
    }
}
