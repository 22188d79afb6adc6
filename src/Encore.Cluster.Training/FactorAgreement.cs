using System.Numerics.Tensors;
using Encore.Models.Numerics;

namespace Encore.Cluster.Training;

/// <summary>How closely two factorizations of the same matrix agree (see <see cref="FactorAgreement.Compare"/>).</summary>
/// <param name="MaxDifference">The largest |score difference| over the members compared and every title.</param>
/// <param name="MaxScore">The largest |score| of the first factorization over the same scores.</param>
/// <param name="SameTopShare">The share of members compared whose top 20 titles (by score, unfiltered) are the same set (1 when none were compared).</param>
/// <param name="Members">How many members were compared (members with no interaction are skipped).</param>
public readonly record struct FactorAgreementResult(double MaxDifference, double MaxScore, double SameTopShare, int Members);

/// <summary>
/// The check that the distributed iALS gives the single-node model: every score x_u . y_t of two factorizations compared,
/// member by member, with the top 20 of each.
/// </summary>
public static class FactorAgreement
{
    private const int TopCount = 20;

    /// <summary>
    /// Compares the factorization (<paramref name="x1"/>, <paramref name="y1"/>) with (<paramref name="x2"/>,
    /// <paramref name="y2"/>) of <paramref name="matrix"/> (rows padded to <paramref name="stride"/> floats), over every
    /// <paramref name="memberStep"/>-th member.
    /// </summary>
    /// <param name="matrix">The member x title matrix both were fitted on (members without interactions are skipped).</param>
    /// <param name="x1">The first member factors.</param>
    /// <param name="y1">The first title factors.</param>
    /// <param name="x2">The second member factors.</param>
    /// <param name="y2">The second title factors.</param>
    /// <param name="stride">Floats per factor row.</param>
    /// <param name="memberStep">Compare member 0, memberStep, 2 memberStep, ... (1: all).</param>
    public static FactorAgreementResult Compare(SparseMatrix matrix, float[] x1, float[] y1, float[] x2, float[] y2, int stride, int memberStep = 1)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentOutOfRangeException.ThrowIfLessThan(memberStep, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        long members = matrix.Rows, titles = matrix.Columns;
        foreach (var (f, rows, name) in new[] { (x1, members, nameof(x1)), (x2, members, nameof(x2)), (y1, titles, nameof(y1)), (y2, titles, nameof(y2)) })
            if (f is null || f.LongLength != rows * stride)
                throw new ArgumentException($"{name} holds {f?.LongLength ?? 0} floats, not {rows} rows x {stride}", name);
        double maxDiff = 0, maxScore = 0;
        int same = 0, compared = 0;
        var s1 = new float[matrix.Columns];
        var s2 = new float[matrix.Columns];
        var top1 = new int[matrix.Columns];
        var top2 = new int[matrix.Columns];
        for (int u = 0; u < matrix.Rows; u += memberStep)
        {
            if (matrix.Pointers[u + 1] == matrix.Pointers[u]) continue;
            compared++;
            var xu1 = x1.AsSpan(u * stride, stride);
            var xu2 = x2.AsSpan(u * stride, stride);
            for (int t = 0; t < s1.Length; t++)
            {
                s1[t] = TensorPrimitives.Dot(xu1, y1.AsSpan(t * stride, stride));
                s2[t] = TensorPrimitives.Dot(xu2, y2.AsSpan(t * stride, stride));
                maxDiff = Math.Max(maxDiff, Math.Abs(s1[t] - s2[t]));
                maxScore = Math.Max(maxScore, Math.Abs(s1[t]));
            }
            if (SameTop(s1, s2, top1, top2)) same++;
        }
        return new FactorAgreementResult(maxDiff, maxScore, compared == 0 ? 1 : (double)same / compared, compared);
    }

    // The top 20 of each, by score then title number, as sets.
    private static bool SameTop(float[] s1, float[] s2, int[] order1, int[] order2)
    {
        int k = Math.Min(TopCount, s1.Length);
        Order(s1, order1);
        Order(s2, order2);
        var first = order1.AsSpan(0, k);
        var second = order2.AsSpan(0, k);
        first.Sort();
        second.Sort();
        return first.SequenceEqual(second);
    }

    private static void Order(float[] scores, int[] order)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => scores[b] != scores[a] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));
    }
}
