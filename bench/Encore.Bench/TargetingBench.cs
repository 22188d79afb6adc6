using System.Globalization;
using Encore.Analytics.Targeting;
using Encore.Models.Ials;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Bench;

/// <summary>
/// The targeting check (<see cref="MemberTargeting"/>) over every genre of a store: iALS trained before the last DAYS
/// (default 14), members ranked for each genre, responses (starting a title of it not begun before) counted in those days.
/// Prints, per genre, responders, base rate, top-decile lift and AUC, and the response rate per decile pooled over genres.
/// Usage: targeting DB [DAYS]
/// </summary>
public sealed class TargetingBench : IBench
{
    public string Name => "targeting";
    public string Description => "targeting by genre: response per decile on a held-out period, lift and AUC: DB [DAYS]";

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: targeting DB [DAYS=14]");
            return 2;
        }
        var c = CultureInfo.InvariantCulture;
        int days = args.Length > 1 ? int.Parse(args[1], c) : 14;
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(args[0]);
        var stats = await store.GetStatisticsAsync();
        var split = stats.LastEventUtc!.Value.AddDays(-days);
        var (before, responses) = await MemberTargeting.LoadSplitAsync(store, new IalsOptions(), PreferenceOptions.Default, split,
            progress: new Progress<string>(Console.Error.WriteLine));
        var members = new long[10];
        var responders = new long[10];
        Console.WriteLine(string.Create(c, $"Targeting on {args[0]}: trained before {split:yyyy-MM-dd}, responses in the last {days} days"));
        Console.WriteLine("| genre | responders | base rate | top-decile rate | lift | AUC |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var aucs = new List<double>();
        foreach (var genre in MemberTargeting.KnownGenres(before.Data))
        {
            var (check, deciles) = MemberTargeting.Check(before, responses, new TargetSpec { Genre = genre }, split, stats.LastEventUtc.Value);
            for (int d = 0; d < 10; d++) { members[d] += deciles[d].Members; responders[d] += deciles[d].Responders; }
            double top = deciles[0].Members == 0 ? 0 : (double)deciles[0].Responders / deciles[0].Members;
            if (!double.IsNaN(check.Auc)) aucs.Add(check.Auc);
            Console.WriteLine(string.Create(c, $"| {genre} | {check.Responders:N0} | {check.BaseRate:P2} | {top:P2} | {check.TopDecileLift:F2} | {check.Auc:F3} |"));
        }
        long all = responders.Sum(), ranked = members.Sum();
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"Pooled over genres: mean AUC {aucs.Average():F3}; response per decile (base {(double)all / ranked:P2}):"));
        Console.WriteLine("| decile | rate | lift |");
        Console.WriteLine("|---|---|---|");
        for (int d = 0; d < 10; d++)
        {
            double rate = (double)responders[d] / Math.Max(1, members[d]);
            Console.WriteLine(string.Create(c, $"| {d + 1} | {rate:P2} | {rate / ((double)all / ranked):F2} |"));
        }
        return 0;
    }
}
