using System.Diagnostics;
using System.Globalization;
using Encore.Core;
using Encore.Models;

namespace Encore.Bench;

/// <summary>
/// The item-item models at catalogue scale on the P-SCALE file (50,000 titles): item-kNN (sparse top-K) and EASE
/// capped to the most popular titles (a dense 50,000-title EASE needs an 18.6 GiB Gram matrix). Fit time, peak
/// memory (VmHWM, cumulative over the run) and top-20 for 10,000 members.
/// Usage: models-scale [csv=/tmp/pscale/interactions.csv] [ease-titles=5000] [neighbours=200]
/// </summary>
public sealed class ModelsScale : IBench
{
    public string Name => "models-scale";
    public string Description => "item-kNN and capped EASE on the 50,000-title P-SCALE csv: [csv] [ease-titles] [K]";

    public Task<int> RunAsync(string[] args)
    {
        string path = args.Length > 0 ? args[0] : "/tmp/pscale/interactions.csv";
        string easeTitles = args.Length > 1 ? args[1] : "5000";
        string neighbours = args.Length > 2 ? args[2] : "200";
        var csr = Encore.Evaluation.Interactions.InteractionsFile.LoadCsr(path);
        var members = new IdMap(Enumerable.Range(0, csr.Rows).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var titles = new IdMap(Enumerable.Range(0, csr.Columns).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var data = new InteractionMatrix(members, titles, csr.Pointers, csr.Indices, csr.Values);
        Console.WriteLine($"{data.Rows} members x {data.Columns} titles, {data.NonZeros} interactions; VmHWM {IalsScale.PeakMiB()} MiB");
        var sample = Enumerable.Range(0, 10_000).Select(i => (int)((long)i * data.Rows / 10_000)).ToArray();
        foreach (var (name, ps) in new[] { ("itemknn", $"neighbours={neighbours}"), ("ease", $"max-titles={easeTitles}") })
        {
            var sw = Stopwatch.StartNew();
            var model = ModelCatalog.CreateTrainer(name, ModelParameters.ParsePairs(ps.Split(' '))).Fit(data);
            double fit = sw.Elapsed.TotalSeconds;
            Recommendations.RecommendBatch(model, sample.AsSpan(0, 100), 20);
            sw.Restart();
            Recommendations.RecommendBatch(model, sample, 20);
            double top = sw.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-8} {ps,-16} fit {fit:F1}s; top-20 for 10,000 members {top * 1000:F0} ms; VmHWM so far {IalsScale.PeakMiB()} MiB"));
        }
        return Task.FromResult(0);
    }
}
