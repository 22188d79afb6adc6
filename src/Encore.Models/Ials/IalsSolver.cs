using Encore.Models.Numerics;

namespace Encore.Models.Ials;

/// <summary>
/// One half-iteration of iALS: re-solves every row of <c>x</c> (members, or titles) against the fixed factors
/// <c>y</c> of the other side with a few warm-started conjugate-gradient steps on
/// (G + sum_i (c_i - a0) y_i y_i^T + lambda_r I) x = sum_i c_i y_i, G = a0 Y^T Y. The rows y_i are gathered from a
/// bfloat16 copy of <c>y</c> (<see cref="CompactFactors"/>: half the bytes of each random read, which is what bounds
/// iALS at scale) and widened to floats once per row; G and the arithmetic are in float. Rows are independent, so the
/// result does not depend on thread timing.
/// </summary>
internal static unsafe class IalsSolver
{
    /// <summary>How many entries past the current row's end the rows of the next entries are asked for.</summary>
    private const int PrefetchDistance = 48;

    /// <summary>How many entries ahead, inside a row, the rows being widened are asked for.</summary>
    private const int InRow = 8;

    /// <summary><see cref="SolveAllFromCompact"/> against float factors <paramref name="y"/> (rounded to a compact copy first).</summary>
    public static void SolveAll(SparseMatrix rows, float[] x, float[] y, float[] gram, int kp, IalsOptions o, int otherCount, CancellationToken ct, float[]? basis = null)
    {
        using var compact = new CompactFactors().From(y, y.Length / kp, kp, ct);
        SolveAllFromCompact(rows, x, compact, gram, kp, o, otherCount, ct, basis);
    }

