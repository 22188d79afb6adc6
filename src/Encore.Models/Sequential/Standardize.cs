using System.Numerics.Tensors;

namespace Encore.Models.Sequential;

/// <summary>
/// Puts score vectors of different models on one scale before they are blended: (x - mean) / sd, the mean and
/// sd taken over the titles that can be recommended (a member's history left out).
/// </summary>
public static class Standardize
{
    /// <summary>Standardizes <paramref name="scores"/> in place, leaving out <paramref name="excluded"/> from the statistics; a constant vector becomes 0.</summary>
    public static void InPlace(Span<float> scores, ReadOnlySpan<int> excluded = default)
    {
        double sum = TensorPrimitives.Sum<float>(scores);
        double squares = TensorPrimitives.SumOfSquares<float>(scores);
        int n = scores.Length;
        foreach (var t in excluded)
        {
            if ((uint)t >= (uint)scores.Length) continue;
            sum -= scores[t];
            squares -= (double)scores[t] * scores[t];
            n--;
        }
        if (n <= 0)
        {
            scores.Clear();
            return;
        }
        double mean = sum / n;
        double variance = Math.Max(0, squares / n - mean * mean);
        double sd = Math.Sqrt(variance);
        if (sd < 1e-12 * Math.Max(1, Math.Abs(mean)))
        {
            scores.Clear();
            return;
        }
        TensorPrimitives.Subtract(scores, (float)mean, scores);
        TensorPrimitives.Multiply(scores, (float)(1 / sd), scores);
    }
}
