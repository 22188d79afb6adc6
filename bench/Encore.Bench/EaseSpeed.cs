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
        var cpu = new List<double>();
        var process = Process.GetCurrentProcess();
        EaseRecommender? model = null;
        for (int r = 0; r < repeats; r++)
        {
            process.Refresh();
            double c0 = process.TotalProcessorTime.TotalSeconds;
            var sw = Stopwatch.StartNew();
            model = (EaseRecommender)trainer.Fit(data.Train);
            times.Add(sw.Elapsed.TotalSeconds);
            process.Refresh();
            cpu.Add(process.TotalProcessorTime.TotalSeconds - c0);
        }
        times.Sort();
        cpu.Sort();
        double encore = times[0];
        var (recall, ndcg, _) = data.Evaluate(model!);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"encore EASE fit: best {encore:F4}s median {times[times.Count / 2]:F4}s over {repeats} (CPU {cpu[0]:F4}s; {model!.ActiveTitles} active titles of {data.Train.Columns}); recall@20={recall:F4} ndcg@20={ndcg:F4}; load average {IalsScale.LoadAverage()}"));

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
        // Debian's numpy as installed (reference BLAS/LAPACK), and the same numpy on OpenBLAS where
        // libopenblas0-pthread is installed (loaded for this process only, through LD_LIBRARY_PATH).
        const string openBlas = "/usr/lib/x86_64-linux-gnu/openblas-pthread";
        foreach (var (label, libraryPath) in new[] { ("numpy (system BLAS)", (string?)null), ("numpy (OpenBLAS)", openBlas) })
        {
            if (libraryPath is not null && !Directory.Exists(libraryPath)) { Console.WriteLine($"{label}: skipped ({libraryPath} not installed)"); continue; }
            var psi = new ProcessStartInfo(python, [script, ModelsTopNData.DataFolder(), repeats.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true };
            if (libraryPath is not null) psi.Environment["LD_LIBRARY_PATH"] = libraryPath;
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Console.Write(label + ": " + output);
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("numpy EASE fit best", StringComparison.Ordinal));
            if (line is null) continue;
            var words = line.Split(' ');
            double numpy = double.Parse(words[4].TrimEnd('s'), CultureInfo.InvariantCulture);
            double numpyCpu = double.Parse(words[Array.IndexOf(words, "(CPU") + 1].TrimEnd('s', ')', ';'), CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ratio {label}/encore: wall {numpy / encore:F2}x (encore {encore:F4}s, numpy {numpy:F4}s); CPU {numpyCpu / cpu[0]:F2}x (encore {cpu[0]:F4}s, numpy {numpyCpu:F4}s)"));
        }
        return Task.FromResult(0);
    }

    private static string? FindScript()
    {
        // From the repository root (where `dotnet run --project bench/Encore.Bench` is run), else up from the binary.
        var fromWorkingDirectory = Path.Combine(Directory.GetCurrentDirectory(), "bench", "ease_numpy.py");
        if (File.Exists(fromWorkingDirectory)) return fromWorkingDirectory;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "ease_numpy.py");
            if (File.Exists(candidate)) return candidate;
        }
        var env = Environment.GetEnvironmentVariable("ENCORE_REPO");
        return env is not null && File.Exists(Path.Combine(env, "bench", "ease_numpy.py")) ? Path.Combine(env, "bench", "ease_numpy.py") : null;
    }
}
