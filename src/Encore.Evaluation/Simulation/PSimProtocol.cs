using System.Diagnostics;
using Encore.Core;
using Encore.Evaluation.Ranking;
using Encore.Evaluation.Reporting;
using Encore.Models;
using Encore.Signals;
using Encore.Simulation;
using Encore.Storage;

namespace Encore.Evaluation.Simulation;

/// <summary>
/// P-SIM of PROTOCOLS.md on a store filled by `encore simulate`: train on everything before the last
/// <see cref="TestDays"/> simulated days, under each signal setting (the ablation); rank every title except those
/// the member began in training; score the top 20 against (a) the titles started in the test days and watched to
/// 70% and (b) the member's true top 20 of the hidden taste (among titles available by the split and not begun in
/// training), reported separately. The world, and so the truth, is rebuilt from the seed and sizes of the store's
/// simulation manifest. One read of the log gives the test split and the validation split carved out of the
/// training days (<see cref="PSimData.Validation"/>), on which the signal settings are tuned.
/// </summary>
public static class PSimProtocol
{
    public const string ProtocolName = "p-sim";
    public const int K = 20;

    /// <summary>The held-out days at the end of the simulation.</summary>
    public const int TestDays = 14;

    /// <summary>The days at the end of the training period that the validation split holds out (for tuning).</summary>
    public const int ValidationDays = 7;

    /// <summary>The fewest simulated days P-SIM can split: the <see cref="TestDays"/> test days and at least one day of training before them.</summary>
    public const int MinimumDays = TestDays + 1;

