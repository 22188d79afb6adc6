using System.Diagnostics;
using System.Text.Json;
using Encore.Models.Ials;
using Encore.Models.Numerics;

namespace Encore.Cluster.Training;

/// <summary>The factors of a distributed fit, where its shards ran and what the coordinator exchanged with them.</summary>
/// <param name="Members">Member factors, rows x <paramref name="Stride"/> floats.</param>
/// <param name="Titles">Title factors, rows x <paramref name="Stride"/> floats.</param>
/// <param name="Stride">Floats per row (<see cref="FactorKernels.Stride"/>).</param>
/// <param name="ShardSilos">The silo of each shard, by shard number.</param>
/// <param name="Exchange">Bytes of payload exchanged between the coordinator and the shards.</param>
public sealed record DistributedFit(float[] Members, float[] Titles, int Stride, IReadOnlyList<string> ShardSilos, ExchangedBytes Exchange);

/// <summary>
/// Bytes of payload (the arrays in the messages, both ways, summed over the shards; not Orleans' headers) that a
/// distributed fit exchanged between its coordinator and its shards.
/// </summary>
/// <param name="SetUp">Once at the start: the shards' member rows and starting member factors.</param>
/// <param name="Iterations">In each iteration, in order: title factors and Gramians out, Gramians and the titles' sums back.</param>
/// <param name="Collect">Once at the end: the member factors, to build the model.</param>
public sealed record ExchangedBytes(long SetUp, IReadOnlyList<long> Iterations, long Collect);

/// <summary>
/// The coordinator of a data-parallel iALS fit over an Orleans cluster. The members are cut into shards of
/// consecutive rows (equal interactions each, not equal rows); each shard's rows and starting factors go once to its
/// <see cref="IIalsShardGrain"/>, where they stay — the same initialization as <see cref="IalsTrainer.Train"/> (the same
/// seed, drawn in the same order). The title factors stay with the coordinator. Every iteration:
/// <list type="bullet">
/// <item>member half: every title's factors and a0 Y^T Y go to every shard, which re-solves its members with the
/// single-node kernel and returns its partial member Gramian (summed here in double, in shard order) and its part of
/// every title's residual;</item>
/// <item>title half: the single-node conjugate gradient for every title at once (<see cref="TitleConjugateGradient"/>),
/// each of its <see cref="IalsOptions.CgSteps"/> steps one round in which every shard gets the directions of the titles
/// still running and returns its sums over its own members for them.</item>
/// </list>
/// Member factors never travel between iterations; they are collected once at the end. The model differs from
/// <see cref="IalsTrainer.Train"/>'s only by the order in which sums over members are added (float rounding).
/// </summary>
public sealed class DistributedIals(IGrainFactory grains)
{
    private readonly IGrainFactory _grains = grains ?? throw new ArgumentNullException(nameof(grains));

    /// <summary>
    /// Whether the member half is solved in the title Gramian's eigenbasis; null (the default): where the single-node fit
    /// would (<see cref="IalsTrainer.EigenbasisPays"/>). Tests set it to show what solving in another basis than the
    /// single node's does to the agreement.
    /// </summary>
    internal bool? Eigenbasis { get; init; }

