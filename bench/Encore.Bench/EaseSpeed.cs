using System.Diagnostics;
using System.Globalization;
using Encore.Models.Ease;
using Encore.Models.Numerics;

namespace Encore.Bench;

/// <summary>
/// EASE fit time on P-TOPN ML-100K train (lambda 200) against numpy in the same run (bench/ease_numpy.py,
/// the same split and the same closed form with np.linalg.inv), and the raw inverse kernel in GFLOP/s.
/// Usage: ease-speed [repeats=7] [python=/usr/bin/python3]
/// </summary>
public sealed class EaseSpeed : IBench
{
    public string Name => "ease-speed";
    public string Description => "EASE fit on ML-100K P-TOPN train vs numpy (same run): [repeats] [python]";

    public Task<int> RunAsync(string[] args)
    {
        int repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
        string python = args.Length > 1 ? args[1] : "/usr/bin/python3";
        var data = ModelsTopNData.LoadMl100k(out _);
        var trainer = new EaseTrainer(new EaseOptions { Lambda = 200 });
        trainer.Fit(data.Train); // JIT warm-up, as numpy's libraries are loaded before its timing
        var times = new List<double>();
        EaseRecommender? model = null;
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            model = (EaseRecommender)trainer.Fit(data.Train);
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        double encore = times[0];
        var (recall, ndcg, _) = data.Evaluate(model!);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"encore EASE fit: best {encore:F4}s median {times[times.Count / 2]:F4}s over {repeats} ({model!.ActiveTitles} active titles of {data.Train.Columns}); recall@20={recall:F4} ndcg@20={ndcg:F4}"));

        // The inverse kernel alone, on the full 1682-title Gram-sized SPD matrix.
        int n = data.Train.Columns;
        int ld = SymmetricInverse.PaddedSize(n);
        var rng = new Random(7);
        var baseMatrix = new float[ld * ld];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) baseMatrix[i * ld + j] = i == j ? n : (float)(rng.NextDouble() - 0.5);
        var work = new float[ld * ld];
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            Array.Copy(baseMatrix, work, work.Length);
            var sw = Stopwatch.StartNew();
            SymmetricInverse.InvertLower(work, n);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"encore symmetric inverse n={n}: {best:F4}s = {(double)n * n * n / best / 1e9:F1} GFLOP/s (n^3 flops, i.e. n^3/2 multiply-adds)"));

        var script = FindScript();
        if (script is null || !File.Exists(python)) { Console.WriteLine("numpy reference: skipped (bench/ease_numpy.py or python not found)"); return Task.FromResult(0); }
        var psi = new ProcessStartInfo(python, [script, ModelsTopNData.DataFolder(), repeats.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Console.Write(output);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("numpy EASE fit best", StringComparison.Ordinal));
        if (line is not null)
        {
            double numpy = double.Parse(line.Split(' ')[4].TrimEnd('s'), CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio numpy/encore = {numpy / encore:F2}x (encore {encore:F4}s, numpy {numpy:F4}s)"));
        }
        return Task.FromResult(0);
    }

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "ease_numpy.py");
            if (File.Exists(candidate)) return candidate;
        }
        var env = Environment.GetEnvironmentVariable("ENCORE_REPO");
        return env is not null && File.Exists(Path.Combine(env, "bench", "ease_numpy.py")) ? Path.Combine(env, "bench", "ease_numpy.py") : null;
    }
}
