namespace Encore.Analytics.Audience;

/// <summary>
/// Multi-output ridge regression from sparse features to dense targets, with an intercept that is not penalized:
/// [W; b] = ([X 1]ᵀ[X 1] + diag(λ, .., λ, 0))⁻¹ [X 1]ᵀ Y, solved by a Cholesky factorization in double precision (the
/// features are few: hundreds to a few thousand). A row with no known feature predicts the intercept.
/// </summary>
internal sealed class RidgeRegression
{
    private readonly double[] _weights; // features x outputs
    private readonly double[] _mean;

    private RidgeRegression(int features, int outputs, double[] weights, double[] mean)
    {
        Features = features;
        Outputs = outputs;
        _weights = weights;
        _mean = mean;
    }

    public int Features { get; }
    public int Outputs { get; }

    /// <summary>Fits the rows' targets (row-major, <paramref name="outputs"/> per row) from their sparse features.</summary>
    /// <param name="rows">Each row's feature indices (ascending) and values.</param>
    public static RidgeRegression Fit(IReadOnlyList<(int[] Indices, float[] Values)> rows, ReadOnlySpan<double> targets, int features, int outputs, double lambda)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (lambda <= 0) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "the ridge penalty must be positive");
        int n = rows.Count;
        if (targets.Length != n * outputs) throw new ArgumentException($"{targets.Length} targets for {n} rows of {outputs} outputs");
        // The intercept is the last column, 1 in every row.
        int f = features + 1;
        var gram = new double[f * f];
        var rhs = new double[f * outputs];
        for (int r = 0; r < n; r++)
        {
            var (idx, val) = rows[r];
            for (int a = 0; a < idx.Length; a++)
            {
                int i = idx[a];
                double vi = val[a];
                for (int b = 0; b <= a; b++) gram[i * f + idx[b]] += vi * val[b];
                gram[features * f + i] += vi;
                for (int o = 0; o < outputs; o++) rhs[i * outputs + o] += vi * targets[r * outputs + o];
            }
            gram[features * f + features] += 1;
            for (int o = 0; o < outputs; o++) rhs[features * outputs + o] += targets[r * outputs + o];
        }
        // Indices ascend within a row, so only the lower triangle was filled.
        for (int i = 0; i < features; i++) gram[i * f + i] += lambda;
        gram[features * f + features] += 1e-9 * Math.Max(1, n); // keeps an empty fit solvable
        Cholesky(gram, f);
        SolveInPlace(gram, f, rhs, outputs);
        var intercept = rhs.AsSpan(features * outputs, outputs).ToArray();
        return new RidgeRegression(features, outputs, rhs, intercept);
    }

    /// <summary>The prediction for one row's features into <paramref name="result"/> (length <see cref="Outputs"/>).</summary>
    public void Predict(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<double> result)
    {
        if (result.Length < Outputs) throw new ArgumentException($"the result holds {result.Length} values, fewer than the {Outputs} outputs");
        _mean.CopyTo(result);
        for (int a = 0; a < indices.Length; a++)
        {
            int i = indices[a];
            double v = values[a];
            var w = _weights.AsSpan(i * Outputs, Outputs);
            for (int o = 0; o < Outputs; o++) result[o] += v * w[o];
        }
    }

    /// <summary>In-place lower Cholesky factor of the symmetric positive-definite <paramref name="a"/> (lower triangle read).</summary>
    private static void Cholesky(double[] a, int n)
    {
        for (int j = 0; j < n; j++)
        {
            var rowJ = a.AsSpan(j * n, j);
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= rowJ[k] * rowJ[k];
            if (d <= 0) throw new InvalidOperationException("the ridge system is not positive definite");
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            for (int i = j + 1; i < n; i++)
            {
                var rowI = a.AsSpan(i * n, j);
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= rowI[k] * rowJ[k];
                a[i * n + j] = s / d;
            }
        }
    }

    /// <summary>Solves L Lᵀ X = B for the <paramref name="m"/> columns of <paramref name="b"/> (row-major n x m), in place.</summary>
    private static void SolveInPlace(double[] l, int n, double[] b, int m)
    {
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < i; k++)
            {
                double lik = l[i * n + k];
                if (lik == 0) continue;
                for (int o = 0; o < m; o++) b[i * m + o] -= lik * b[k * m + o];
            }
            double d = l[i * n + i];
            for (int o = 0; o < m; o++) b[i * m + o] /= d;
        }
        for (int i = n - 1; i >= 0; i--)
        {
            for (int k = i + 1; k < n; k++)
            {
                double lki = l[k * n + i];
                if (lki == 0) continue;
                for (int o = 0; o < m; o++) b[i * m + o] -= lki * b[k * m + o];
            }
            double d = l[i * n + i];
            for (int o = 0; o < m; o++) b[i * m + o] /= d;
        }
    }
}