    /// <summary>
    /// Fits <paramref name="memberRows"/> (members x titles) with <paramref name="options"/> in <paramref name="shards"/>
    /// shards (0: one per active silo); <paramref name="iterationCompleted"/> is called after each iteration with its
    /// number (from 1) and its wall seconds; <paramref name="ct"/> stops it between exchanges.
    /// </summary>
    /// <exception cref="ArgumentException">More shards than members, or invalid options.</exception>
    public async Task<DistributedFit> TrainAsync(SparseMatrix memberRows, IalsOptions options, int shards = 0,
        Action<int, double>? iterationCompleted = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(memberRows);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (shards == 0) shards = (await _grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).ConfigureAwait(false)).Count;
        if (shards < 1 || shards > memberRows.Rows)
            throw new ArgumentException($"ials: {shards} shards for {memberRows.Rows} members and {memberRows.Columns} titles (at least 1, at most one a member)", nameof(shards));
        var o = IalsTrainer.Resolve(memberRows, options);
        // The single-node starting factors (the same seed, drawn in the same order).
        var (x, y, kp) = IalsTrainer.StartingFactors(memberRows.Rows, memberRows.Columns, o);
        int titles = memberRows.Columns;
        var cuts = Cuts(memberRows, shards);
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
                Titles = titles,
                MemberStart = cuts[s],
                Members = cuts[s + 1] - cuts[s],
                Entries = memberRows.Pointers[cuts[s + 1]] - memberRows.Pointers[cuts[s]],
            }))).ConfigureAwait(false);
            var loaded = await Task.WhenAll(Enumerable.Range(0, shards).Select(s => LoadAsync(grains[s], memberRows, x, kp, cuts[s], cuts[s + 1], ct))).ConfigureAwait(false);
            long setUpBytes = loaded.Sum();
            var cg = new TitleConjugateGradient(y, TitleCounts(memberRows), memberRows.Rows, o, kp);
            var iterationBytes = new List<long>(o.Iterations);
            bool eigenbasis = Eigenbasis ?? IalsTrainer.EigenbasisPays(memberRows.Rows, titles, kp, o.CgSteps);
            for (int it = 1; it <= o.Iterations; it++)
            {
                ct.ThrowIfCancellationRequested();
                var sw = Stopwatch.StartNew();
                // Member half: Y and a0 Y^T Y out (at scale, as the single-node fit: Y in that Gramian's eigenbasis, its
                // eigenvalues and the basis); the partial member Gramians and the titles' residual sums back.
                var (gram, basis) = IalsTrainer.MemberHalfTerms(y, titles, kp, o, eigenbasis, ct);
                var block = FactorBlock.Of(y, gram, basis);
                var halves = await Task.WhenAll(grains.Select(g => g.SolveMembersAsync(block))).ConfigureAwait(false);
                long bytes = shards * block.Bytes;
                var residuals = new float[shards][];
                for (int s = 0; s < shards; s++)
                {
                    bytes += halves[s].Bytes;
                    residuals[s] = Floats(halves[s].ResidualSums, (long)titles * kp, s, "residual sums");
                }
                var gx = Sum(halves.Select(h => h.Gramian).ToArray(), kp);
                halves = [];
                // Title half: one round per conjugate-gradient step, for the titles still running.
                cg.Start(gx, residuals);
                residuals = [];
                for (int step = 0; step < o.CgSteps && cg.Active.Length > 0; step++)
                {
                    ct.ThrowIfCancellationRequested();
                    var directions = new TitleDirections { Titles = Wire.Bytes<int>(cg.Active), Directions = Wire.Bytes<float>(cg.Directions()) };
                    var replies = await Task.WhenAll(grains.Select(g => g.DirectionSumsAsync(directions))).ConfigureAwait(false);
                    bytes += shards * directions.Bytes;
                    var parts = new float[shards][];
                    for (int s = 0; s < shards; s++)
                    {
                        bytes += replies[s].Length;
                        parts[s] = Floats(replies[s], (long)cg.Active.Length * kp, s, "direction sums");
                    }
                    cg.Step(parts);
                }
                iterationBytes.Add(bytes);
                iterationCompleted?.Invoke(it, sw.Elapsed.TotalSeconds);
            }
            // The member factors travel once, now.
            var collected = await Task.WhenAll(Enumerable.Range(0, shards).Select(s => CollectAsync(grains[s], x, kp, cuts[s], cuts[s + 1], s))).ConfigureAwait(false);
            long collectBytes = collected.Sum();
            return new DistributedFit(x, y, kp, silos, new ExchangedBytes(setUpBytes, iterationBytes, collectBytes));
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

    /// <summary>Rows in one <see cref="ShardRows"/> or member factor message: about this many bytes of payload (and at least one row).</summary>
    internal int ChunkBytes { get; init; } = 64 << 20;

    // Sends rows start..end (and their starting factors) to their shard in chunks of about ChunkBytes, in order; returns the bytes sent.
    private async Task<long> LoadAsync(IIalsShardGrain grain, SparseMatrix m, float[] x, int kp, int start, int end, CancellationToken ct)
    {
        long bytes = 0;
        for (int first = start; first < end;)
        {
            ct.ThrowIfCancellationRequested();
            int last = first + 1;
            long size = RowBytes(m, first, kp);
            while (last < end && size + RowBytes(m, last, kp) <= ChunkBytes) size += RowBytes(m, last++, kp);
            var chunk = new ShardRows
            {
                FirstRow = first - start,
                Rows = CsrSlice.Of(m, first, last - first),
                Factors = Wire.Bytes<float>(x.AsSpan((int)((long)first * kp), (last - first) * kp)),
            };
            await grain.LoadRowsAsync(chunk).ConfigureAwait(false);
            bytes += chunk.Bytes;
            first = last;
        }
        return bytes;
    }

    private static long RowBytes(SparseMatrix m, int row, int kp) => (m.Pointers[row + 1] - m.Pointers[row]) * 8L + kp * 4L + 4;

    // Copies the shard's member factors (rows start..end) into x, in chunks of about ChunkBytes; returns the bytes received.
    private async Task<long> CollectAsync(IIalsShardGrain grain, float[] x, int kp, int start, int end, int shard)
    {
        int rowsPerChunk = Math.Max(1, ChunkBytes / (kp * sizeof(float)));
        long bytes = 0;
        for (int first = start; first < end; first += rowsPerChunk)
        {
            int count = Math.Min(rowsPerChunk, end - first);
            var part = await grain.MemberFactorsAsync(first - start, count).ConfigureAwait(false);
            Floats(part, (long)count * kp, shard, "member factors").CopyTo(x.AsSpan((int)((long)first * kp), count * kp));
            bytes += part.Length;
        }
        return bytes;
    }

    // Members of each title (the lengths of the title rows, without transposing the matrix).
    private static int[] TitleCounts(SparseMatrix m)
    {
        var counts = new int[m.Columns];
        foreach (int t in m.Indices) counts[t]++;
        return counts;
    }

    private static float[] Floats(byte[] bytes, long expected, int shard, string what)
    {
        var f = Wire.Array<float>(bytes);
        if (f.LongLength != expected) throw new InvalidOperationException($"ials shard {shard} returned {f.LongLength} floats of {what}, not {expected}");
        return f;
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
