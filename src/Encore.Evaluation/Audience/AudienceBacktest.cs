using System.Diagnostics;
using System.Globalization;
using Encore.Analytics.Audience;
using Encore.Core;
using Encore.Ingestion.Importers;
using Encore.Models;
using Encore.Models.Ials;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Evaluation.Audience;

/// <summary>
/// A data set split for the audience backtest: the titles hidden from training (all their interactions removed), who
/// actually began each of them, and the training part (member x title over the whole catalogue; hidden columns empty).
/// </summary>
/// <param name="Train">What the factor model trains on (weights; hidden titles' columns empty).</param>
/// <param name="Started">Who began each training title (hidden columns empty).</param>
/// <param name="Finished">Who finished each training title; null where the data does not say.</param>
/// <param name="Hidden">The hidden titles (indices into <paramref name="TitleIds"/>).</param>
/// <param name="HiddenViewers">For each hidden title, the members who began it.</param>
public sealed record AudienceBacktestSet(string Name, IdMap MemberIds, IdMap TitleIds, IReadOnlyList<Title?> Titles, InteractionMatrix Train,
    InteractionMatrix Started, InteractionMatrix? Finished, int[] Hidden, int[][] HiddenViewers, string HiddenRule);

/// <summary>One method's figures on the hidden titles: Spearman of predicted against actual audience size, mean Recall@100 of the actual viewers.</summary>
public sealed record AudienceMethodResult(string Method, double Spearman, double RecallAt100, double Seconds, string Settings);

/// <summary>The audience backtest of one data set: the methods' figures on its hidden titles.</summary>
public sealed record AudienceBacktestResult(string DataSet, string HiddenRule, int Members, int TrainTitles, int HiddenTitles, long HiddenViewers,
    IReadOnlyList<AudienceMethodResult> Methods)
{
    public AudienceMethodResult this[string method] => Methods.First(m => m.Method == method);

    /// <summary>The result as lines of text: a table of the methods.</summary>
    public IEnumerable<string> Describe()
    {
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"{DataSet}: {Members:N0} members, {TrainTitles:N0} training titles, {HiddenTitles:N0} hidden titles ({HiddenRule}) with {HiddenViewers:N0} viewers");
        yield return "  method              spearman  recall@100  seconds  settings";
        foreach (var m in Methods)
            yield return string.Create(c, $"  {m.Method,-18}  {m.Spearman,8:F4}  {m.RecallAt100,10:F4}  {m.Seconds,7:F1}  {m.Settings}");
    }
}

/// <summary>
/// The backtest of the audience prediction (issue 13): titles hidden from training, predicted from their metadata by
/// <see cref="AudienceModel"/> (metadata regressed into iALS's title space), against a genre-popularity baseline and a
/// LightFM-style hybrid (<see cref="HybridFactorModel"/>, tuned on titles carved out of training). Figures: Spearman
/// across hidden titles of predicted against actual audience size, and the mean over hidden titles of Recall@100 (the
/// share of the actual viewers among the 100 members predicted likeliest, out of at most 100).
/// </summary>
public static class AudienceBacktest
{
    public const int K = 100;
    public const string Ours = "metadata->ials";
    public const string GenrePopularity = "genre-popularity";
    public const string Hybrid = "hybrid (lightfm)";

    /// <summary>The settings the hybrid baseline is tuned over (on validation titles carved out of training).</summary>
    public static IReadOnlyList<HybridOptions> HybridGrid { get; } =
    [
        new() { Factors = 32, Epochs = 10, Regularization = 1e-4 },
        new() { Factors = 32, Epochs = 30, Regularization = 1e-4 },
        new() { Factors = 32, Epochs = 30, Regularization = 1e-3 },
        new() { Factors = 64, Epochs = 30, LearningRate = 0.1, Regularization = 1e-4 },
    ];

