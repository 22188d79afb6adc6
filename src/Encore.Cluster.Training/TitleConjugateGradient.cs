using Encore.Models.Ials;
using Encore.Models.Numerics;

namespace Encore.Cluster.Training;

/// <summary>
/// The title half-iteration of a distributed fit, run by the coordinator for every title at once: per title t the
/// single-node solver's warm-started conjugate gradient on (G + sum_u (c_ut - a0) x_u x_u^T + lambda_t I) y_t =
/// sum_u c_ut x_u, with the same scalars (rsOld, pAp, step sizes) and the same early stops (rs &lt; 1e-20, pAp &lt;= 0).
/// The dense parts (G y, G p, lambda) are computed here; the sums over a title's members come from the member shards
/// (<see cref="ShardTitleSums"/>), one round for the residual and one per step for the titles still running.
/// </summary>
internal sealed unsafe class TitleConjugateGradient
{
    private const int ChunkTitles = 256;
    private readonly float[] _y;
    private readonly float[] _lambda;
    private readonly int _kp;
    private readonly float[] _r;
    private readonly float[] _p;
    private readonly float[] _rsOld;
    private readonly bool[] _running;
    private float[] _gram = [];
    private int[] _active = [];

    /// <summary>A solver that updates <paramref name="y"/> (titles x kp) in place; title t has <paramref name="titleCounts"/>[t] members.</summary>
    public TitleConjugateGradient(float[] y, int[] titleCounts, int members, IalsOptions o, int kp)
    {
        _y = y;
        _kp = kp;
        int titles = titleCounts.Length;
        _lambda = new float[titles];
        for (int t = 0; t < titles; t++) _lambda[t] = IalsSolver.Lambda(o, titleCounts[t], members);
        _r = new float[(long)titles * kp];
        _p = new float[(long)titles * kp];
        _rsOld = new float[titles];
        _running = new bool[titles];
    }

    /// <summary>The titles whose solve goes on, ascending: the next step needs the shards' sums for these.</summary>
    public int[] Active => _active;

    /// <summary>
    /// Starts every title's solve against the member Gramian <paramref name="gram"/> (a0 X^T X): r = b - A y from the
    /// shards' residual sums (<see cref="ShardTitleSums.ResidualSums"/>, added in shard order), p = r.
    /// </summary>
    public void Start(float[] gram, IReadOnlyList<float[]> residualParts)
    {
        _gram = gram;
        int titles = _lambda.Length;
        Parallel.For(0, (titles + ChunkTitles - 1) / ChunkTitles, c =>
        {
            float* ap = stackalloc float[_kp];
            int to = Math.Min(titles, (c + 1) * ChunkTitles);
            fixed (float* pg = _gram, py = _y, pr = _r, pp = _p)
            {
                for (int t = c * ChunkTitles; t < to; t++)
                {
                    long at = (long)t * _kp;
                    float* r = pr + at;
                    // r = sum_u (c - (c - a0) x_u . y) x_u - (G + lambda I) y
                    Sum(residualParts, at, r);
                    FactorKernels.SymMatVec(pg, py + at, _lambda[t], ap, _kp);
                    for (int k = 0; k < _kp; k++) r[k] -= ap[k];
                    float rs = FactorKernels.Dot(r, r, _kp);
                    _running[t] = !(rs < 1e-20f);
                    if (!_running[t]) continue;
                    _rsOld[t] = rs;
                    Buffer.MemoryCopy(r, pp + at, _kp * sizeof(float), _kp * sizeof(float));
                }
            }
        });
        Compact(null);
    }

    /// <summary>The directions p of the <see cref="Active"/> titles, in that order (Active.Length x kp).</summary>
    public float[] Directions()
    {
        var d = new float[(long)_active.Length * _kp];
        for (int i = 0; i < _active.Length; i++) _p.AsSpan((int)((long)_active[i] * _kp), _kp).CopyTo(d.AsSpan(i * _kp, _kp));
        return d;
    }

    /// <summary>
    /// One CG step for every <see cref="Active"/> title, given the shards' sums of (c - a0) (x_u . p) x_u for them
    /// (<see cref="ShardTitleSums.DirectionSums"/>, added in shard order); titles that stop drop out of Active.
    /// </summary>
    public void Step(IReadOnlyList<float[]> directionParts)
    {
        var active = _active;
        Parallel.For(0, (active.Length + ChunkTitles - 1) / ChunkTitles, c =>
        {
            float* ap = stackalloc float[_kp];
            float* sparse = stackalloc float[_kp];
            int to = Math.Min(active.Length, (c + 1) * ChunkTitles);
            fixed (float* pg = _gram, py = _y, pr = _r, pp = _p)
            {
                for (int i = c * ChunkTitles; i < to; i++)
                {
                    int t = active[i];
                    long at = (long)t * _kp;
                    float* y = py + at, r = pr + at, p = pp + at;
                    // A p = (G + lambda I) p + sum_u (c - a0) (x_u . p) x_u
                    FactorKernels.SymMatVec(pg, p, _lambda[t], ap, _kp);
                    Sum(directionParts, (long)i * _kp, sparse);
                    for (int k = 0; k < _kp; k++) ap[k] += sparse[k];
                    float pAp = FactorKernels.Dot(p, ap, _kp);
                    if (!(pAp > 0))
                    {
                        _running[t] = false;
                        continue;
                    }
                    float stepSize = _rsOld[t] / pAp;
                    FactorKernels.Axpy(y, stepSize, p, _kp);
                    FactorKernels.Axpy(r, -stepSize, ap, _kp);
                    float rsNew = FactorKernels.Dot(r, r, _kp);
                    if (rsNew < 1e-20f)
                    {
                        _running[t] = false;
                        continue;
                    }
                    FactorKernels.Xpby(r, rsNew / _rsOld[t], p, _kp);
                    _rsOld[t] = rsNew;
                }
            }
        });
        Compact(active);
    }

    // dst = the parts' rows at offset, added in part (shard) order.
    private void Sum(IReadOnlyList<float[]> parts, long offset, float* dst)
    {
        fixed (float* first = parts[0]) Buffer.MemoryCopy(first + offset, dst, _kp * sizeof(float), _kp * sizeof(float));
        for (int s = 1; s < parts.Count; s++)
            fixed (float* part = parts[s])
            {
                float* row = part + offset;
                for (int k = 0; k < _kp; k++) dst[k] += row[k];
            }
    }

    // Active = the listed titles (all where null) that are still running, in order.
    private void Compact(int[]? titles)
    {
        int count = titles?.Length ?? _running.Length, n = 0;
        for (int i = 0; i < count; i++) if (_running[titles?[i] ?? i]) n++;
        var next = new int[n];
        n = 0;
        for (int i = 0; i < count; i++)
        {
            int t = titles?[i] ?? i;
            if (_running[t]) next[n++] = t;
        }
        _active = next;
    }
}
