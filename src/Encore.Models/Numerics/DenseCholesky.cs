namespace Encore.Models.Numerics;

/// <summary>
/// Dense Cholesky factorization A = L L^T of a small symmetric positive-definite matrix (row-major, double),
/// with solves and the inverse. Used for per-member fold-in solves (factors x factors) and the diagonal blocks
/// of <see cref="SymmetricInverse"/>.
/// </summary>
public static class DenseCholesky
{
    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> (n x n, row-major) with L; the upper triangle is
    /// not read. Throws when the matrix is not positive definite, naming the failing pivot.
    /// </summary>
    public static void Factor(Span<double> a, int n)
    {
        if (a.Length < n * n) throw new ArgumentException($"matrix holds {a.Length} values; n*n is {n * n}", nameof(a));
        for (int j = 0; j < n; j++)
        {
            var rowJ = a.Slice(j * n, j);
            double d = a[j * n + j] - Dot(rowJ, rowJ);
            if (!(d > 0)) throw new ArithmeticException($"matrix is not positive definite (pivot {j} is {d})");
            double ljj = Math.Sqrt(d);
            a[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++)
                a[i * n + j] = (a[i * n + j] - Dot(a.Slice(i * n, j), rowJ)) / ljj;
        }
    }

    /// <summary>Solves L L^T x = b in place (b becomes x), given the factor from <see cref="Factor"/>.</summary>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
            b[i] = (b[i] - Dot(l.Slice(i * n, i), b[..i])) / l[i * n + i];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }

    /// <summary>Writes A^{-1} (full, symmetric) into <paramref name="inverse"/>, given the factor of A.</summary>
    public static void Invert(ReadOnlySpan<double> l, int n, Span<double> inverse)
    {
        Span<double> column = n <= 512 ? stackalloc double[n] : new double[n];
        for (int j = 0; j < n; j++)
        {
            column.Clear();
            column[j] = 1;
            Solve(l, n, column);
            for (int i = 0; i < n; i++) inverse[i * n + j] = column[i];
        }
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        => x.Length == 0 ? 0 : System.Numerics.Tensors.TensorPrimitives.Dot(x, y);
}