    /// <summary>
    /// Re-solves every row of <paramref name="x"/> against the other side's factors, gathered from their compact
    /// (bfloat16) copy <paramref name="y"/>: each row's gathered factors are widened once into a per-worker buffer and
    /// every CG pass reads them from there in order. <paramref name="gram"/> is G (kp x kp); or, with
    /// <paramref name="basis"/>, <paramref name="y"/> is given in G's eigenbasis, <paramref name="gram"/> holds G's
    /// eigenvalues (G is diagonal there, so each CG step's dense product is kp multiplies instead of kp^2
    /// multiply-adds), and each row of <paramref name="x"/> is first turned into that basis (x V). CG is
    /// equivariant under an orthogonal change of basis, so the solve is the same one, in the new basis.
    /// </summary>
    public static void SolveAllFromCompact(SparseMatrix rows, float[] x, CompactFactors y, float[] gram, int kp, IalsOptions o, int otherCount, CancellationToken ct, float[]? basis = null)
    {
        if (gram.Length != (basis is null ? kp * kp : kp)) throw new ArgumentException($"G holds {gram.Length} values; {(basis is null ? "a kp x kp matrix" : "kp eigenvalues")} expected", nameof(gram));
        if (basis is not null && basis.Length != kp * kp) throw new ArgumentException($"the basis holds {basis.Length} values, not {kp} x {kp}", nameof(basis));
        float[] rotation = basis ?? []; // fixed on an empty array gives null: SolveRow's "no basis"
        // One worker per core (the work is compute and memory bound: more would only share the caches), each with
        // its own buffers; the buffer for the widened rows is rented from the shared pool, so that successive
        // half-iterations reuse the same few instead of leaving one per worker and call to the collector.
        var po = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount };
        var bounds = Partition(rows.Pointers, rows.Rows, kp, out int longest);
        Parallel.For(0, bounds.Length - 1, po, () => new Scratch(kp, longest), (c, _, scratch) =>
        {
            int end = bounds[c + 1];
            ushort* py = y.Bits;
            fixed (float* px = x, pg = gram, pb = rotation, ps = scratch.Vectors, pv = rows.Values, pu = scratch.U, pvv = scratch.V, pd = scratch.D, pz = scratch.Zeros, pw = scratch.Widened)
            fixed (int* pi = rows.Indices, pp = rows.Pointers)
            {
                int ahead = pp[bounds[c]], last = pp[end];
                for (int r = bounds[c]; r < end; r++)
                {
                    int from = pp[r], to = pp[r + 1];
                    // The rows of the entries up to PrefetchDistance past this row's end are asked for while this row
                    // is solved (a member's row is mostly far shorter than that, so it would otherwise start on cold misses).
                    int until = Math.Min(last, to + PrefetchDistance);
                    for (int e = Math.Max(ahead, to); e < until; e++) CompactFactors.Prefetch(py, pi[e], kp);
                    ahead = Math.Max(ahead, until);
                    float lambda = Lambda(o, to - from, otherCount);
                    SolveRow(px + (long)r * kp, py, pg, pb, pi, pv, from, to, lambda, kp, o, ps, pu, pvv, pd, pz, pw);
                }
            }
            return scratch;
        }, scratch => scratch.Release());
    }

    /// <summary>
    /// Chunk boundaries over the rows with about equal work each, counted as the row's entries plus kp / 2 (a row's
    /// dense products cost about as much as kp / 2 entries' gathers): a chunk of popular titles is then as short as
    /// a chunk of rare ones, and no thread is left with one long tail at the end of the half-iteration. About 32
    /// chunks per core, and at most 256 rows in one.
    /// </summary>
    private static int[] Partition(int[] pointers, int rowCount, int kp, out int longest)
    {
        longest = 0;
        for (int r = 0; r < rowCount; r++) longest = Math.Max(longest, pointers[r + 1] - pointers[r]);
        long rowCost = kp / 2;
        long total = pointers[rowCount] + rowCount * rowCost;
        long target = Math.Max(1, total / (32L * Environment.ProcessorCount));
        var bounds = new List<int>(32 * Environment.ProcessorCount + 2) { 0 };
        long cost = 0;
        int start = 0;
        for (int r = 0; r < rowCount; r++)
        {
            cost += pointers[r + 1] - pointers[r] + rowCost;
            if (cost >= target || r + 1 - start >= 256)
            {
                bounds.Add(r + 1);
                start = r + 1;
                cost = 0;
            }
        }
        if (bounds[^1] != rowCount) bounds.Add(rowCount);
        return bounds.ToArray();
    }

    // Per-thread buffers: three factor-sized vectors, per-entry coefficients (Zeros is never written), and the
    // widened rows of the row being solved (rented).
    private sealed class Scratch
    {
        /// <summary>At most this many rows are widened at once (16 MiB at 64 factors); a longer row is widened in chunks on every pass.</summary>
        public const int WidenAtMost = 1 << 16;

        /// <summary>Entries widened at a time in a row longer than <see cref="WidenAtMost"/>.</summary>
        public const int Chunk = 64;

        public Scratch(int kp, int longest)
        {
            Vectors = new float[3 * kp];
            Zeros = new float[longest + 1];
            U = new float[longest + 1];
            V = new float[longest + 1];
            D = new float[longest + 1];
            Widened = System.Buffers.ArrayPool<float>.Shared.Rent((int)((long)Math.Max(Chunk, Math.Min(longest, WidenAtMost)) * kp));
        }

        public readonly float[] Vectors;
        public readonly float[] Zeros;
        public readonly float[] U;
        public readonly float[] V;
        public readonly float[] D;
        public float[] Widened { get; private set; }

        /// <summary>Gives the widened-rows buffer back to the pool.</summary>
        public void Release()
        {
            if (Widened.Length > 0) System.Buffers.ArrayPool<float>.Shared.Return(Widened);
            Widened = [];
        }
    }

    /// <summary>The regularization of a row with <paramref name="count"/> observations: lambda (n + a0 * N)^nu.</summary>
    public static float Lambda(IalsOptions o, int count, int otherCount)
        => o.RegularizationExponent == 0 ? o.Regularization
            : (float)(o.Regularization * Math.Pow(count + (double)o.A0 * otherCount, o.RegularizationExponent));

    /// <summary>
    /// Per entry of weight w: the confidence c = 1 + alpha |w| and the coefficients of the two sparse passes, u = c (0 for
    /// negative evidence), v = -(c - a0), d = c - a0. A negative weight is negative evidence: preference 0 with
    /// confidence 1 + alpha |w| (as benfred/implicit reads it).
    /// </summary>
    internal static void Coefficients(ReadOnlySpan<float> weights, float alpha, float a0, Span<float> u, Span<float> v, Span<float> d)
    {
        for (int e = 0; e < weights.Length; e++)
        {
            float w = weights[e];
            float c = 1f + alpha * Math.Abs(w);
            u[e] = w >= 0 ? c : 0f;
            v[e] = -(c - a0);
            d[e] = c - a0;
        }
    }

    private static void SolveRow(float* x, ushort* y, float* g, float* basis, int* indices, float* values, int from, int to, float lambda, int kp, IalsOptions o, float* scratch, float* u, float* v, float* d, float* zero, float* widened)
    {
        float* r = scratch, p = scratch + kp, ap = scratch + 2 * kp;
        int n = to - from;
        bool diagonal = basis != null;
        if (diagonal)
        {
            // The warm start into the eigenbasis: x V.
            FactorKernels.SymMatVec(basis, x, 0, ap, kp);
            new ReadOnlySpan<float>(ap, kp).CopyTo(new Span<float>(x, kp));
        }
        Coefficients(new ReadOnlySpan<float>(values + from, n), o.Alpha, o.A0, new Span<float>(u, n), new Span<float>(v, n), new Span<float>(d, n));
        int* rowIndices = indices + from;
        // The row's factors are widened once; a row too long for the buffer is widened chunk by chunk on every pass.
        bool whole = n <= Scratch.WidenAtMost;
        if (whole) CompactFactors.Gather(y, rowIndices, n, widened, kp, prefetch: InRow);
        // r = b - A x = sum_e (c_e - (c_e - a0) y_e.x) y_e - (G + lambda I) x
        Dense(g, diagonal, x, lambda, ap, kp);
        for (int k = 0; k < kp; k++) r[k] = -ap[k];
        AddWeighted(y, rowIndices, u, v, n, x, r, kp, widened, whole);
        float rsOld = FactorKernels.Dot(r, r, kp);
        if (rsOld < 1e-20f) return;
        for (int k = 0; k < kp; k++) p[k] = r[k];
        for (int step = 0; step < o.CgSteps; step++)
        {
            // A p = (G + lambda I) p + sum_e (c_e - a0) (y_e . p) y_e
            Dense(g, diagonal, p, lambda, ap, kp);
            AddWeighted(y, rowIndices, zero, d, n, p, ap, kp, widened, whole);
            float pAp = FactorKernels.Dot(p, ap, kp);
            if (!(pAp > 0)) return;
            float stepSize = rsOld / pAp;
            FactorKernels.Axpy(x, stepSize, p, kp);
            FactorKernels.Axpy(r, -stepSize, ap, kp);
            float rsNew = FactorKernels.Dot(r, r, kp);
            if (rsNew < 1e-20f) return;
            float beta = rsNew / rsOld;
            FactorKernels.Xpby(r, beta, p, kp);
            rsOld = rsNew;
        }
    }

    /// <summary>(G + lambda I) v: G a kp x kp matrix, or (<paramref name="diagonal"/>) its kp eigenvalues in its eigenbasis.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Dense(float* g, bool diagonal, float* v, float lambda, float* result, int kp)
    {
        if (diagonal) FactorKernels.DiagonalMatVec(g, v, lambda, result, kp);
        else FactorKernels.SymMatVec(g, v, lambda, result, kp);
    }

    /// <summary>acc += sum_e (u_e + v_e (y_e . q)) y_e over the row's n entries: from the widened rows, or widening chunk by chunk.</summary>
    private static void AddWeighted(ushort* y, int* indices, float* u, float* v, int n, float* q, float* acc, int kp, float* widened, bool whole)
    {
        if (whole)
        {
            FactorKernels.AddWeightedDenseRows(widened, u, v, n, q, acc, kp);
            return;
        }
        for (int start = 0; start < n; start += Scratch.Chunk)
        {
            int count = Math.Min(Scratch.Chunk, n - start);
            CompactFactors.Gather(y, indices + start, count, widened, kp, prefetch: InRow);
            FactorKernels.AddWeightedDenseRows(widened, u + start, v + start, count, q, acc, kp);
        }
    }
}
