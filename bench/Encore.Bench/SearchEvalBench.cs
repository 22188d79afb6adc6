using System.Globalization;
using Encore.Evaluation.Search;
using Encore.Storage;

namespace Encore.Bench;

/// <summary>
/// How well search finds what the simulated members looked for (<see cref="SearchProtocol"/>): MRR@20, hit@1 and hit@10
/// of the title played from each search in the test days, with the results ordered by text alone, by text and
/// popularity, and by text and the member's own score; every setting chosen on the validation split carved out of the
/// training days. Prints a Markdown table.
/// Usage: search-eval DB [model=ials]
/// </summary>
public sealed class SearchEvalBench : IBench
{
    public string Name => "search-eval";
    public string Description => "search MRR of the chosen title: text alone vs text + popularity vs text + the member's score, tuned on validation: DB [model]";

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: search-eval DB [model=ials]");
            return 2;
        }
        var c = CultureInfo.InvariantCulture;
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(args[0]);
        var progress = new Progress<string>(Console.Error.WriteLine);
        var data = await SearchProtocol.LoadAsync(store, progress);
        var report = SearchProtocol.Run(data, args.Length > 1 ? args[1] : "ials", progress: progress);
        Console.WriteLine(string.Create(c, $"Search on {args[0]}: {report.ValidationCases:N0} validation searches (train before {data.Validation.TrainEndUtc:yyyy-MM-dd}), "
            + $"{report.TestCases:N0} test searches (train before {data.Test.TrainEndUtc:yyyy-MM-dd}); member scores from {report.Model}"));
        Console.WriteLine();
        Console.WriteLine("| order | chosen on validation | validation MRR@20 | MRR@20 | hit@1 | hit@10 | found in top 20 |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var m in report.Modes)
        {
            var setting = string.Create(c, $"coverage {m.NameCoverage}") + (m.Mode.Contains('+') ? string.Create(c, $", weight {m.Weight}") : "");
            Console.WriteLine(string.Create(c, $"| {m.Mode} | {setting} | {m.ValidationMrr:F4} | {m.Mrr:F4} | {m.HitAt1:F4} | {m.HitAt10:F4} | {m.Found:F4} |"));
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"{report.Seconds:F0} s"));
        return 0;
    }
}
