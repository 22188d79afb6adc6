using System.Diagnostics;
using Encore.Core;
using Encore.Evaluation.Simulation;
using Encore.Models;
using Encore.Ranking;
using Encore.Ranking.Search;
using Encore.Signals;
using Encore.Simulation;
using Encore.Storage;

namespace Encore.Evaluation.Search;

/// <summary>A search that led to a title: who typed what, when, and the title played (indices of the store and of the search index).</summary>
public readonly record struct SearchCase(int Member, string Query, long UnixMilliseconds, int Title);

/// <summary>What the search protocol reads from a store: the splits of P-SIM, the search index, and the searches of each period.</summary>
public sealed class SearchData
{
    internal SearchData(TimeSplit test, TimeSplit validation, SearchIndex index, IReadOnlyList<SearchCase> testCases, IReadOnlyList<SearchCase> validationCases)
    {
        Test = test;
        Validation = validation;
        Index = index;
        TestCases = testCases;
        ValidationCases = validationCases;
    }

    /// <summary>Train before the test days, searches scored in them.</summary>
    public TimeSplit Test { get; }
    /// <summary>Carved out of the test split's training days: train before its last days, searches scored in them.</summary>
    public TimeSplit Validation { get; }
    public SearchIndex Index { get; }
    public IReadOnlyList<SearchCase> TestCases { get; }
    public IReadOnlyList<SearchCase> ValidationCases { get; }
}

/// <summary>One way of ordering results: its chosen setting, its validation MRR, and its figures on the test searches.</summary>
public sealed record SearchModeResult(string Mode, float NameCoverage, float Weight, double ValidationMrr, double Mrr, double HitAt1, double HitAt10, double Found);

/// <summary>The protocol's report: the searches scored, the model, and one row per mode.</summary>
public sealed record SearchReport(int ValidationCases, int TestCases, string Model, IReadOnlyList<SearchModeResult> Modes, double Seconds);

/// <summary>
/// How well search finds what members were looking for, on a store whose Search events carry the query and the title
/// played from the results (the simulated service's do): the reciprocal rank of that title in the top
/// <see cref="Depth"/> results, averaged over the searches (MRR), with the results ordered by text alone, by text and
/// the title's popularity (one order for every member), or by text and the member's own score from a model.
/// <para>
/// The periods are P-SIM's: the model is trained on the events before the last <see cref="PSimProtocol.TestDays"/>
/// days and the searches of those days are the test. Every setting (the name-coverage weight, the popularity or member
/// weight) is chosen on a validation split carved out of the training days only: a model trained before the last
/// <see cref="PSimProtocol.ValidationDays"/> days of the training period, scored on the searches of those days. The
/// test searches are scored once, with the chosen settings. A member's score is the member's row of the model
/// trained before the period, not updated within it (a conservative reading: the service would fold events in).
/// </para>
/// </summary>
public static class SearchProtocol
{
    /// <summary>MRR counts the chosen title within this many results.</summary>
    public const int Depth = 20;

    /// <summary>The name-coverage weights tried (<see cref="SearchOptions.NameCoverage"/>).</summary>
    public static IReadOnlyList<float> CoverageGrid { get; } = [0f, 0.1f, 0.25f, 0.5f, 1f];

    /// <summary>The popularity or member weights tried (<see cref="SearchOptions.MemberWeight"/>; 0: ties only).</summary>
    public static IReadOnlyList<float> WeightGrid { get; } = [0f, 0.005f, 0.01f, 0.02f, 0.05f, 0.1f, 0.2f, 0.5f, 1f];

