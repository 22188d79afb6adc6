using System.Diagnostics;
using Encore.Evaluation.Ranking;
using Encore.Evaluation.Reporting;
using Encore.Models;
using Encore.Simulation;
using Encore.Storage;

namespace Encore.Evaluation.Simulation;

/// <summary>
/// P-SIM of PROTOCOLS.md on a database filled by `encore simulate`: train on everything before the last 14
/// simulated days, under each signal setting (the ablation); rank every title except the member's training
/// titles; score the top 20 against (a) the titles started in the test days and watched to 70% and (b) the
/// member's true top 20 of the hidden taste (among titles available by the split and not in training),
/// reported separately. The world (and so the truth) is rebuilt from the seed and sizes in the manifest
/// beside the database.
/// </summary>
public static class PSimProtocol
{
    public const string ProtocolName = "p-sim";
    public const int K = 20;

    /// <summary>
    /// The fewest members `encore demo` simulates for P-SIM. P-SIM averages over the members who start a new title in
    /// the last 14 days, and the demo shows one of them who had watched something before: with fewer members a service
    /// may have none. On the smallest service (20 titles, 15 days), 6 of 150 seeds had no member to show with 12
    /// members, 2 of 150 with 16, and none of 150 with 20. A smaller service can still be simulated and evaluated;
    /// a figure with no member to average over is then reported as missing (NaN), never as a number.
    /// </summary>
    public const int MinimumMembers = 20;

