using System.Globalization;
using Encore.Core;
using Encore.Evaluation.Simulation;
using Encore.Simulation;

namespace Encore.Bench;

/// <summary>
/// What the homepage is worth to the simulated service: the same members and seed under the popularity homepage,
/// Encore's page generator, and Encore's Top Picks alone (so the value of page generation itself shows); for each,
/// hours watched, take-rate (plays per impression), the share of plays from search, and members who left because they
/// were poorly served, with the ratios against popularity.
/// Usage: page-policy [members=1200] [titles=1000] [days=56] [seed] [retrain-days=7] [model=ials] [k=v model parameters...]
/// </summary>
public sealed class PagePolicyBench : IBench
{
    public string Name => "page-policy";
    public string Description => "the simulated service under popularity, Encore's pages and Encore's Top Picks alone: [members] [titles] [days] [seed]";

    public async Task<int> RunAsync(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        var options = new SimulationOptions
        {
            Members = args.Length > 0 ? int.Parse(args[0], c) : SimulationOptions.DefaultMembers,
            Titles = args.Length > 1 ? int.Parse(args[1], c) : SimulationOptions.DefaultTitles,
            Days = args.Length > 2 ? int.Parse(args[2], c) : SimulationOptions.DefaultDays,
            Seed = args.Length > 3 ? ulong.Parse(args[3], c) : SimulationOptions.DefaultSeed,
        };
        int retrain = args.Length > 4 ? int.Parse(args[4], c) : 7;
        var model = args.Length > 5 ? args[5] : "ials";
        var parameters = Encore.Models.ModelParameters.ParsePairs(args.Skip(6));
        var training = new Encore.Ranking.TrainingRequest { Model = model, Parameters = parameters };
        Console.WriteLine(string.Create(c, $"simulated service {options.Members:N0} members x {options.Titles:N0} titles x {options.Days} days, seed {options.Seed}; Encore retrains {model} {string.Join(" ", parameters.Select(kv => kv.Key + "=" + kv.Value))} every {retrain} days"));
        Console.WriteLine("| homepage | hours watched | take-rate (plays from rows other than Continue Watching, per impression) | plays from search | members who left | hours vs popularity |");
        Console.WriteLine("|---|---|---|---|---|---|");
        double? baseline = null;
        foreach (var name in new[] { "popularity", "encore", "encore-top-picks" })
        {
            var service = new SimulatedService(options);
            var report = new SimulationReportSink();
            IHomepagePolicy policy;
            ISimulationSink sink;
            if (name == "popularity")
            {
                policy = PolicyCatalog.Create(name, service);
                sink = report;
            }
            else
            {
                var encore = new EncorePagePolicy(service, training, topPicksOnly: name == "encore-top-picks", retrainDays: retrain);
                policy = encore;
                sink = new CompositeSink([report, encore]);
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var summary = await service.RunAsync(policy, sink);
            var r = report.Build();
            long impressions = r.EventsByKind.GetValueOrDefault(EventKind.Impression);
            baseline ??= r.HoursWatched;
            Console.WriteLine(string.Create(c,
                $"| {policy.Name} | {r.HoursWatched:N0} | {r.Plays * (r.ShareFromRecommendations - r.ShareFromContinueWatching) / Math.Max(1, impressions):P2} | {r.ShareFromSearch:P1} | {summary.MembersLeft:N0} | {r.HoursWatched / baseline.Value:F3}x |"));
            Console.Error.WriteLine(string.Create(c, $"{policy.Name}: {clock.Elapsed.TotalSeconds:F0} s"));
        }
        return 0;
    }
}
