using System.Diagnostics;
using System.Globalization;
using Encore.Models.Ials;
using Encore.Models.Numerics;

namespace Encore.Bench;

/// <summary>
/// iALS seconds per iteration and peak memory on the P-SCALE file (gen_synth.py --csv: 500,000 x 50,000,
/// 9,942,610 interactions), 64 factors, 3 CG steps, all cores; with a same-run reference: one raw sparse pass
/// (a dot product and an axpy of 64-float rows for every interaction, members then titles), the floor of the
/// memory traffic any ALS iteration needs. Peak memory is VmHWM of this process (loading included).
/// Usage: ials-scale [csv=/tmp/pscale/interactions.csv] [iterations=3] [factors=64]
/// </summary>
public sealed class IalsScale : IBench
{
    public string Name => "ials-scale";
    public string Description => "iALS s/iteration + peak memory on the P-SCALE csv: [csv] [iterations] [factors]";

    public Task<int> RunAsync(string[] args)
    {
        string path = args.Length > 0 ? args[0] : "/tmp/pscale/interactions.csv";
        int iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        int factors = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
        var sw = Stopwatch.StartNew();
        var matrix = Encore.Evaluation.Interactions.InteractionsFile.LoadCsr(path);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"loaded {matrix.Rows} members x {matrix.Columns} titles, {matrix.NonZeros} interactions in {sw.Elapsed.TotalSeconds:F1}s; VmHWM after load {PeakMiB()} MiB"));

        var options = new IalsOptions { Factors = factors, Iterations = iterations, CgSteps = 3, UseRatings = false };
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
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"vs implicit 0.7.3 on this machine (issue 3: 2.8 s/iteration on both cores, 533 MB): wall ratio {2.8 / steady:F2}x; CPU-based ratio (2.8 s x {Environment.ProcessorCount} cores / CPU-s) {2.8 * Environment.ProcessorCount / steadyCpu:F2}x"));
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

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    public static long PeakMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        return -1;
    }
}
