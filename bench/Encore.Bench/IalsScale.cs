using System.Diagnostics;
using System.Globalization;
using Encore.Models;
using Encore.Models.Ials;
using Encore.Models.Numerics;

namespace Encore.Bench;

/// <summary>
/// iALS seconds per iteration and peak memory on the P-SCALE file (gen_synth.py --csv: 500,000 x 50,000,
/// 9,942,610 interactions), 64 factors, 3 CG steps, all cores; with a same-run reference: one raw sparse pass
/// (a dot product and an axpy of 64-float rows for every interaction, members then titles), the floor of the
/// memory traffic any ALS iteration needs. Peak memory is VmHWM of this process (loading included).
/// The model is fitted at Encore's defaults (IalsOptions, as `encore train --model ials` fits it; only the factors, the
/// iterations and binary weights are set) with one interaction held out for every 100th member, and is then checked
/// against popularity on those: HR@20 and NDCG@20 of the held-out title among all titles the member has not played.
/// Usage: ials-scale [csv=/tmp/pscale/interactions.csv] [iterations=3] [factors=64]
/// [--validate SETTING...]: instead, tune on a validation split carved out of the training data only (one more
/// interaction held out for every 100th member counted from the 50th, so never a test member; the test pairs are not
/// used at all) and report each SETTING's validation HR@20 / NDCG@20 beside popularity's. A SETTING is
/// comma-separated key=value pairs of IalsOptions (as `--param` takes them), e.g. "unobserved-ratio=2,regularization=0.4";
/// "defaults" is the defaults.
/// </summary>
public sealed class IalsScale : IBench
{
    public string Name => "ials-scale";
    public string Description => "iALS s/iteration + peak memory + held-out HR/NDCG vs popularity on the P-SCALE csv: [csv] [iterations] [factors] [--validate SETTING...]";

