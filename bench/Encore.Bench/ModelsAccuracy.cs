using System.Diagnostics;
using System.Globalization;
using Encore.Models;

namespace Encore.Bench;

/// <summary>
/// P-TOPN ML-100K figures of the top-N models (Recall@20, NDCG@20, coverage, fit seconds), on the test split or,
/// with --validation, on a split carved the same way out of the training positives (for tuning).
/// Usage: models-accuracy [--validation] [--seeds S] [model [k=v ...]]...   e.g. models-accuracy ease lambda=200 ials
/// </summary>
public sealed class ModelsAccuracy : IBench
{
    public string Name => "models-accuracy";
    public string Description => "P-TOPN ML-100K Recall/NDCG@20 of top-N models: [--validation] model [k=v..] ...";

    public Task<int> RunAsync(string[] args)
    {
        bool validation = args.Contains("--validation");
        int seeds = 1;
        int seedsAt = Array.IndexOf(args, "--seeds");
        if (seedsAt >= 0)
        {
            seeds = int.Parse(args[seedsAt + 1], CultureInfo.InvariantCulture);
            args = [.. args[..seedsAt], .. args[(seedsAt + 2)..]];
        }
        var data = ModelsTopNData.LoadMl100k(out var trainPositives);
        if (validation)
            data = ModelsTopNData.Split(trainPositives, data.Train.TitleIds.Ids);
        Console.WriteLine($"split: {(validation ? "validation" : "test")} train={data.Train.NonZeros} test={data.TestPositives} testUsers={data.TestMembers.Length}");
        var runs = new List<(string Model, List<string> Params)>();
        foreach (var a in args.Where(a => a != "--validation"))
        {
            if (a.Contains('=') && runs.Count > 0) runs[^1].Params.Add(a);
            else runs.Add((a, []));
        }
        if (runs.Count == 0) runs.AddRange(ModelCatalog.TopNNames.Select(n => (n, new List<string>())));
        foreach (var (model, ps) in runs)
        {
            // With --seeds S, models that take a seed are fitted S times (seed=1..S) and the means reported.
            bool seeded = ModelCatalog.Get(model).Parameters.Any(p => p.Key == "seed");
            int runsOfModel = seeded ? seeds : 1;
            double recall = 0, ndcg = 0, coverage = 0, fit = 0, hr = 0, mrr = 0;
            for (int s = 1; s <= runsOfModel; s++)
            {
                var pairs = new Dictionary<string, string>(ModelParameters.ParsePairs(ps));
                if (seeded && seeds > 1) pairs["seed"] = s.ToString(CultureInfo.InvariantCulture);
                var trainer = ModelCatalog.CreateTrainer(model, pairs);
                var sw = Stopwatch.StartNew();
                var fitted = trainer.Fit(data.Train);
                fit += sw.Elapsed.TotalSeconds / runsOfModel;
                var (r, n, c) = data.Evaluate(fitted);
                recall += r / runsOfModel;
                ndcg += n / runsOfModel;
                coverage += c / runsOfModel;
                var (h, q) = data.EvaluateNext(fitted);
                hr += h / runsOfModel;
                mrr += q / runsOfModel;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{model,-12} {string.Join(' ', ps),-40} recall@20={recall:F4} ndcg@20={ndcg:F4} coverage@20={coverage:F4} | p-next hr@10={hr:F4} mrr@10={mrr:F4} | fit={fit:F3}s{(runsOfModel > 1 ? $" (mean of {runsOfModel} seeds)" : "")}"));
        }
        return Task.FromResult(0);
    }
}
