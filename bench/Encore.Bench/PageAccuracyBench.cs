using System.Globalization;
using Encore.Core;
using Encore.Evaluation.Simulation;
using Encore.Models;
using Encore.Ranking;
using Encore.Ranking.Pages;
using Encore.Storage;
using PageRequest = Encore.Ranking.Pages.PageRequest;

namespace Encore.Bench;

/// <summary>
/// Page-level accuracy on P-SIM: a model trained on everything before the last 14 days builds each member's page for
/// the member's next session (its device, at its start); the figure is the share of the titles the member begins anew in
/// that session (the first three hours after its first event) that were on the first screen (the first M rows x N
/// titles), for the generated page against a fixed row template (the same rows in one order for everyone).
/// Usage: page-accuracy DB [model=ials]
/// </summary>
public sealed class PageAccuracyBench : IBench
{
    public string Name => "page-accuracy";
    public string Description => "P-SIM: share of the next session's new titles on the first screen, generated page vs fixed template: DB [model]";

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: page-accuracy DB [model=ials]");
            return 2;
        }
        var c = CultureInfo.InvariantCulture;
        string model = args.Length > 1 ? args[1] : "ials";
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(args[0]);
        var data = await PSimProtocol.LoadAsync(store);
        var split = data.Test;
        var catalogue = await RankingCatalogue.LoadAsync(store);
        var trained = ModelTraining.Fit(split.Signals, ModelCatalog.CreateTrainer(model), new TrainingRequest { Model = model }, store.Location);

        // Each test member's next session: device and start, and the titles begun anew in its first three hours.
        var first = new Dictionary<int, (long Ms, DeviceKind Device)>();
        var begun = new Dictionary<int, HashSet<int>>();
        await foreach (var row in store.ReadInteractionsAsync(new EventQuery { FromUtc = split.TrainEndUtc }))
        {
            if (!first.TryGetValue(row.Member, out var f)) first[row.Member] = f = (row.UnixMilliseconds, row.Device);
            if (row.UnixMilliseconds - f.Ms > 3 * 3_600_000L || row.Kind != EventKind.PlayStart || row.Title < 0) continue;
            if (split.Signals.Get(row.Member, row.Title).Played) continue;
            if (!begun.TryGetValue(row.Member, out var set)) begun[row.Member] = set = [];
            set.Add(row.Title);
        }
        var options = PageOptions.Default;
        Console.WriteLine(string.Create(c, $"{begun.Count:N0} members begin a new title in their next session; first screen = {options.AboveFoldRows} rows x {options.AboveFoldTitles} titles; model {model}"));
        Console.WriteLine("| page | titles on the first screen | share of the next session's new titles |");
        Console.WriteLine("|---|---|---|");
        foreach (var (name, pageOptions) in new[] { ("generated", options), ("fixed template", options with { FixedRowOrder = true }) })
        {
            var builder = new HomepageBuilder(catalogue, trained, pageOptions);
            long hits = 0, total = 0, shown = 0;
            foreach (var (member, titles) in begun)
            {
                var (ms, device) = first[member];
                var page = builder.Build(split.Signals, new PageRequest
                {
                    MemberId = split.Signals.MemberIds[member], Device = device, AtUtc = DateTime.UnixEpoch.AddMilliseconds(ms),
                });
                var screen = new HashSet<string>(page.Rows.Take(pageOptions.AboveFoldRows).SelectMany(r => r.Titles.Take(pageOptions.AboveFoldTitles)).Select(t => t.TitleId));
                shown += screen.Count;
                foreach (var t in titles)
                {
                    total++;
                    if (screen.Contains(catalogue.Signals.TitleIds[t])) hits++;
                }
            }
            Console.WriteLine(string.Create(c, $"| {name} | {shown / (double)begun.Count:F1} | {hits / (double)total:P2} ({hits:N0} of {total:N0}) |"));
        }
        return 0;
    }
}
