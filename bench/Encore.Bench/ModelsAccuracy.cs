using System.Diagnostics;
using System.Globalization;
using Encore.Models;

namespace Encore.Bench;

/// <summary>
/// P-TOPN ML-100K figures of the top-N models (Recall@20, NDCG@20, coverage, fit seconds), on the test split or,
/// with --validation, on a split carved the same way out of the training positives (for tuning).
/// Usage: models-accuracy [--validation] [model [k=v ...]]...   e.g. models-accuracy ease lambda=200 ials
/// </summary>
public sealed class ModelsAccuracy : IBench
{
    public string Name => "models-accuracy";
    public string Description => "P-TOPN ML-100K Recall/NDCG@20 of top-N models: [--validation] model [k=v..] ...";

    public Task<int> RunAsync(string[] args)
    {
        bool validation = args.Contains("--validation");
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
        if (runs.Count == 0) runs.AddRange(ModelCatalog.Names.Select(n => (n, new List<string>())));
        foreach (var (model, ps) in runs)
        {
            var trainer = ModelCatalog.CreateTrainer(model, ModelParameters.ParsePairs(ps));
            var sw = Stopwatch.StartNew();
            var fitted = trainer.Fit(data.Train);
            double fit = sw.Elapsed.TotalSeconds;
            var (recall, ndcg, coverage) = data.Evaluate(fitted);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{model,-12} {string.Join(' ', ps),-40} recall@20={recall:F4} ndcg@20={ndcg:F4} coverage@20={coverage:F4} fit={fit:F3}s"));
        }
        return Task.FromResult(0);
    }
}