    /// <summary>MovieLens (100K) with a seeded share of its rated titles hidden with all their ratings; a rating is a start, finishing is unknown.</summary>
    public static AudienceBacktestSet FromMovieLens(string folder, double hiddenShare = 0.2, int seed = 13, CancellationToken ct = default)
    {
        var dataset = MovieLensDataset.Load(folder, ct);
        var titleIds = new IdMap(dataset.Titles.Select(t => t.Id));
        var memberIds = new IdMap();
        foreach (var r in dataset.Ratings) memberIds.GetOrAdd(r.MemberId);
        foreach (var r in dataset.Ratings) titleIds.GetOrAdd(r.TitleId);
        var meta = new Title?[titleIds.Count];
        foreach (var t in dataset.Titles) meta[titleIds.IndexOf(t.Id)] = t;
        var rated = new bool[titleIds.Count];
        foreach (var r in dataset.Ratings) rated[titleIds.IndexOf(r.TitleId)] = true;
        var candidates = Enumerable.Range(0, titleIds.Count).Where(t => rated[t] && meta[t] is not null).ToArray();
        new Random(seed).Shuffle(candidates);
        var hidden = candidates.Take((int)Math.Round(candidates.Length * hiddenShare)).Order().ToArray();
        var isHidden = new bool[titleIds.Count];
        foreach (int t in hidden) isHidden[t] = true;
        var train = new InteractionMatrixBuilder(memberIds, titleIds);
        var viewers = hidden.ToDictionary(t => t, _ => new HashSet<int>());
        foreach (var r in dataset.Ratings)
        {
            int m = memberIds.IndexOf(r.MemberId), t = titleIds.IndexOf(r.TitleId);
            if (isHidden[t]) viewers[t].Add(m);
            else train.Add(m, t, 1f, null, r.UnixSeconds);
        }
        var matrix = train.Build();
        return new AudienceBacktestSet(dataset.Name, memberIds, titleIds, meta, matrix, matrix, null, hidden,
            hidden.Select(t => viewers[t].Order().ToArray()).ToArray(), string.Create(CultureInfo.InvariantCulture, $"a seeded {hiddenShare:P0} of the rated titles, all their ratings"));
    }

    /// <summary>
    /// A store (e.g. the simulated service): the titles that arrive after its first event are hidden with all their
    /// events; the rest train iALS through the signals (<paramref name="preferences"/>, the defaults when null).
    /// </summary>
    public static async Task<AudienceBacktestSet> FromStoreAsync(IEventStore store, PreferenceOptions? preferences = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        preferences ??= PreferenceOptions.Default;
        var signals = await SignalSet.LoadAsync(store, ct: ct).ConfigureAwait(false);
        if (signals.Events == 0) throw new ArgumentException($"the store at {store.Location} holds no events");
        var byId = new Dictionary<string, Title>(StringComparer.Ordinal);
        await foreach (var t in store.ReadTitlesAsync(ct).ConfigureAwait(false)) byId[t.Id] = t;
        var stats = await store.GetStatisticsAsync(ct).ConfigureAwait(false);
        var first = stats.FirstEventUtc ?? DateTime.MinValue;
        var cat = signals.Catalogue;
        var meta = new Title?[cat.Titles];
        var isHidden = new bool[cat.Titles];
        for (int t = 0; t < cat.Titles; t++)
        {
            meta[t] = byId.GetValueOrDefault(cat.TitleIds[t]);
            isHidden[t] = meta[t]?.AvailableFromUtc is { } from && from > first;
        }
        var hidden = Enumerable.Range(0, cat.Titles).Where(t => isHidden[t]).ToArray();
        if (hidden.Length == 0) throw new ArgumentException($"no title of the store at {store.Location} arrives after its first event: nothing to hide");
        var full = signals.ToMatrix(preferences, signals.LastEventMs);
        var train = new InteractionMatrixBuilder(full.MemberIds, full.TitleIds);
        for (int m = 0; m < full.Rows; m++)
        {
            var cols = full.RowColumns(m);
            var vals = full.RowValues(m);
            for (int i = 0; i < cols.Length; i++) if (!isHidden[cols[i]]) train.Add(m, cols[i], vals[i]);
        }
        var started = new InteractionMatrixBuilder(full.MemberIds, full.TitleIds);
        var finished = new InteractionMatrixBuilder(full.MemberIds, full.TitleIds);
        var viewers = hidden.ToDictionary(t => t, _ => new List<int>());
        foreach (var (m, t, s) in signals.AllPairs())
        {
            if (!s.Played) continue;
            if (isHidden[t]) { viewers[t].Add(m); continue; }
            started.Add(m, t, 1f);
            if (AudienceData.IsFinished(s, cat, t)) finished.Add(m, t, 1f);
        }
        return new AudienceBacktestSet(Path.GetFileName(store.Location), full.MemberIds, full.TitleIds, meta, train.Build(), started.Build(), finished.Build(),
            hidden, hidden.Select(t => viewers[t].Order().ToArray()).ToArray(), "the titles that arrive during the run, all their events");
    }

