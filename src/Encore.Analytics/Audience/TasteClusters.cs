using System.Numerics.Tensors;

namespace Encore.Analytics.Audience;

/// <summary>
/// Taste clusters: k-means (k-means++ seeding, seeded, at most 25 rounds) over the members' factor vectors scaled to unit
/// length, so members group by the direction of their taste rather than by how much they watch.
/// </summary>
internal static class TasteClusters
{
    /// <summary>Each member's cluster in [0, k) (members without factors join the nearest by a zero vector).</summary>
    public static int[] Assign(AudienceData data, int k, int seed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Members, d = data.Factors;
        if (n == 0) return [];
        k = Math.Clamp(k, 1, n);
        var points = new float[n * d];
        for (int m = 0; m < n; m++)
        {
            var src = data.MemberFactor(m);
            var dst = points.AsSpan(m * d, d);
            float norm = TensorPrimitives.Norm(src);
            if (norm > 0) TensorPrimitives.Divide(src, norm, dst);
        }
        var rng = new Random(seed);
        var centers = new float[k * d];
        // k-means++: each next center drawn with probability proportional to the squared distance to the nearest chosen.
        points.AsSpan(rng.Next(n) * d, d).CopyTo(centers.AsSpan(0, d));
        var nearest = new double[n];
        Array.Fill(nearest, double.PositiveInfinity);
        for (int c = 1; c < k; c++)
        {
            var last = centers.AsSpan((c - 1) * d, d);
            double total = 0;
            for (int m = 0; m < n; m++)
            {
                double dist = TensorPrimitives.Distance(points.AsSpan(m * d, d), last);
                nearest[m] = Math.Min(nearest[m], dist * dist);
                total += nearest[m];
            }
            double pick = rng.NextDouble() * total;
            int chosen = n - 1;
            for (int m = 0; m < n; m++) { pick -= nearest[m]; if (pick <= 0) { chosen = m; break; } }
            points.AsSpan(chosen * d, d).CopyTo(centers.AsSpan(c * d, d));
        }
        var assign = new int[n];
        var sums = new double[k * d];
        var sizes = new int[k];
        for (int round = 0; round < 25; round++)
        {
            ct.ThrowIfCancellationRequested();
            int changed = 0;
            var localCenters = centers;
            Parallel.For(0, n, () => 0, (m, _, moved) =>
            {
                var p = points.AsSpan(m * d, d);
                int best = 0;
                float bestDist = float.PositiveInfinity;
                for (int c = 0; c < k; c++)
                {
                    float dist = TensorPrimitives.Distance(p, localCenters.AsSpan(c * d, d));
                    if (dist < bestDist) { bestDist = dist; best = c; }
                }
                if (assign[m] != best || round == 0) { assign[m] = best; moved++; }
                return moved;
            }, moved => Interlocked.Add(ref changed, moved));
            if (round > 0 && changed == 0) break;
            Array.Clear(sums);
            Array.Clear(sizes);
            for (int m = 0; m < n; m++)
            {
                sizes[assign[m]]++;
                var p = points.AsSpan(m * d, d);
                for (int j = 0; j < d; j++) sums[assign[m] * d + j] += p[j];
            }
            for (int c = 0; c < k; c++)
            {
                if (sizes[c] == 0) continue; // an empty cluster keeps its center
                for (int j = 0; j < d; j++) centers[c * d + j] = (float)(sums[c * d + j] / sizes[c]);
            }
        }
        // Number clusters by size, largest first, so "taste 1" is the biggest.
        Array.Clear(sizes);
        foreach (int a in assign) sizes[a]++;
        var order = Enumerable.Range(0, k).OrderByDescending(c => sizes[c]).ThenBy(c => c).ToArray();
        var rename = new int[k];
        for (int i = 0; i < k; i++) rename[order[i]] = i;
        for (int m = 0; m < n; m++) assign[m] = rename[assign[m]];
        return assign;
    }
}
