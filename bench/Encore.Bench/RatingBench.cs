using System.Globalization;
using Encore.Evaluation.Rating;
using Encore.Evaluation.Tuning;
using Encore.Models;
using Encore.Models.Ratings;

namespace Encore.Bench;

/// <summary>
/// P-RATING (PROTOCOLS.md) for every rating model with its documented defaults: RMSE and MAE per fold and
/// their means over MovieLens 100K's u1..u5, and the training wall time, quoted as a ratio to the damped
/// baseline's fit measured in the same run (the global mean is the accuracy reference and is timed too,
/// but its fit takes about a millisecond, too little to divide by).
/// Options: --data DIR (../shared/data/ml-100k), --models a,b (all), --folds u1,u2 (all),
/// --param key=value (repeatable, passed to every model that is not mean/baseline; the keys are the models' parameters as
/// `encore eval --param` takes them, e.g. learning-rate, burn-in),
/// --tune key=v1,v2 (repeatable): instead, for each model, choose the setting per fold on a validation split
/// carved out of that fold's training ratings (RatingProtocol.RunTuned) and report the test figures.
/// </summary>
public sealed class RatingBench : IBench
{
    public string Name => "rating";

    public string Description => "P-RATING on ML-100K u1..u5: RMSE/MAE of every rating model, fit time vs the baseline's";

    public Task<int> RunAsync(string[] args)
    {
        var data = Option(args, "--data") ?? FindMl100k();
        if (data is null || !Directory.Exists(data))
        {
            Console.Error.WriteLine("MovieLens 100K not found: pass --data DIR or put it at ../shared/data/ml-100k");
            return Task.FromResult(2);
        }
        var models = Option(args, "--models")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [.. ModelCatalog.RatingNames];
        var folds = RatingFolds.Load(data, Option(args, "--folds")?.Split(','), CancellationToken.None);
        var extra = new Dictionary<string, string>();
        for (int k = 0; k + 1 < args.Length; k++)
        {
            if (args[k] != "--param") continue;
            var kv = args[k + 1].Split('=', 2);
            if (kv.Length != 2) { Console.Error.WriteLine($"--param {args[k + 1]}: expected key=value"); return Task.FromResult(2); }
            extra[kv[0]] = kv[1];
        }

        var axes = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        for (int k = 0; k + 1 < args.Length; k++)
        {
            if (args[k] != "--tune") continue;
            var kv = args[k + 1].Split('=', 2);
            if (kv.Length != 2) { Console.Error.WriteLine($"--tune {args[k + 1]}: expected key=v1,v2"); return Task.FromResult(2); }
            axes.Add(new(kv[0], kv[1].Split(',')));
        }

        Console.WriteLine($"P-RATING on {data}: folds {string.Join(",", folds.Select(f => f.Name))}; {Environment.ProcessorCount} cores; Release build expected");
        var references = new List<RatingProtocolResult>
        {
            RunOne(data, GlobalMeanTrainer.ModelName, [], folds),
            RunOne(data, BaselineTrainer.ModelName, [], folds),
        };
        var results = new List<RatingProtocolResult>();
        foreach (var model in models)
        {
            var reference = references.Find(r => r.Model == model);
            if (axes.Count > 0 && reference is null)
            {
                var grid = ParameterGrid.Expand(axes, extra);
                var (tuned, _) = RatingProtocol.RunTuned(data, model, grid, folds, new ConsoleLines(), CancellationToken.None);
                results.Add(tuned);
                continue;
            }
            results.Add(reference ?? RunOne(data, model, model is GlobalMeanTrainer.ModelName or BaselineTrainer.ModelName ? [] : extra, folds));
        }
        double baselineFit = references[1].FitSecondsPerFold;
        Console.WriteLine();
        Console.WriteLine($"{"model",-10} {"RMSE",7} {"MAE",7}  {"RMSE per fold",-41} {"fit s/fold",10} {"x baseline",10}");
        foreach (var r in results)
        {
            string perFold = string.Join(" ", r.RmseFolds.Select(x => x.ToString("F4", CultureInfo.InvariantCulture)));
            Console.WriteLine($"{r.Model,-10} {r.Rmse,7:F4} {r.Mae,7:F4}  {perFold,-41} {r.FitSecondsPerFold,10:F3} {r.FitSecondsPerFold / baselineFit,10:F0}");
        }
        Console.WriteLine("peers (same protocol): global mean 1.1256/0.9447; damped baseline (5,5) 0.9438/0.7475; LIBMF SGD k=128 0.9105/0.7214; Surprise SVD++ 0.919/0.721 (its own folds)");
        return Task.FromResult(0);
    }

    private static RatingProtocolResult RunOne(string data, string model, Dictionary<string, string> parameters, IReadOnlyList<RatingFold> folds)
    {
        var trainer = ModelCatalog.CreateRatingTrainer(model, parameters);
        var result = RatingProtocol.Run(data, trainer, parameters, folds, null, CancellationToken.None);
        Console.WriteLine($"  {model,-10} RMSE {result.Rmse:F4}  MAE {result.Mae:F4}  fit {result.FitSecondsPerFold:F3} s/fold  {ParameterGrid.Describe(parameters)}");
        return result;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string? FindMl100k()
    {
        var env = Environment.GetEnvironmentVariable("ENCORE_SHARED_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "ml-100k"))) return Path.Combine(env, "ml-100k");
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "ml-100k");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Writes progress at once, on the reporting thread (Progress&lt;T&gt; would post it later, out of order).</summary>
    private sealed class ConsoleLines : IProgress<string>
    {
        public void Report(string value) => Console.WriteLine("  " + value);
    }
}