    /// <summary>Runs the three methods on <paramref name="set"/>.</summary>
    public static AudienceBacktestResult Run(AudienceBacktestSet set, IalsOptions? ials = null, AudienceOptions? audience = null,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        var methods = new List<AudienceMethodResult>();
        var actual = set.HiddenViewers.Select(v => (double)v.Length).ToArray();
        int members = set.MemberIds.Count;

        // Ours: iALS on the training part, metadata regressed into its title space.
        var sw = Stopwatch.StartNew();
        var model = (IalsRecommender)new IalsTrainer(ials).Fit(set.Train, ct);
        var data = AudienceData.FromModel(model, set.Titles, set.Started, set.Finished);
        var audienceModel = AudienceModel.Fit(data, audience, ct);
        var sizes = new double[set.Hidden.Length];
        var scores = new float[set.Hidden.Length][];
        for (int h = 0; h < set.Hidden.Length; h++)
        {
            var (vector, _) = audienceModel.PredictFactors(set.Titles[set.Hidden[h]]!);
            var evaluated = audienceModel.Evaluate(set.Titles[set.Hidden[h]]!, vector);
            scores[h] = evaluated.Keys;
            sizes[h] = evaluated.Expected;
        }
        methods.Add(Measure(Ours, sizes, scores, set, sw.Elapsed.TotalSeconds,
            string.Create(CultureInfo.InvariantCulture, $"ials {model.Options.Factors} factors; ridge penalty {audienceModel.Report.Penalty} of {audienceModel.Report.Features} features; calibration by genre starts: size {audienceModel.Report.SizeByGenre}, rank {audienceModel.Report.RankByGenre} (chosen on training titles)")));
        progress?.Report($"{set.Name}: {Ours} done");

        // Genre popularity.
        sw.Restart();
        var (gpSizes, gpScores) = GenrePopularityPredict(set);
        methods.Add(Measure(GenrePopularity, gpSizes, gpScores, set, sw.Elapsed.TotalSeconds, "mean audience of the genres' training titles; members by starts in the genres"));
        progress?.Report($"{set.Name}: {GenrePopularity} done");

        // The hybrid, tuned on validation titles carved out of training.
        sw.Restart();
        var (best, validation) = TuneHybrid(set, audience?.MinFeatureTitles ?? 2, ct);
        var (hySizes, hyScores) = HybridPredict(set, set.Started, TrainTitles(set.Started, set.Titles), set.Hidden, best, audience?.MinFeatureTitles ?? 2, ct);
        methods.Add(Measure(Hybrid, hySizes, hyScores, set, sw.Elapsed.TotalSeconds, $"{best} (validation {validation})"));
        progress?.Report($"{set.Name}: {Hybrid} done");

        return new AudienceBacktestResult(set.Name, set.HiddenRule, members, TrainTitles(set.Started, set.Titles).Count, set.Hidden.Length,
            set.HiddenViewers.Sum(v => (long)v.Length), methods);
    }

    private static AudienceMethodResult Measure(string method, double[] sizes, float[][] scores, AudienceBacktestSet set, double seconds, string settings)
    {
        var actual = set.HiddenViewers.Select(v => (double)v.Length).ToArray();
        return new AudienceMethodResult(method, RankCorrelation.Spearman(sizes, actual), MeanRecall(scores, set.HiddenViewers), seconds, settings);
    }

    /// <summary>Mean over titles with viewers of |top-K ∩ viewers| / min(K, |viewers|).</summary>
    public static double MeanRecall(float[][] scores, int[][] viewers, int k = K)
    {
        double sum = 0;
        int n = 0;
        for (int h = 0; h < scores.Length; h++)
        {
            if (viewers[h].Length == 0) continue;
            int top = Math.Min(k, scores[h].Length);
            var idx = new int[top];
            int found = TopN.Select(scores[h], top, idx);
            int hits = 0;
            for (int i = 0; i < found; i++) if (Array.BinarySearch(viewers[h], idx[i]) >= 0) hits++;
            sum += (double)hits / Math.Min(k, viewers[h].Length);
            n++;
        }
        return n == 0 ? double.NaN : sum / n;
    }

    private static List<int> TrainTitles(InteractionMatrix started, IReadOnlyList<Title?> titles)
    {
        var counts = started.ColumnCounts();
        var list = new List<int>();
        for (int t = 0; t < counts.Length; t++) if (counts[t] > 0 && titles[t] is not null) list.Add(t);
        return list;
    }

