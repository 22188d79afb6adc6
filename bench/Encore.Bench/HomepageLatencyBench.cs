using System.Diagnostics;
using System.Globalization;
using Encore.Core;
using Encore.Models;
using Encore.Ranking;
using Encore.Ranking.Pages;
using Encore.Signals;
using Encore.Simulation;
using PageRequest = Encore.Ranking.Pages.PageRequest;

namespace Encore.Bench;

/// <summary>
/// In-process latency of the homepage at size: a simulated service (its events folded straight into signals, no
/// store), a model trained on them, then whole TV pages (10 rows x 40 titles) for random members, p50 and p99, against a
/// same-run reference: one top-40 call of the same model for the same members; and event-to-updated-page: one play
/// event folded in, then that member's page.
/// Usage: homepage-latency [members=5000] [titles=50000] [days=14] [pages=2000] [model=ials]
/// </summary>
public sealed class HomepageLatencyBench : IBench
{
    public string Name => "homepage-latency";
    public string Description => "whole-page and event-to-page latency in process at size: [members] [titles] [days] [pages] [model]";

    public async Task<int> RunAsync(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        var options = new SimulationOptions
        {
            Members = args.Length > 0 ? int.Parse(args[0], c) : 5_000,
            Titles = args.Length > 1 ? int.Parse(args[1], c) : 50_000,
            Days = args.Length > 2 ? int.Parse(args[2], c) : 14,
        };
        int pages = args.Length > 3 ? int.Parse(args[3], c) : 2_000;
        string model = args.Length > 4 ? args[4] : "ials";
        var clock = Stopwatch.StartNew();
        var service = new SimulatedService(options);
        var titles = service.Titles().ToList();
        var catalogue = RankingCatalogue.Build(new IdMap(titles.Select(t => t.Id)), new IdMap(titles.SelectMany(t => t.Episodes).Select(e => e.Id)), titles);
        var signals = new SignalSet(catalogue.Signals, new IdMap(service.Members.Ids));
        await service.RunAsync(PolicyCatalog.Create("popularity", service), new FoldSink(service, signals));
        Console.WriteLine(string.Create(c, $"{options.Members:N0} members x {options.Titles:N0} titles x {options.Days} days: {signals.Events:N0} events folded in {clock.Elapsed.TotalSeconds:F1} s"));
        clock.Restart();
        var trained = ModelTraining.Fit(signals, ModelCatalog.CreateTrainer(model), new TrainingRequest { Model = model }, "bench");
        Console.WriteLine(string.Create(c, $"{model} trained in {clock.Elapsed.TotalSeconds:F1} s (similar titles: {trained.Similar.Name})"));
        using var homepage = new HomepageService(catalogue, signals, trained);
        var at = DateTime.UnixEpoch.AddMilliseconds(signals.LastEventMs);
        var rng = new Random(7);
        var members = Enumerable.Range(0, pages).Select(_ => service.Members.Ids[rng.Next(service.Members.Count)]).ToArray();
        var request = (string m) => new PageRequest { MemberId = m, Device = DeviceKind.Tv, AtUtc = at };

        // Warm up, then time.
        for (int i = 0; i < Math.Min(50, pages); i++) homepage.Build(request(members[i]));
        var pageTimes = new double[pages];
        int rows = 0, entries = 0;
        for (int i = 0; i < pages; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var page = homepage.Build(request(members[i]));
            pageTimes[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            rows += page.Rows.Count;
            entries += page.Rows.Sum(r => r.Titles.Count);
        }
        var topTimes = new double[pages];
        for (int i = 0; i < pages; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            Recommendations.Recommend(trained.Recommender, members[i], 40);
            topTimes[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        var eventTimes = new double[Math.Min(pages, 1_000)];
        for (int i = 0; i < eventTimes.Length; i++)
        {
            var title = titles[rng.Next(titles.Count)];
            var t0 = Stopwatch.GetTimestamp();
            homepage.Apply(new ViewingEvent
            {
                EventId = $"bench-{i}", Kind = EventKind.PlayStart, MemberId = members[i], TitleId = title.Id,
                EpisodeId = title.Seasons.Count > 0 ? title.Seasons[0].Episodes[0].Id : null, Device = DeviceKind.Tv,
                TimestampUtc = at.AddSeconds(i), SessionId = "bench", PositionSeconds = 0,
            });
            homepage.Build(request(members[i]));
            eventTimes[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Console.WriteLine(string.Create(c, $"pages: {pages:N0} TV pages, {rows / (double)pages:F1} rows and {entries / (double)pages:F0} titles each"));
        Console.WriteLine("| what | p50 ms | p99 ms |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(string.Create(c, $"| whole page | {Percentile(pageTimes, 0.5):F2} | {Percentile(pageTimes, 0.99):F2} |"));
        Console.WriteLine(string.Create(c, $"| event then updated page | {Percentile(eventTimes, 0.5):F2} | {Percentile(eventTimes, 0.99):F2} |"));
        Console.WriteLine(string.Create(c, $"| reference: one top-40 call of the same model | {Percentile(topTimes, 0.5):F2} | {Percentile(topTimes, 0.99):F2} |"));
        Console.WriteLine(string.Create(c, $"page / top-40 at p50: {Percentile(pageTimes, 0.5) / Percentile(topTimes, 0.5):F1}x"));
        return 0;
    }

    private static double Percentile(double[] values, double q)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }

    private sealed class FoldSink(SimulatedService service, SignalSet signals) : ISimulationSink
    {
        public ValueTask BeginAsync(SimulatedService s, CancellationToken ct) => ValueTask.CompletedTask;

        public ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct)
        {
            foreach (var e in batch.Events) signals.Apply(service.ToViewingEvent(e));
            return ValueTask.CompletedTask;
        }

        public ValueTask CompleteAsync(CancellationToken ct) => ValueTask.CompletedTask;
    }
}
