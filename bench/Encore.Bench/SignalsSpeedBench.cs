using System.Diagnostics;
using System.Globalization;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Bench;

/// <summary>
/// How fast signals fold: the whole log of a store into a <see cref="SignalSet"/> (against a bare read of the same
/// rows in the same run, the floor), and one event at a time as the real-time path does (microseconds per event,
/// over the store's own events replayed into a fresh set), then the same with search intent (each search event resolved
/// through the search index, <see cref="Encore.Ranking.Search.SearchIntentResolver"/>), per event and per search.
/// Usage: signals-speed DB [runs=3]
/// </summary>
public sealed class SignalsSpeedBench : IBench
{
    public string Name => "signals-speed";
    public string Description => "fold a store into signals vs a bare read; microseconds per real-time update: DB [runs]";

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: signals-speed DB [runs=3]");
            return 2;
        }
        var c = CultureInfo.InvariantCulture;
        int runs = args.Length > 1 ? int.Parse(args[1], c) : 3;
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(args[0]);
        var catalogue = await SignalCatalogue.LoadAsync(store);
        var members = await store.ReadMemberIdsAsync();
        var rows = new List<InteractionRow>();
        await foreach (var row in store.ReadInteractionsAsync(EventQuery.All)) rows.Add(row);
        var resolver = await Encore.Ranking.Search.SearchIntentResolver.LoadAsync(store);
        int searches = rows.Count(r => r.Kind == Encore.Core.EventKind.Search);
        Console.WriteLine(string.Create(c, $"{rows.Count:N0} events ({searches:N0} searches), {members.Count:N0} members, {catalogue.Titles:N0} titles"));
        for (int run = 1; run <= runs; run++)
        {
            var read = Stopwatch.StartNew();
            long n = 0;
            await foreach (var row in store.ReadInteractionsAsync(EventQuery.All)) n += row.Member;
            double readSeconds = read.Elapsed.TotalSeconds;

            var load = Stopwatch.StartNew();
            var set = await SignalSet.LoadAsync(store);
            double loadSeconds = load.Elapsed.TotalSeconds;

            // The real-time path: the same rows, one Apply each, into a fresh set (from memory: no store read).
            var fresh = new SignalSet(catalogue, members);
            var apply = Stopwatch.StartNew();
            foreach (var row in rows) fresh.Apply(row);
            double applySeconds = apply.Elapsed.TotalSeconds;

            var intent = new SignalSet(catalogue, members, resolver: resolver);
            var withIntent = Stopwatch.StartNew();
            foreach (var row in rows) intent.Apply(row);
            double intentSeconds = withIntent.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(c,
                $"run {run}: read the log {readSeconds:F2} s; fold it into signals {loadSeconds:F2} s ({loadSeconds / readSeconds:F2}x the bare read); "
                + $"one event at a time {applySeconds * 1e6 / rows.Count:F2} us per event ({set.Pairs:N0} pairs); with search intent "
                + $"{intentSeconds * 1e6 / rows.Count:F2} us per event, {(intentSeconds - applySeconds) * 1e6 / Math.Max(1, searches):F1} us more per search"));
        }
        return 0;
    }
}