    /// <summary>Size: the mean audience of the training titles of each of the title's genres, averaged; members: their starts in those genres.</summary>
    private static (double[] Sizes, float[][] Scores) GenrePopularityPredict(AudienceBacktestSet set)
    {
        var counts = set.Started.ColumnCounts();
        var genreSum = new Dictionary<string, (double Sum, int Titles)>(StringComparer.Ordinal);
        double all = 0;
        int allTitles = 0;
        foreach (int t in TrainTitles(set.Started, set.Titles))
        {
            all += counts[t];
            allTitles++;
            foreach (var g in set.Titles[t]!.Genres)
            {
                var (s, n) = genreSum.GetValueOrDefault(g);
                genreSum[g] = (s + counts[t], n + 1);
            }
        }
        int members = set.MemberIds.Count;
        var sizes = new double[set.Hidden.Length];
        var scores = new float[set.Hidden.Length][];
        for (int h = 0; h < set.Hidden.Length; h++)
        {
            var genres = set.Titles[set.Hidden[h]]!.Genres.Where(genreSum.ContainsKey).ToHashSet(StringComparer.Ordinal);
            sizes[h] = genres.Count == 0 ? all / Math.Max(1, allTitles) : genres.Average(g => genreSum[g].Sum / genreSum[g].Titles);
            var s = scores[h] = new float[members];
            for (int m = 0; m < members; m++)
                foreach (int t in set.Started.RowColumns(m))
                    if (set.Titles[t] is { } title)
                        foreach (var g in title.Genres) if (genres.Contains(g)) s[m]++;
        }
        return (sizes, scores);
    }

    /// <summary>Picks the hybrid's settings on validation titles (a seeded 15% of the training titles, hidden from a training run of their own).</summary>
    private static (HybridOptions Best, string Figures) TuneHybrid(AudienceBacktestSet set, int minFeatureTitles, CancellationToken ct)
    {
        var train = TrainTitles(set.Started, set.Titles).ToArray();
        new Random(29).Shuffle(train);
        var validation = train.Take(Math.Max(2, train.Length * 15 / 100)).Order().ToArray();
        var isValidation = new bool[set.TitleIds.Count];
        foreach (int t in validation) isValidation[t] = true;
        var kept = new InteractionMatrixBuilder(set.MemberIds, set.TitleIds);
        var viewers = validation.ToDictionary(t => t, _ => new List<int>());
        for (int m = 0; m < set.Started.Rows; m++)
            foreach (int t in set.Started.RowColumns(m))
                if (isValidation[t]) viewers[t].Add(m); else kept.Add(m, t, 1f);
        var keptMatrix = kept.Build();
        var truth = validation.Select(t => viewers[t].ToArray()).ToArray();
        var actual = truth.Select(v => (double)v.Length).ToArray();
        HybridOptions best = HybridGrid[0];
        double bestValue = double.NegativeInfinity;
        string figures = "";
        foreach (var o in HybridGrid)
        {
            var (sizes, scores) = HybridPredict(set, keptMatrix, TrainTitles(keptMatrix, set.Titles), validation, o, minFeatureTitles, ct);
            double rho = RankCorrelation.Spearman(sizes, actual), recall = MeanRecall(scores, truth);
            double value = (double.IsNaN(rho) ? 0 : rho) + recall;
            if (value > bestValue)
            {
                bestValue = value;
                best = o;
                figures = string.Create(CultureInfo.InvariantCulture, $"spearman {rho:F3}, recall@100 {recall:F3}");
            }
        }
        return (best, figures);
    }

    private static (double[] Sizes, float[][] Scores) HybridPredict(AudienceBacktestSet set, InteractionMatrix started, List<int> trainTitles, int[] targets,
        HybridOptions options, int minFeatureTitles, CancellationToken ct)
    {
        var space = TitleFeatureSpace.Build(trainTitles.Select(t => set.Titles[t]), minFeatureTitles);
        var features = new (int[], float[])[set.TitleIds.Count];
        for (int t = 0; t < features.Length; t++) features[t] = set.Titles[t] is { } title ? space.Encode(title) : ([], []);
        var model = HybridFactorModel.Fit(started, features, space.Count, trainTitles, options, ct);
        int members = set.MemberIds.Count;
        var sizes = new double[targets.Length];
        var scores = new float[targets.Length][];
        for (int h = 0; h < targets.Length; h++)
        {
            var (idx, val) = features[targets[h]];
            scores[h] = new float[members];
            model.Score(idx, val, scores[h]);
            double sum = 0;
            foreach (var s in scores[h]) sum += 1.0 / (1.0 + Math.Exp(-s));
            sizes[h] = sum;
        }
        return (sizes, scores);
    }
}