    /// <summary>Refuses, before any work, a service too small for P-SIM's figures (too few days or members).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The days or members are too few; the message says why.</exception>
    public static void RequireEvaluable(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Days < PSimSplit.MinimumDays)
            throw new ArgumentOutOfRangeException(nameof(options.Days), options.Days, PSimSplit.TooFewDays(options.Days));
        if (options.Members < MinimumMembers)
            throw new ArgumentOutOfRangeException(nameof(options.Members), options.Members,
                $"P-SIM needs at least {MinimumMembers} members: its figures average over the members who start a new title in the last {PSimSplit.TestDays} days, "
                + $"and with fewer a service may have none (this one has {options.Members})");
    }

    /// <summary>Runs P-SIM for one catalogue model under each of <paramref name="settings"/> (all when null).</summary>
    /// <exception cref="ArgumentException">
    /// Unknown model, parameter or signal setting; a service of fewer than <see cref="PSimSplit.MinimumDays"/> days.
    /// </exception>
    /// <exception cref="NotASimulationException">The database holds no finished simulation (the message says what it holds, and how to finish an interrupted one).</exception>
    public static async Task<IReadOnlyList<EvaluationReport>> RunAsync(string databasePath, string model,
        IReadOnlyDictionary<string, string> parameters, IReadOnlyList<SignalSetting>? settings = null,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(databasePath);
        if (!ModelCatalog.TryGet(model, out var descriptor))
            throw new ArgumentException($"unknown top-N model '{model}'; known: {string.Join(", ", ModelCatalog.Names)}");
        var trainer = descriptor.CreateTrainer(parameters);
        var manifest = await SimulatedDatabase.RequireFinishedAsync(databasePath, ct).ConfigureAwait(false);
        if (manifest.Days < PSimSplit.MinimumDays) throw new ArgumentException(PSimSplit.TooFewDays(manifest.Days));
        await using var store = await SqliteEventStore.OpenAsync(databasePath, ct).ConfigureAwait(false);
        var split = await PSimSplit.LoadAsync(store, manifest, ct).ConfigureAwait(false);
        progress?.Report($"p-sim: {manifest.Members:N0} members x {manifest.Titles:N0} titles x {manifest.Days} days, seed {manifest.Seed}; "
            + $"split at {split.SplitUtc:yyyy-MM-dd}: {split.TrainEvents:N0} train events, {split.TestEvents:N0} test events");
        var truth = TasteTruth(split, new SimulatedService(manifest.ToOptions()));
        var effective = EvaluationReport.EffectiveParameters(descriptor.Name, parameters);
        var reports = new List<EvaluationReport>();
        foreach (var setting in settings ?? SignalSetting.Catalogue)
        {
            ct.ThrowIfCancellationRequested();
            reports.Add(Evaluate(split, truth, trainer, descriptor.Name, effective, setting, ct));
            progress?.Report($"p-sim: {descriptor.Name} with {setting.Name} signals done");
        }
        return reports;
    }

    /// <summary>Fits under one signal setting and scores against both truths.</summary>
    public static EvaluationReport Evaluate(PSimSplit split, IReadOnlyDictionary<int, int[]> tasteTruth, IRecommenderTrainer trainer,
        string model, IReadOnlyDictionary<string, string> parameters, SignalSetting setting, CancellationToken ct = default)
    {
        var train = split.TrainMatrix(setting);
        var watch = Stopwatch.StartNew();
        var fitted = trainer.Fit(train, ct);
        double fit = watch.Elapsed.TotalSeconds;

        var watchedMembers = split.WatchedTruth.Keys.Order().ToArray();
        // Whatever the setting trained on, every title the member already started is masked, as the truths leave them out.
        var played = ReferenceEquals(setting, SignalSetting.Plays) ? train : split.PlayedMatrix();
        var watched = Score(fitted, played, watchedMembers, m => [.. split.WatchedTruth[m]], ct);
        var tasteMembers = tasteTruth.Keys.Order().ToArray();
        var taste = Score(fitted, played, tasteMembers, m => tasteTruth[m], ct);
        int testPairs = split.WatchedTruth.Values.Sum(l => l.Count);
        var p = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in parameters) p[k] = v;
        p["signals"] = setting.Name;
        var dataset = $"simulated {split.Manifest.Members}x{split.Manifest.Titles}x{split.Manifest.Days}d seed {split.Manifest.Seed}";
        return new EvaluationReport(ProtocolName, dataset, model, p, new SplitSizes(train.NonZeros, testPairs, watchedMembers.Length),
        [
            new("recall@20", watched.Recall), new("ndcg@20", watched.Ndcg), new("coverage@20", watched.Coverage),
            new("recall@20_taste", taste.Recall), new("ndcg@20_taste", taste.Ndcg), new("tasteUsers", tasteMembers.Length),
        ], fit);
    }

    /// <summary>
    /// Each member's true top 20 by hidden utility, among titles available by the split and not in the member's
    /// training data, for every member with training data.
    /// </summary>
    public static IReadOnlyDictionary<int, int[]> TasteTruth(PSimSplit split, SimulatedService world)
    {
        var truth = new Dictionary<int, int[]>();
        var played = new Dictionary<int, HashSet<int>>();
        foreach (var (key, signals) in split.TrainPairs)
        {
            int member = (int)(key >> 32), title = (int)(key & 0xFFFFFFFF);
            if (!played.TryGetValue(member, out var set)) played[member] = set = [];
            if (signals.Starts > 0) set.Add(title); // only shown, searched or rated titles stay candidates
        }
        int splitDay = split.Manifest.Days - PSimSplit.TestDays;
        foreach (var (member, titles) in played)
        {
            int m = world.Members.IndexOf(split.Members[member]);
            if (m < 0) continue;
            // The world's title indices differ from the store's: translate the exclusions and the answer.
            var exclude = new HashSet<int>();
            foreach (var t in titles)
            {
                int w = world.Catalogue.IndexOf(split.Titles[t]);
                if (w >= 0) exclude.Add(w);
            }
            var top = world.Truth.TrueTopK(m, K, splitDay, exclude);
            var mapped = new List<int>(top.Length);
            foreach (var w in top)
            {
                int t = split.Titles.IndexOf(world.Catalogue.Ids[w]);
                if (t >= 0) mapped.Add(t);
            }
            if (mapped.Count > 0) truth[member] = [.. mapped];
        }
        return truth;
    }

    private static TopNMetrics Score(IRecommender model, Core.InteractionMatrix played, int[] members, Func<int, int[]> truthOf, CancellationToken ct)
    {
        if (members.Length == 0) return new TopNMetrics(K, double.NaN, double.NaN, double.NaN, [], []);
        var batch = Recommendations.RecommendBatch(model, members, K, played, excludeHistory: false, ct: ct);
        var truth = new int[members.Length][];
        for (int i = 0; i < members.Length; i++) truth[i] = truthOf(members[i]);
        return RankingMetrics.TopN(batch.Titles, K, truth, played.Columns);
    }
}