    /// <summary>Reads the store once: the catalogue into a search index, the splits, and every search that chose a title.</summary>
    /// <exception cref="ArgumentException">The store's events span too few days for a test and a validation period.</exception>
    public static async Task<SearchData> LoadAsync(IEventStore store, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        long testMs, validationMs;
        var manifest = await SimulationManifest.LoadAsync(store, ct).ConfigureAwait(false);
        if (manifest is { Finished: true })
        {
            if (manifest.Days < PSimProtocol.MinimumDays + 1)
                throw new ArgumentException($"the search protocol needs at least {PSimProtocol.MinimumDays + 1} simulated days (this service has {manifest.Days})");
            long start = new DateTimeOffset(DateTime.SpecifyKind(manifest.StartUtc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
            testMs = start + (manifest.Days - PSimProtocol.TestDays) * 86_400_000L;
            validationMs = testMs - Math.Min(PSimProtocol.ValidationDays, manifest.Days - PSimProtocol.TestDays - 1) * 86_400_000L;
        }
        else
        {
            var statistics = await store.GetStatisticsAsync(ct).ConfigureAwait(false);
            if (statistics.FirstEventUtc is not { } first || statistics.LastEventUtc is not { } last
                || (last - first).TotalDays < PSimProtocol.TestDays + PSimProtocol.ValidationDays + 1)
                throw new ArgumentException($"the search protocol needs events over at least {PSimProtocol.TestDays + PSimProtocol.ValidationDays + 1} days");
            testMs = new DateTimeOffset(last.AddDays(-PSimProtocol.TestDays)).ToUnixTimeMilliseconds();
            validationMs = testMs - PSimProtocol.ValidationDays * 86_400_000L;
        }
        var index = await SearchIndex.LoadAsync(store, ct).ConfigureAwait(false);
        var splits = await TimeSplit.LoadAsync(store, [(testMs, long.MaxValue), (validationMs, testMs)], ct: ct).ConfigureAwait(false);
        var storeTitles = splits[0].Signals.Catalogue.TitleIds;
        var toIndex = new int[storeTitles.Count];
        for (int t = 0; t < toIndex.Length; t++) toIndex[t] = index.TitleIds.IndexOf(storeTitles[t]);
        var test = new List<SearchCase>();
        var validation = new List<SearchCase>();
        await foreach (var row in store.ReadInteractionsAsync(new EventQuery { Kinds = [EventKind.Search] }, ct).ConfigureAwait(false))
        {
            if (row.Member < 0 || (uint)row.Title >= (uint)toIndex.Length || toIndex[row.Title] < 0 || string.IsNullOrWhiteSpace(row.Query)) continue;
            var c = new SearchCase(row.Member, row.Query, row.UnixMilliseconds, toIndex[row.Title]);
            if (row.UnixMilliseconds >= testMs) test.Add(c);
            else if (row.UnixMilliseconds >= validationMs) validation.Add(c);
        }
        progress?.Report($"search: {index.Count:N0} titles, {index.Words:N0} words; {validation.Count:N0} validation and {test.Count:N0} test searches that chose a title");
        return new SearchData(splits[0], splits[1], index, test, validation);
    }

    /// <summary>Fits the model on each split's training days, chooses every setting on validation, and scores the test searches.</summary>
    /// <exception cref="ArgumentException">Unknown model or parameter.</exception>
    public static SearchReport Run(SearchData data, string model = "ials", IReadOnlyDictionary<string, string>? parameters = null,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var clock = Stopwatch.StartNew();
        var trainer = ModelCatalog.CreateTrainer(model, parameters);
        var request = new TrainingRequest { Model = model, Parameters = parameters ?? new Dictionary<string, string>() };
        var validation = Prepare(data.Validation, data.Index, data.ValidationCases, trainer, request, ct);
        progress?.Report($"search: validation model fitted ({clock.Elapsed.TotalSeconds:F1} s)");
        var test = Prepare(data.Test, data.Index, data.TestCases, trainer, request, ct);
        progress?.Report($"search: test model fitted ({clock.Elapsed.TotalSeconds:F1} s)");

        var modes = new List<SearchModeResult>();
        // Text alone: the coverage weight chosen on validation.
        modes.Add(Choose("text", validation, test, data.Index, Scores.None, [0f], ct));
        modes.Add(Choose("text + popularity", validation, test, data.Index, Scores.Popularity, WeightGrid, ct));
        modes.Add(Choose("text, member breaks ties", validation, test, data.Index, Scores.Member, [0f], ct));
        modes.Add(Choose("text + member", validation, test, data.Index, Scores.Member, WeightGrid, ct));
        progress?.Report($"search: done ({clock.Elapsed.TotalSeconds:F1} s)");
        return new SearchReport(data.ValidationCases.Count, data.TestCases.Count, trainer.Name, modes, clock.Elapsed.TotalSeconds);
    }

    private enum Scores { None, Popularity, Member }

    /// <summary>One period: its searches grouped by member, each member's scores, and the titles' popularity, all from its training days.</summary>
    private sealed record Period(IReadOnlyList<(float[] Member, SearchCase[] Cases)> Members, float[] Popularity);

    private static Period Prepare(TimeSplit split, SearchIndex index, IReadOnlyList<SearchCase> cases, IRecommenderTrainer trainer,
        TrainingRequest request, CancellationToken ct)
    {
        var trained = ModelTraining.Fit(split.Signals, trainer, request, "search protocol", ct: ct);
        var taste = new MemberTaste(index, trained);
        var members = new List<(float[], SearchCase[])>();
        foreach (var group in cases.GroupBy(c => c.Member).OrderBy(g => g.Key))
        {
            ct.ThrowIfCancellationRequested();
            members.Add((taste.ScoresOf(split.Signals, split.Signals.MemberIds[group.Key]), group.ToArray()));
        }
        // Popularity: log(1 + members who began the title in the training days), standardized, mapped to the index.
        var counts = split.PlayedMatrix().ColumnCounts();
        var popularity = new float[split.Signals.Catalogue.Titles];
        for (int t = 0; t < popularity.Length; t++) popularity[t] = MathF.Log(1 + (t < counts.Length ? counts[t] : 0));
        ScoreBlend.Standardize(popularity);
        var byIndex = new float[index.Count];
        for (int t = 0; t < popularity.Length; t++)
        {
            int i = index.TitleIds.IndexOf(split.Signals.Catalogue.TitleIds[t]);
            if (i >= 0) byIndex[i] = popularity[t];
        }
        return new Period(members, byIndex);
    }

    private static SearchModeResult Choose(string mode, Period validation, Period test, SearchIndex index, Scores scores, IReadOnlyList<float> weights,
        CancellationToken ct)
    {
        float bestCoverage = 0, bestWeight = 0;
        double best = double.NegativeInfinity;
        foreach (var coverage in CoverageGrid)
        {
            foreach (var weight in weights)
            {
                var options = SearchOptions.Default with { NameCoverage = coverage, MemberWeight = weight };
                double mrr = Measure(validation, index, scores, options, ct).Mrr;
                if (mrr > best + 1e-9) (best, bestCoverage, bestWeight) = (mrr, coverage, weight);
            }
        }
        var chosen = SearchOptions.Default with { NameCoverage = bestCoverage, MemberWeight = bestWeight };
        var (testMrr, hit1, hit10, found) = Measure(test, index, scores, chosen, ct);
        return new SearchModeResult(mode, bestCoverage, bestWeight, best, testMrr, hit1, hit10, found);
    }

    /// <summary>MRR@<see cref="Depth"/>, hit@1, hit@10 and the share found in the top <see cref="Depth"/>, over a period's searches.</summary>
    private static (double Mrr, double HitAt1, double HitAt10, double Found) Measure(Period period, SearchIndex index, Scores scores, SearchOptions options,
        CancellationToken ct)
    {
        Span<int> titles = stackalloc int[Depth];
        Span<float> values = stackalloc float[Depth];
        double reciprocal = 0;
        int cases = 0, hit1 = 0, hit10 = 0, found = 0;
        foreach (var (member, list) in period.Members)
        {
            ct.ThrowIfCancellationRequested();
            ReadOnlySpan<float> prior = scores switch { Scores.Member => member, Scores.Popularity => period.Popularity, _ => default };
            foreach (var c in list)
            {
                var request = new SearchRequest { Count = Depth, AsOfUtc = DateTime.UnixEpoch.AddMilliseconds(c.UnixMilliseconds), Options = options };
                int n = index.Search(c.Query, request, prior, titles, values);
                int rank = titles[..n].IndexOf(c.Title);
                cases++;
                if (rank < 0) continue;
                found++;
                reciprocal += 1.0 / (rank + 1);
                if (rank == 0) hit1++;
                if (rank < 10) hit10++;
            }
        }
        return cases == 0 ? (double.NaN, double.NaN, double.NaN, double.NaN)
            : (reciprocal / cases, (double)hit1 / cases, (double)hit10 / cases, (double)found / cases);
    }
}
