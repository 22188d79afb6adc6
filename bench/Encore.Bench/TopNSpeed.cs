using System.Diagnostics;
using System.Globalization;
using Encore.Models;

namespace Encore.Bench;

/// <summary>
/// Top-20 for all 938 P-TOPN ML-100K test members with Recommendations.RecommendBatch (parallel, partial
/// selection) per model, against a same-run reference: one member at a time with a full sort of the catalogue.
/// Usage: topn-speed [repeats=20]
/// </summary>
public sealed class TopNSpeed : IBench
{
    public string Name => "topn-speed";
    public string Description => "top-20 for all 938 ML-100K test members (batch) vs a full-sort reference";

    public Task<int> RunAsync(string[] args)
    {
        int repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var data = ModelsTopNData.LoadMl100k(out _);
        var members = data.TestMembers;
        Console.WriteLine($"{members.Length} test members, {data.Train.Columns} titles, best of {repeats}");
        foreach (var (name, ps) in new[] { ("popularity", ""), ("itemknn", ""), ("ease", ""), ("ials", ""), ("ials", "factors=64") })
        {
            var pairs = ModelParameters.ParsePairs(ps.Length == 0 ? [] : ps.Split(' '));
            var model = ModelCatalog.CreateTrainer(name, pairs).Fit(data.Train);
            Recommendations.RecommendBatch(model, members, 20, data.Train); // warm-up (JIT)
            var process = System.Diagnostics.Process.GetCurrentProcess();
            process.Refresh();
            double cpu0 = process.TotalProcessorTime.TotalSeconds;
            double batch = Best(repeats, () => Recommendations.RecommendBatch(model, members, 20, data.Train));
            process.Refresh();
            double batchCpu = (process.TotalProcessorTime.TotalSeconds - cpu0) / repeats;
            double naive = Best(Math.Max(3, repeats / 4), () => FullSort(model, members, data));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-10} {ps,-12} batch top-20: {batch * 1000:F2} ms (mean CPU {batchCpu * 1000:F2} ms)   full-sort reference: {naive * 1000:F2} ms   ratio {naive / batch:F1}x   load {IalsScale.LoadAverage()}"));
        }
        return Task.FromResult(0);
    }

    private static double Best(int repeats, Action action)
    {
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            action();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    // One member at a time: score, mask the training titles, sort the whole catalogue, take 20.
    private static int FullSort(IRecommender model, int[] members, ModelsTopNData data)
    {
        int titles = model.TitleIds.Count, checksum = 0;
        var scores = new float[titles];
        var order = new int[titles];
        foreach (var m in members)
        {
            model.ScoreMember(m, scores);
            foreach (var t in data.Train.RowColumns(m)) scores[t] = float.NegativeInfinity;
            for (int i = 0; i < titles; i++) { order[i] = i; scores[i] = -scores[i]; }
            Array.Sort(scores, order);
            checksum += order[0];
        }
        return checksum;
    }
}
