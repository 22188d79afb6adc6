using Encore.Models.Numerics;
using Encore.Models.Ials;

namespace Encore.Cluster.Training;

/// <summary>
/// A shard's members' entries by title (the transpose of its own member rows, built once at set-up) and the sums a
/// title's conjugate-gradient solve needs over them: the shard's part of the sparse term of the residual and of each
/// step's A p, for every title at once. The per-entry coefficients are the single-node solver's (confidence
/// c = 1 + alpha |w|; a negative weight is preference 0), and so are the member rows they gather: the bfloat16 copy
/// (<see cref="CompactFactors"/>) the single-node title half-iteration reads, so the shards' parts add up to the
/// single-node sums.
/// </summary>
internal sealed unsafe class ShardTitleSums : IDisposable
{
    /// <summary>Entries widened at a time.</summary>
    private const int Chunk = 64;

    private readonly CompactFactors _compact = new();
    private readonly SparseMatrix _byTitle;
    private readonly float[] _u;
    private readonly float[] _v;
    private readonly float[] _d;
    private readonly float[] _zero;
    private readonly int _kp;

    /// <summary>The entries of <paramref name="memberRows"/> (local members x all titles) by title, with their coefficients.</summary>
    public ShardTitleSums(SparseMatrix memberRows, float alpha, float a0, int kp)
    {
        ArgumentNullException.ThrowIfNull(memberRows);
        _byTitle = memberRows.Transpose();
        _kp = kp;
        int n = _byTitle.NonZeros;
        _u = new float[n];
        _v = new float[n];
        _d = new float[n];
        IalsSolver.Coefficients(_byTitle.Values, alpha, a0, _u, _v, _d);
        int longest = 0;
        for (int t = 0; t < _byTitle.Rows; t++) longest = Math.Max(longest, _byTitle.Pointers[t + 1] - _byTitle.Pointers[t]);
        _zero = new float[longest + 1];
    }

    /// <summary>Titles of the whole matrix.</summary>
    public int Titles => _byTitle.Rows;

    /// <summary>
    /// For every title t: sum over the shard's members u who have t of (u_e + v_e (x_u . y_t)) x_u, with
    /// u_e = c (0 for negative evidence) and v_e = -(c - a0): the shard's part of the residual's sparse term
    /// (titles x kp floats; 0 for titles none of its members has).
    /// </summary>
    /// <param name="x">The shard's member factors (local rows x kp), just solved: their compact copy is taken here and
    /// read by the <see cref="DirectionSums"/> calls that follow.</param>
    /// <param name="y">Every title's factors (titles x kp).</param>
    public float[] ResidualSums(float[] x, float[] y)
    {
        _compact.From(x, x.Length / _kp, _kp);
        var result = new float[(long)Titles * _kp];
        Sum(null, Titles, y, _u, _v, result);
        return result;
    }

    /// <summary>
    /// For each listed title t_i: sum over the shard's members who have it of (c - a0) (x_u . p_i) x_u, with p_i row i
    /// of <paramref name="directions"/>: the shard's part of the sparse term of A p_i (titles.Length x kp floats).
    /// </summary>
    /// <param name="titles">The titles asked for, each in 0..<see cref="Titles"/>.</param>
    /// <param name="directions">One direction per listed title (titles.Length x kp).</param>
    /// <exception cref="InvalidOperationException">No member factors yet (<see cref="ResidualSums"/> comes first).</exception>
    public float[] DirectionSums(int[] titles, float[] directions)
    {
        if (_compact.Length == 0) throw new InvalidOperationException("direction sums before the member half-iteration's residual sums");
        var result = new float[(long)titles.Length * _kp];
        Sum(titles, titles.Length, directions, null, _d, result);
        return result;
    }

    /// <summary>Frees the compact copy of the member factors.</summary>
    public void Dispose() => _compact.Dispose();

    // result row i += sum over title t_i's entries e of (u_e + v_e (x_e . q_i)) x_e; t_i = titles[i] (i where null),
    // q_i = q row t_i when titles is null, else row i; u null: 0. Parallel over chunks of about equal entries.
    private void Sum(int[]? titles, int count, float[] q, float[]? u, float[] v, float[] result)
    {
        ushort* px = _compact.Bits;
        var pointers = _byTitle.Pointers;
        var bounds = Chunks(pointers, titles, count, _kp);
        var indices = _byTitle.Indices;
        var zero = _zero;
        int kp = _kp;
        Parallel.For(0, bounds.Length - 1, c =>
        {
            var buffer = System.Buffers.ArrayPool<float>.Shared.Rent(Chunk * kp);
            try
            {
                fixed (float* pq = q, pu = u, pv = v, pr = result, pz = zero, widened = buffer)
                fixed (int* pi = indices)
                {
                    for (int i = bounds[c]; i < bounds[c + 1]; i++)
                    {
                        int t = titles is null ? i : titles[i];
                        int from = pointers[t], n = pointers[t + 1] - from;
                        if (n == 0) continue;
                        float* row = (titles is null ? pq + (long)t * kp : pq + (long)i * kp);
                        float* coefU = pu is null ? pz : pu + from, coefV = pv + from, acc = pr + (long)i * kp;
                        for (int start = 0; start < n; start += Chunk)
                        {
                            int take = Math.Min(Chunk, n - start);
                            CompactFactors.Gather(px, pi + from + start, take, widened, kp, prefetch: 8);
                            FactorKernels.AddWeightedDenseRows(widened, coefU + start, coefV + start, take, row, acc, kp);
                        }
                    }
                }
            }
            finally
            {
                System.Buffers.ArrayPool<float>.Shared.Return(buffer);
            }
        });
    }

    // Boundaries over the listed titles with about equal work each (entries + kp / 2 a title, as the single-node solver
    // counts a row's cost): about 32 chunks a core.
    private static int[] Chunks(int[] pointers, int[]? titles, int count, int kp)
    {
        long rowCost = kp / 2;
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            int t = titles is null ? i : titles[i];
            total += pointers[t + 1] - pointers[t] + rowCost;
        }
        long target = Math.Max(1, total / (32L * Environment.ProcessorCount));
        var bounds = new List<int>(32 * Environment.ProcessorCount + 2) { 0 };
        long cost = 0;
        for (int i = 0; i < count; i++)
        {
            int t = titles is null ? i : titles[i];
            cost += pointers[t + 1] - pointers[t] + rowCost;
            if (cost >= target)
            {
                bounds.Add(i + 1);
                cost = 0;
            }
        }
        if (bounds[^1] != count) bounds.Add(count);
        return bounds.ToArray();
    }
}