    /// <summary>Why a service of <paramref name="days"/> days is too short for P-SIM.</summary>
    public static string TooFewDays(int days) =>
        $"P-SIM needs at least {MinimumDays} simulated days: the last {TestDays} are its test period, and training needs at least one day before them (this service has {days})";

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
        if (options.Days < MinimumDays)
            throw new ArgumentOutOfRangeException(nameof(options.Days), options.Days, TooFewDays(options.Days));
        if (options.Members < MinimumMembers)
            throw new ArgumentOutOfRangeException(nameof(options.Members), options.Members,
                $"P-SIM needs at least {MinimumMembers} members: its figures average over the members who start a new title in the last {TestDays} days, "
                + $"and with fewer a service may have none (this one has {options.Members})");
    }

    /// <summary>Reads the store once: its manifest, the test split, the validation split, and the taste truth.</summary>
    /// <exception cref="NotASimulationException">The store holds no finished simulation (the message says what it holds).</exception>
    /// <exception cref="ArgumentException">The service is shorter than <see cref="MinimumDays"/>.</exception>
    public static async Task<PSimData> LoadAsync(IEventStore store, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var manifest = await SimulatedDatabase.RequireFinishedAsync(store, ct).ConfigureAwait(false);
        if (manifest.Days < MinimumDays) throw new ArgumentException(TooFewDays(manifest.Days));
        var start = new DateTimeOffset(DateTime.SpecifyKind(manifest.StartUtc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
        long testMs = start + (manifest.Days - TestDays) * 86_400_000L;
        long validationMs = testMs - Math.Min(ValidationDays, manifest.Days - TestDays - 1) * 86_400_000L;
        // The truth ends with the simulation: events a live service added after it (the demo's traffic) are not the test period's.
        long endMs = start + manifest.Days * 86_400_000L;
        var resolver = await global::Encore.Ranking.Search.SearchIntentResolver.LoadAsync(store, ct).ConfigureAwait(false);
        var splits = await TimeSplit.LoadAsync(store, [(testMs, endMs), (validationMs, testMs)], ct: ct, resolver: resolver).ConfigureAwait(false);
        var data = new PSimData(manifest, splits[0], splits[1], new SimulatedService(manifest.ToOptions()));
        progress?.Report($"p-sim: {manifest.Members:N0} members x {manifest.Titles:N0} titles x {manifest.Days} days, seed {manifest.Seed}; "
            + $"split at {data.Test.TrainEndUtc:yyyy-MM-dd}: {data.Test.TrainEvents:N0} train events, {data.Test.TruthEvents:N0} test events");
        return data;
    }

    /// <summary>Runs P-SIM for one catalogue model under each of <paramref name="settings"/> (all when null).</summary>
    /// <exception cref="ArgumentException">Unknown model or parameter.</exception>
    public static IReadOnlyList<EvaluationReport> Run(PSimData data, string model, IReadOnlyDictionary<string, string> parameters,
        IReadOnlyList<SignalSetting>? settings = null, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (string.Equals(model, Tuning.ModelSelector.AutoName, StringComparison.OrdinalIgnoreCase))
        {
            // `auto` chooses on a validation split carved out of each setting's training matrix only, then is scored on the test days.
            if (parameters.Count > 0) throw new ArgumentException("--param needs a named model (auto chooses the parameters)");
            var auto = new Tuning.AutoTrainer();
            var chosen = new List<EvaluationReport>();
            foreach (var setting in settings ?? SignalSetting.Catalogue)
            {
                ct.ThrowIfCancellationRequested();
                var report = Evaluate(data, auto, auto.Name, new Dictionary<string, string>(), setting, ct);
                var selection = auto.LastSelection!;
                var named = new SortedDictionary<string, string>(report.Parameters.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal) { ["chosen"] = selection.Model };
                foreach (var (k, v) in selection.Parameters) named[k] = v;
                chosen.Add(report with { Parameters = named });
                progress?.Report($"p-sim: auto chose {selection.Model} with {setting.Name} signals: {selection.Reason}");
            }
            return chosen;
        }
        if (!ModelCatalog.TryGet(model, out var descriptor) || descriptor.Task != ModelTask.TopN)
            throw new ArgumentException($"unknown top-N model {UnicodeText.Quote(model)}; known: {string.Join(", ", ModelCatalog.TopNNames)}, auto");
        var trainer = descriptor.CreateTrainer(parameters);
        var effective = EvaluationReport.EffectiveParameters(descriptor.Name, parameters);
        var reports = new List<EvaluationReport>();
        foreach (var setting in settings ?? SignalSetting.Catalogue)
        {
            ct.ThrowIfCancellationRequested();
            reports.Add(Evaluate(data, trainer, descriptor.Name, effective, setting, ct));
            progress?.Report($"p-sim: {descriptor.Name} with {setting.Name} signals done");
        }
        return reports;
    }

    /// <summary>Fits on the test split's training days under one signal setting and scores against both truths.</summary>
    public static EvaluationReport Evaluate(PSimData data, IRecommenderTrainer trainer, string model,
        IReadOnlyDictionary<string, string> parameters, SignalSetting setting, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(setting);
        var split = data.Test;
        var train = split.TrainMatrix(setting.Preferences);
        var watch = Stopwatch.StartNew();
        var fitted = trainer.Fit(train, ct);
        double fit = watch.Elapsed.TotalSeconds;

        var watchedMembers = split.WatchedTruth.Keys.Order().ToArray();
        var watched = Score(fitted, split, setting, watchedMembers, m => [.. split.WatchedTruth[m]], ct);
        var tasteMembers = data.TasteTruth.Keys.Order().ToArray();
        var taste = Score(fitted, split, setting, tasteMembers, m => data.TasteTruth[m], ct);
        int testPairs = split.WatchedTruth.Values.Sum(l => l.Count);
        var p = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in parameters) p[k] = v;
        p["signals"] = setting.Name;
        var m = data.Manifest;
        var dataset = $"simulated {m.Members}x{m.Titles}x{m.Days}d seed {m.Seed}";
        return new EvaluationReport(ProtocolName, dataset, model, p, new SplitSizes(train.NonZeros, testPairs, watchedMembers.Length),
        [
            new("recall@20", watched.Recall), new("ndcg@20", watched.Ndcg), new("coverage@20", watched.Coverage),
            new("recall@20_taste", taste.Recall), new("ndcg@20_taste", taste.Ndcg), new("tasteUsers", tasteMembers.Length),
        ], fit);
    }

    /// <summary>
    /// The top 20 of each member (every title the member began in training masked), scored with the context of the
    /// member's next session where the setting uses context, against <paramref name="truthOf"/>.
    /// </summary>
    public static TopNMetrics Score(IRecommender model, TimeSplit split, SignalSetting setting, int[] members, Func<int, int[]> truthOf, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(split);
        var played = split.PlayedMatrix();
        if (members.Length == 0) return new TopNMetrics(K, double.NaN, double.NaN, double.NaN, [], []);
        var adjust = Adjustment(split, setting);
        var batch = Recommendations.RecommendBatch(model, members, K, played, excludeHistory: false, adjust: adjust, ct: ct);
        var truth = new int[members.Length][];
        for (int i = 0; i < members.Length; i++) truth[i] = truthOf(members[i]);
        return RankingMetrics.TopN(batch.Titles, K, truth, played.Columns);
    }

    /// <summary>
    /// What a setting changes in a member's scores after the model: with context or exposure, the scores are
    /// standardized and the next session's context lifts and the titles' exposure are added; titles with negative
    /// evidence (rated low, passed over) are left out for every model. Null when the setting changes nothing.
    /// </summary>
    public static ScoreAdjustment? Adjustment(TimeSplit split, SignalSetting setting)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(setting);
        var context = setting.Context is { Weight: > 0 } c ? split.Context(c) : null;
        float exposure = setting.Exposure;
        var preferences = setting.Preferences;
        bool negatives = preferences.LowRating > 0 || preferences.IgnoredImpressions > 0;
        if (context is null && exposure == 0 && !negatives) return null;
        long asOf = split.TrainEndMs;
        return (member, scores) =>
        {
            if (context is not null || exposure != 0)
            {
                ScoreBlend.Standardize(scores);
                if (context is not null && split.NextSessions.TryGetValue(member, out var next)) context.Adjust(member, next.Device, next.Hour, scores);
                if (exposure != 0) ScoreBlend.AddExposure(scores, split.Signals.Trends, exposure, asOf);
            }
            if (negatives)
                foreach (var t in split.Signals.NegativeTitles(member, preferences, asOf)) scores[t] = float.NegativeInfinity;
        };
    }

    /// <summary>
    /// Each member's true top 20 by hidden utility, among titles available by the split and not begun in training,
    /// for every member who began something in training.
    /// </summary>
    public static IReadOnlyDictionary<int, int[]> TasteTruth(TimeSplit split, SimulatedService world, int splitDay)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(world);
        var truth = new Dictionary<int, int[]>();
        var played = new Dictionary<int, HashSet<int>>();
        foreach (var (member, title, signals) in split.Signals.AllPairs())
        {
            if (!signals.Played) continue; // only shown, searched or rated titles stay candidates
            if (!played.TryGetValue(member, out var set)) played[member] = set = [];
            set.Add(title);
        }
        var members = split.Signals.MemberIds;
        var titles = split.Signals.Catalogue.TitleIds;
        foreach (var (member, begun) in played)
        {
            int m = world.Members.IndexOf(members[member]);
            if (m < 0) continue;
            // The world's title indices differ from the store's: translate the exclusions and the answer.
            var exclude = new HashSet<int>();
            foreach (var t in begun)
            {
                int w = world.Catalogue.IndexOf(titles[t]);
                if (w >= 0) exclude.Add(w);
            }
            var top = world.Truth.TrueTopK(m, K, splitDay, exclude);
            var mapped = new List<int>(top.Length);
            foreach (var w in top)
            {
                int t = titles.IndexOf(world.Catalogue.Ids[w]);
                if (t >= 0) mapped.Add(t);
            }
            if (mapped.Count > 0) truth[member] = [.. mapped];
        }
        return truth;
    }
}

/// <summary>What P-SIM reads from a simulated store once: its manifest, the test and validation splits, the taste truth.</summary>
public sealed class PSimData
{
    internal PSimData(SimulationManifest manifest, TimeSplit test, TimeSplit validation, SimulatedService world)
    {
        Manifest = manifest;
        Test = test;
        Validation = validation;
        World = world;
        TasteTruth = PSimProtocol.TasteTruth(test, world, manifest.Days - PSimProtocol.TestDays);
    }

    public SimulationManifest Manifest { get; }

    /// <summary>Train before the last <see cref="PSimProtocol.TestDays"/> days, truth in them.</summary>
    public TimeSplit Test { get; }

    /// <summary>Carved out of the test split's training days: train before its last <see cref="PSimProtocol.ValidationDays"/>, truth in them.</summary>
    public TimeSplit Validation { get; }

    /// <summary>The simulated world rebuilt from the manifest (its hidden truth is only read by evaluation).</summary>
    public SimulatedService World { get; }

    /// <summary>Member index -> the true top 20 of the hidden taste at the split.</summary>
    public IReadOnlyDictionary<int, int[]> TasteTruth { get; }
}
