using System.Diagnostics;
using System.Text.Json;
using Encore.Models.Ials;
using Encore.Models.Numerics;

namespace Encore.Cluster.Training;

/// <summary>The factors of a distributed fit and where its shards ran.</summary>
/// <param name="Members">Member factors, rows x <paramref name="Stride"/> floats.</param>
/// <param name="Titles">Title factors, rows x <paramref name="Stride"/> floats.</param>
/// <param name="Stride">Floats per row (<see cref="FactorKernels.Stride"/>).</param>
/// <param name="ShardSilos">The silo of each shard, by shard number.</param>
public sealed record DistributedFit(float[] Members, float[] Titles, int Stride, IReadOnlyList<string> ShardSilos);

/// <summary>
/// The coordinator of a data-parallel iALS fit over an Orleans cluster. The matrix is cut into shards of consecutive
/// member rows and of consecutive title rows (equal interactions each, not equal rows), each sent once to its
/// <see cref="IIalsShardGrain"/> with its starting factors — the same initialization as
/// <see cref="IalsTrainer.Train"/> (the same seed, drawn in the same order). Then every iteration: the title factors
/// and their Gramian (the sum of the shards' partial Gramians, in shard order) go to every shard, which re-solves its
/// members and returns them with their partial Gramian; the member factors and their Gramian go back out, and each
/// shard re-solves its titles. The row solves are the single-node kernels, so the model differs from
/// <see cref="IalsTrainer.Train"/>'s only by the order in which the Gramians' partial sums are added (float rounding).
/// </summary>
public sealed class DistributedIals(IGrainFactory grains)
{
    private readonly IGrainFactory _grains = grains ?? throw new ArgumentNullException(nameof(grains));

    /// <summary>
    /// Fits <paramref name="memberRows"/> (members x titles) with <paramref name="options"/> in <paramref name="shards"/>
    /// shards (0: one per active silo); <paramref name="iterationCompleted"/> is called after each iteration with its
    /// number (from 1) and its wall seconds; <paramref name="ct"/> stops it between half-iterations.
    /// </summary>
    /// <exception cref="ArgumentException">More shards than members or titles, or invalid options.</exception>
    public async Task<DistributedFit> TrainAsync(SparseMatrix memberRows, IalsOptions options, int shards = 0,
        Action<int, double>? iterationCompleted = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(memberRows);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (shards == 0) shards = (await _grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).ConfigureAwait(false)).Count;
        if (shards < 1 || shards > Math.Min(memberRows.Rows, memberRows.Columns))
            throw new ArgumentException($"ials: {shards} shards for {memberRows.Rows} members and {memberRows.Columns} titles (at least 1, at most the smaller)", nameof(shards));
        var o = IalsTrainer.Resolve(memberRows, options);
        // The single-node starting factors: its own initialization, run for no iterations.
        var (x, y, kp) = IalsTrainer.Train(memberRows, o with { Iterations = 0 }, ct: ct);
        var titleRows = memberRows.Transpose();
        var memberCuts = Cuts(memberRows, shards);
        var titleCuts = Cuts(titleRows, shards);
        string run = Guid.NewGuid().ToString("N");
        var grains = new IIalsShardGrain[shards];
        for (int s = 0; s < shards; s++) grains[s] = _grains.GetGrain<IIalsShardGrain>(s, run);
        try
        {
            string json = JsonSerializer.Serialize(o);
            var silos = await Task.WhenAll(Enumerable.Range(0, shards).Select(s => grains[s].SetUpAsync(new ShardSetup
            {
                OptionsJson = json,
                Stride = kp,
                Members = memberRows.Rows,
                Titles = memberRows.Columns,
                MemberStart = memberCuts[s],
                MemberRows = CsrSlice.Of(memberRows, memberCuts[s], memberCuts[s + 1] - memberCuts[s]),
                MemberFactors = Wire.Bytes<float>(x.AsSpan(memberCuts[s] * kp, (memberCuts[s + 1] - memberCuts[s]) * kp)),
                TitleStart = titleCuts[s],
                TitleRows = CsrSlice.Of(titleRows, titleCuts[s], titleCuts[s + 1] - titleCuts[s]),
                TitleFactors = Wire.Bytes<float>(y.AsSpan(titleCuts[s] * kp, (titleCuts[s + 1] - titleCuts[s]) * kp)),
            }))).ConfigureAwait(false);
            var gy = Sum(await Task.WhenAll(grains.Select(g => g.TitleGramianAsync())).ConfigureAwait(false), kp);
            for (int it = 1; it <= o.Iterations; it++)
            {
                ct.ThrowIfCancellationRequested();
                var sw = Stopwatch.StartNew();
                var titles = FactorBlock.Of(y, gy);
                var memberParts = await Task.WhenAll(grains.Select(g => g.SolveMembersAsync(titles))).ConfigureAwait(false);
                x = Gather(memberParts, memberCuts, kp, memberRows.Rows);
                var gx = Sum(memberParts.Select(p => p.Gramian).ToArray(), kp);
                ct.ThrowIfCancellationRequested();
                var members = FactorBlock.Of(x, gx);
                var titleParts = await Task.WhenAll(grains.Select(g => g.SolveTitlesAsync(members))).ConfigureAwait(false);
                y = Gather(titleParts, titleCuts, kp, memberRows.Columns);
                gy = Sum(titleParts.Select(p => p.Gramian).ToArray(), kp);
                iterationCompleted?.Invoke(it, sw.Elapsed.TotalSeconds);
            }
            return new DistributedFit(x, y, kp, silos);
        }
        finally
        {
            await Task.WhenAll(grains.Select(g => g.ReleaseAsync())).ConfigureAwait(false);
        }
    }

    /// <summary>Boundaries of <paramref name="shards"/> runs of consecutive rows holding about equal entries (each at least one row).</summary>
    internal static int[] Cuts(SparseMatrix rows, int shards)
    {
        var cuts = new int[shards + 1];
        cuts[shards] = rows.Rows;
        long total = rows.NonZeros;
        int r = 0;
        for (int s = 1; s < shards; s++)
        {
            long target = total * s / shards;
            // At least one row per shard, and leave one for each shard after this one.
            r = Math.Max(r + 1, cuts[s - 1] + 1);
            while (r < rows.Rows - (shards - s) && rows.Pointers[r] < target) r++;
            cuts[s] = Math.Min(r, rows.Rows - (shards - s));
        }
        return cuts;
    }

    private static float[] Gather(FactorBlock[] parts, int[] cuts, int kp, int rows)
    {
        var all = new float[(long)rows * kp];
        for (int s = 0; s < parts.Length; s++)
        {
            int expected = (cuts[s + 1] - cuts[s]) * kp;
            if (parts[s].FactorCount != expected)
                throw new InvalidOperationException($"ials shard {s} returned {parts[s].FactorCount} floats for {cuts[s + 1] - cuts[s]} rows of {kp}");
            Wire.View<float>(parts[s].Factors).CopyTo(all.AsSpan(cuts[s] * kp, expected));
        }
        return all;
    }

    private static float[] Sum(byte[][] partial, int kp)
    {
        // In double and in shard order: the same sum whatever order the replies came in.
        var total = new double[kp * kp];
        foreach (var bytes in partial)
        {
            var p = Wire.View<float>(bytes);
            if (p.Length != kp * kp) throw new InvalidOperationException($"a partial Gramian of {p.Length} floats for a stride of {kp}");
            for (int i = 0; i < total.Length; i++) total[i] += p[i];
        }
        var g = new float[total.Length];
        for (int i = 0; i < g.Length; i++) g[i] = (float)total[i];
        return g;
    }
}