    public Task<int> RunAsync(string[] args)
    {
        string path = args.Length > 0 ? args[0] : "/tmp/pscale/interactions.csv";
        int iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        int factors = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
        int validate = Array.IndexOf(args, "--validate");
        if (validate >= 0 && validate < 3) throw new ArgumentException("ials-scale: --validate comes after csv, iterations and factors");
        var sw = Stopwatch.StartNew();
        var (matrix, heldMembers, heldTitles) = HoldOut(Encore.Evaluation.Interactions.InteractionsFile.LoadCsr(path), every: 100, seed: 1, offset: 0);
        Console.WriteLine($"SIMD: Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}; {Environment.ProcessorCount} cores");
        if (validate >= 0) return Task.FromResult(Validate(matrix, iterations, factors, args[(validate + 1)..]));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"loaded {matrix.Rows} members x {matrix.Columns} titles, {matrix.NonZeros} interactions in {sw.Elapsed.TotalSeconds:F1}s ({heldMembers.Length:N0} held out, one for every 100th member); VmHWM after load {PeakMiB()} MiB"));

        var options = new IalsOptions { Factors = factors, Iterations = iterations, UseRatings = false };
        var times = new List<double>();
        var cpuTimes = new List<double>();
        var process = Process.GetCurrentProcess();
        double cpuBefore = process.TotalProcessorTime.TotalSeconds;
        sw.Restart();
        var (x, y, kp) = IalsTrainer.Train(matrix, options, (it, s) =>
        {
            // CPU seconds as well as wall seconds: on a shared, loaded machine the CPU time / cores is the better
            // estimate of the uncontended wall time.
            process.Refresh();
            double cpu = process.TotalProcessorTime.TotalSeconds;
            times.Add(s);
            cpuTimes.Add(cpu - cpuBefore);
            cpuBefore = cpu;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"iteration {it}: {s:F2}s wall, {cpuTimes[^1]:F2} CPU-s"));
        });
        double total = sw.Elapsed.TotalSeconds;
        double steady = times.Count > 1 ? times.Skip(1).Average() : times[0];
        double steadyCpu = cpuTimes.Count > 1 ? cpuTimes.Skip(1).Average() : cpuTimes[0];

        // Reference: one raw sparse pass in each direction over the trained factors.
        var byTitle = matrix.Transpose();
        double pass = double.MaxValue, passCpu = double.MaxValue;
        for (int r = 0; r < 3; r++)
        {
            process.Refresh();
            double c0 = process.TotalProcessorTime.TotalSeconds;
            pass = Math.Min(pass, RawPass(matrix, x, y, kp) + RawPass(byTitle, y, x, kp));
            process.Refresh();
            passCpu = Math.Min(passCpu, process.TotalProcessorTime.TotalSeconds - c0);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"iALS {factors} factors: {steady:F2} s/iteration wall, {steadyCpu:F2} CPU-s/iteration (mean of iterations 2..{iterations}; all {iterations} took {total:F1}s); peak memory VmHWM {PeakMiB()} MiB; load average {LoadAverage()}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reference raw sparse pass (dot + axpy per interaction, both sides): {pass:F2}s wall, {passCpu:F2} CPU-s; iteration / pass = {steady / pass:F1}x wall, {steadyCpu / passCpu:F1}x CPU"));
        var (hr, ndcg) = HeldOutHits(matrix, heldMembers, heldTitles, (m, scores) =>
        {
            var xm = x.AsSpan(m * kp, kp);
            for (int t = 0; t < scores.Length; t++) scores[t] = System.Numerics.Tensors.TensorPrimitives.Dot(xm, y.AsSpan(t * kp, kp));
        });
        var popularity = new float[matrix.Columns];
        foreach (var t in matrix.Indices) popularity[t]++;
        var (popHr, popNdcg) = HeldOutHits(matrix, heldMembers, heldTitles, (_, scores) => popularity.CopyTo(scores));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"held out ({heldMembers.Length:N0} members): iALS at the defaults HR@20 {hr:F4}, NDCG@20 {ndcg:F4}; popularity HR@20 {popHr:F4}, NDCG@20 {popNdcg:F4} ({hr / popHr:F2}x, {ndcg / popNdcg:F2}x)"));
        GC.KeepAlive(y);
        return Task.FromResult(0);
    }

    private static unsafe double RawPass(SparseMatrix rows, float[] x, float[] y, int kp)
    {
        var sw = Stopwatch.StartNew();
        Parallel.For(0, (rows.Rows + 255) / 256, () => new float[kp], (c, _, acc) =>
        {
            int end = Math.Min(rows.Rows, (c + 1) * 256);
            fixed (float* px = x, py = y, pa = acc)
            {
                for (int r = c * 256; r < end; r++)
                {
                    float* xr = px + (long)r * kp;
                    for (int e = rows.Pointers[r]; e < rows.Pointers[r + 1]; e++)
                    {
                        float* yi = py + (long)rows.Indices[e] * kp;
                        FactorKernels.Axpy(pa, FactorKernels.Dot(yi, xr, kp), yi, kp);
                    }
                }
            }
            return acc;
        }, _ => { });
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Fits each setting on the training data less a validation interaction of every 100th member from the 50th (the
    /// test members are every 100th from the 0th: none is used) and prints its validation HR@20 / NDCG@20 and popularity's.
    /// </summary>
    private static int Validate(SparseMatrix train, int iterations, int factors, string[] settings)
    {
        if (settings.Length == 0) throw new ArgumentException("ials-scale --validate: give at least one setting (\"defaults\", or key=value pairs joined by commas)");
        var (fit, members, titles) = HoldOut(train, every: 100, seed: 2, offset: 50);
        var popularity = new float[fit.Columns];
        foreach (var t in fit.Indices) popularity[t]++;
        var (popHr, popNdcg) = HeldOutHits(fit, members, titles, (_, scores) => popularity.CopyTo(scores));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"validation ({members.Length:N0} members, carved out of the training data): popularity HR@20 {popHr:F4}, NDCG@20 {popNdcg:F4}"));
        foreach (var setting in settings)
        {
            var pairs = setting == "defaults" ? new Dictionary<string, string>() : ModelParameters.ParsePairs(setting.Split(','));
            var options = ModelParameters.Bind<IalsOptions>(pairs, IalsTrainer.ModelName) with { Factors = factors, Iterations = iterations, UseRatings = false };
            var sw = Stopwatch.StartNew();
            var (x, y, kp) = IalsTrainer.Train(fit, options);
            double seconds = sw.Elapsed.TotalSeconds;
            var (hr, ndcg) = HeldOutHits(fit, members, titles, (m, scores) =>
            {
                var xm = x.AsSpan(m * kp, kp);
                for (int t = 0; t < scores.Length; t++) scores[t] = System.Numerics.Tensors.TensorPrimitives.Dot(xm, y.AsSpan(t * kp, kp));
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {setting}: HR@20 {hr:F4}, NDCG@20 {ndcg:F4} ({hr / popHr:F2}x, {ndcg / popNdcg:F2}x popularity) in {seconds:F0}s"));
        }
        return 0;
    }

    /// <summary>
    /// The matrix without one interaction (drawn with <paramref name="seed"/>) of every <paramref name="every"/>-th member
    /// from <paramref name="offset"/> who has at least two, and the held-out (member, title) pairs.
    /// </summary>
    private static (SparseMatrix Train, int[] Members, int[] Titles) HoldOut(SparseMatrix all, int every, int seed, int offset)
    {
        var rng = new Random(seed);
        var members = new List<int>();
        var titles = new List<int>();
        var skip = new HashSet<long>();
        for (int m = offset; m < all.Rows; m += every)
        {
            int n = all.Pointers[m + 1] - all.Pointers[m];
            if (n < 2) continue;
            int e = all.Pointers[m] + rng.Next(n);
            members.Add(m);
            titles.Add(all.Indices[e]);
            skip.Add(e);
        }
        var pointers = new int[all.Rows + 1];
        var indices = new int[all.NonZeros - skip.Count];
        var values = new float[indices.Length];
        int k = 0;
        for (int m = 0; m < all.Rows; m++)
        {
            for (int e = all.Pointers[m]; e < all.Pointers[m + 1]; e++)
            {
                if (skip.Contains(e)) continue;
                indices[k] = all.Indices[e];
                values[k++] = all.Values[e];
            }
            pointers[m + 1] = k;
        }
        return (new SparseMatrix(all.Rows, all.Columns, pointers, indices, values), members.ToArray(), titles.ToArray());
    }

    /// <summary>HR@20 and NDCG@20 of each held-out title among the titles its member has not played in training.</summary>
    private static (double Hr, double Ndcg) HeldOutHits(SparseMatrix train, int[] members, int[] titles, Action<int, float[]> score)
    {
        double hits = 0, gain = 0;
        object gate = new();
        Parallel.For(0, members.Length, () => (Scores: new float[train.Columns], Hits: 0.0, Gain: 0.0), (i, _, local) =>
        {
            int m = members[i];
            score(m, local.Scores);
            foreach (var t in train.RowIndices(m)) local.Scores[t] = float.NegativeInfinity;
            float target = local.Scores[titles[i]];
            int rank = 0;
            for (int t = 0; t < local.Scores.Length && rank < 20; t++)
                if (local.Scores[t] > target || (local.Scores[t] == target && t < titles[i])) rank++;
            if (rank < 20) { local.Hits++; local.Gain += 1 / Math.Log2(rank + 2); }
            return local;
        }, local => { lock (gate) { hits += local.Hits; gain += local.Gain; } });
        return (hits / members.Length, gain / members.Length);
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    public static long PeakMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        return -1;
    }
}
