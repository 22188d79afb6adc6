using System.Globalization;
using Encore.Core;
using Encore.Evaluation.Simulation;
using Encore.Models;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Bench;

/// <summary>
/// Why a signal group helps on P-SIM or not: on a simulated store's training days, the members' hidden utility of the
/// titles each signal marks (a signal that separates liked titles from the rest can help the taste truth), the share
/// of plays by format on each device (what context could learn), what search intent marks (the resolver's precision, and
/// the worth of the titles named by searches that played nothing), a sweep of the context weight and prior on a truth that
/// context can move (the new titles begun in each validation session, scored with that session's device and hour), and
/// the ceiling of any weighing of the plays (iALS with weights made from the hidden utility itself).
/// Usage: signal-diagnostics DB [ials parameters, e.g. "alpha=4;factors=128"] [ceiling: only the ceiling of weights]
/// </summary>
public sealed class SignalDiagnosticsBench : IBench
{
    public string Name => "signal-diagnostics";
    public string Description => "hidden utility by signal, plays by device and format, search intent, context per session, ceiling of weights: DB [ials params]";

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: signal-diagnostics DB [ials parameters, e.g. \"alpha=4;factors=128\"] [ceiling]");
            return 2;
        }
        var c = CultureInfo.InvariantCulture;
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(args[0]);
        var data = await PSimProtocol.LoadAsync(store);
        var ials = (args.Length > 1 ? args[1] : "alpha=4;factors=128").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=')).ToDictionary(a => a[0], a => a[1]);
        if (args.Length > 2 && args[2] == "ceiling")
        {
            // The ceiling alone (the per-session context sweep takes long on a large service).
            WeightCeiling(data, ials);
            return 0;
        }
        var split = data.Test;
        var members = split.Signals.MemberIds;
        var titles = split.Signals.Catalogue.TitleIds;
        long asOf = split.TrainEndMs;

        var buckets = new SortedDictionary<string, List<double>>(StringComparer.Ordinal);
        void Add(string key, double u)
        {
            if (!buckets.TryGetValue(key, out var list)) buckets[key] = list = [];
            list.Add(u);
        }
        foreach (var (m, t, s) in split.Signals.AllPairs())
        {
            double u = data.World.Truth.Utility(members[m], titles[t]);
            if (!s.Played)
            {
                Add(s.Impressions > 0 ? "not played: shown, passed over" : "not played: searched or rated only", u);
                continue;
            }
            Add("played", u);
            Add(s.Completed ? "played: completed" : "played: not completed", u);
            Add(string.Create(c, $"played: watch share {Math.Min(4, (int)(s.WatchShare * 5)) * 20}-{Math.Min(4, (int)(s.WatchShare * 5)) * 20 + 20}%"), u);
            if (!s.Completed && s.EpisodesStarted <= 1 && s.FurthestShare < 0.15 && s.DaysSincePlay(asOf) >= 14) Add("played: abandoned (<15%, 14 days)", u);
            if (s.SceneReplays > 0) Add("played: scene replayed", u);
            if (s.TitleReplays > 0) Add("played: replayed whole", u);
            if (s.ForwardSeeks > 0) Add("played: skipped ahead", u);
            if (s.NextEpisodeFollowed + s.SkippedCredits > 0) Add("played: binged (next episode, credits)", u);
            Add(s.Pauses > 0 ? "played: paused" : "played: never paused", u);
            if (s.SearchLed > 0) Add("played: searched for", u);
            if (!float.IsNaN(s.Rating)) Add(string.Create(c, $"played: rated {s.Rating}"), u);
        }
        Console.WriteLine("Hidden utility of the titles each signal marks (training days of the P-SIM split):");
        Console.WriteLine("| signal | pairs | mean utility |");
        Console.WriteLine("|---|---|---|");
        foreach (var (key, list) in buckets) Console.WriteLine(string.Create(c, $"| {key} | {list.Count:N0} | {list.Average():F2} |"));

        var cat = split.Signals.Catalogue;
        var counts = new double[5, 3];
        await foreach (var row in store.ReadInteractionsAsync(new EventQuery { Kinds = [EventKind.PlayStart], ToUtc = split.TrainEndUtc }))
            if (row.Title >= 0) counts[(int)row.Device, (int)cat.Formats[row.Title]]++;
        Console.WriteLine();
        Console.WriteLine("Play starts by device and format (training days):");
        Console.WriteLine("| device | play starts | film | series | short episodes |");
        Console.WriteLine("|---|---|---|---|---|");
        for (int d = 0; d < 5; d++)
        {
            double total = counts[d, 0] + counts[d, 1] + counts[d, 2];
            if (total == 0) continue;
            Console.WriteLine(string.Create(c, $"| {(DeviceKind)d} | {total:N0} | {counts[d, 0] / total:P1} | {counts[d, 1] / total:P1} | {counts[d, 2] / total:P1} |"));
        }

        await SearchIntentAsync(store, data);
        await ContextBySessionAsync(store, data, ials);
        WeightCeiling(data, ials);
        return 0;
    }

    /// <summary>
    /// Search intent: how often the resolver names the very title a search played (its precision, on the training searches
    /// that played one), and what the titles named by searches that played nothing are worth: hidden utility, and how many
    /// are in the taste truth and in the watched truth of the test days.
    /// </summary>
    private static async Task SearchIntentAsync(SqliteEventStore store, PSimData data)
    {
        var c = CultureInfo.InvariantCulture;
        var split = data.Test;
        var resolver = await Encore.Ranking.Search.SearchIntentResolver.LoadAsync(store);
        int answered = 0, right = 0, played = 0;
        await foreach (var row in store.ReadInteractionsAsync(new EventQuery { Kinds = [EventKind.Search], ToUtc = split.TrainEndUtc }))
        {
            if (row.Title < 0 || row.Query is null) continue;
            played++;
            int t = resolver.Resolve(row.Query, row.UnixMilliseconds);
            if (t < 0) continue;
            answered++;
            if (t == row.Title) right++;
        }
        var members = split.Signals.MemberIds;
        var titles = split.Signals.Catalogue.TitleIds;
        int intent = 0, taste = 0, watched = 0, begun = 0;
        double utility = 0;
        foreach (var (m, t, s) in split.Signals.AllPairs())
        {
            if (s.SearchIntent == 0) continue;
            if (s.Played) { begun++; continue; }
            intent++;
            utility += data.World.Truth.Utility(members[m], titles[t]);
            if (data.TasteTruth.TryGetValue(m, out var tt) && Array.IndexOf(tt, t) >= 0) taste++;
            if (split.WatchedTruth.TryGetValue(m, out var wt) && wt.BinarySearch(t) >= 0) watched++;
        }
        Console.WriteLine();
        Console.WriteLine("Search intent (training days): titles named by a search that played nothing or another title:");
        Console.WriteLine(string.Create(c, $"- the resolver answered {answered:N0} of the {played:N0} searches that played a title, naming that title in {(double)right / Math.Max(1, answered):P1}"));
        Console.WriteLine(string.Create(c, $"- {intent + begun:N0} (member, title) pairs searched for by name, {begun:N0} of them played some other time"));
        Console.WriteLine(string.Create(c, $"- {intent:N0} never played: mean hidden utility {utility / Math.Max(1, intent):F2}; {taste:N0} ({(double)taste / Math.Max(1, intent):P0}) in the member's taste truth, {watched:N0} ({(double)watched / Math.Max(1, intent):P1}) begun and watched in the test days"));
    }

    /// <summary>
    /// Context scored session by session: on the validation split, every session of the validation days (per member and
    /// device, a new one after 30 minutes of silence) in which the member began a title never begun before is one query,
    /// scored with that session's own device and starting hour; NDCG@20 of iALS (all signals) by context weight and prior.
    /// </summary>
    private static async Task ContextBySessionAsync(SqliteEventStore store, PSimData data, Dictionary<string, string> ials)
    {
        var c = CultureInfo.InvariantCulture;
        var v = data.Validation;
        var sessions = new List<(int Member, DeviceKind Device, int Hour, HashSet<int> Truth)>();
        var open = new Dictionary<(int, DeviceKind), (long Last, int Index)>();
        var begun = new HashSet<long>();
        await foreach (var row in store.ReadInteractionsAsync(new EventQuery { FromUtc = v.TrainEndUtc, ToUtc = data.Test.TrainEndUtc }))
        {
            if (row.Member < 0) continue;
            var key = (row.Member, row.Device);
            if (!open.TryGetValue(key, out var o) || row.UnixMilliseconds - o.Last > 30 * 60_000L)
            {
                sessions.Add((row.Member, row.Device, (int)(row.UnixMilliseconds / 3_600_000 % 24), []));
                o = (row.UnixMilliseconds, sessions.Count - 1);
            }
            open[key] = (row.UnixMilliseconds, o.Index);
            if (row.Kind != EventKind.PlayStart || row.Title < 0 || v.Signals.Get(row.Member, row.Title).Played) continue;
            if (begun.Add(((long)row.Member << 32) | (uint)row.Title)) sessions[o.Index].Truth.Add(row.Title);
        }
        sessions.RemoveAll(x => x.Truth.Count == 0);
        var setting = SignalSetting.All;
        var model = ModelCatalog.CreateTrainer("ials", ials).Fit(v.TrainMatrix(setting.Preferences));
        var played = v.PlayedMatrix();
        int n = v.Signals.Catalogue.Titles;
        var truth = sessions.Select(x => x.Truth.ToArray()).ToArray();
        var negatives = new Dictionary<int, IReadOnlyList<int>>();
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"Context scored session by session ({sessions.Count:N0} validation sessions that began a new title; iALS {string.Join(" ", ials.Select(kv => kv.Key + "=" + kv.Value))}, all signals):"));
        Console.WriteLine("| context weight | prior 1 | prior 5 | prior 20 | prior 50 |");
        Console.WriteLine("|---|---|---|---|---|");
        var scores = new float[n];
        var lists = new int[sessions.Count * PSimProtocol.K];
        foreach (var weight in new[] { 0f, 0.05f, 0.1f, 0.2f, 0.3f, 0.5f, 1f })
        {
            var line = string.Create(c, $"| {weight} |");
            foreach (var prior in new[] { 1f, 5f, 20f, 50f })
            {
                var context = v.Context(new ContextOptions { Weight = weight, Prior = prior });
                for (int i = 0; i < sessions.Count; i++)
                {
                    var (m, d, h, _) = sessions[i];
                    model.ScoreMember(m, scores);
                    foreach (var t in played.RowColumns(m)) scores[t] = float.NegativeInfinity;
                    ScoreBlend.Standardize(scores);
                    context.Adjust(m, d, h, scores);
                    if (!negatives.TryGetValue(m, out var neg)) negatives[m] = neg = v.Signals.NegativeTitles(m, setting.Preferences, v.TrainEndMs);
                    foreach (var t in neg) scores[t] = float.NegativeInfinity;
                    var top = lists.AsSpan(i * PSimProtocol.K, PSimProtocol.K);
                    top.Fill(-1);
                    TopN.Select(scores, PSimProtocol.K, top);
                }
                line += string.Create(c, $" {Encore.Evaluation.Ranking.RankingMetrics.TopN(lists, PSimProtocol.K, truth, n).Ndcg:F4} |");
            }
            Console.WriteLine(line);
        }
    }

    /// <summary>
    /// How much any weighing of the plays could give: iALS on the test split's training days with every positive weight
    /// replaced by a function of the hidden utility of the pair (what no real signal knows), against both truths.
    /// </summary>
    private static void WeightCeiling(PSimData data, Dictionary<string, string> modelParameters)
    {
        var c = CultureInfo.InvariantCulture;
        var split = data.Test;
        var members = split.Signals.MemberIds;
        var titles = split.Signals.Catalogue.TitleIds;
        Console.WriteLine();
        Console.WriteLine($"Ceiling of weights: iALS ({string.Join(" ", modelParameters.Select(kv => kv.Key + "=" + kv.Value))}) with each positive weight replaced by one from the hidden utility u (test split):");
        Console.WriteLine("| signals | positive weight | NDCG@20 | NDCG@20 taste |");
        Console.WriteLine("|---|---|---|---|");
        var watchedMembers = split.WatchedTruth.Keys.Order().ToArray();
        var tasteMembers = data.TasteTruth.Keys.Order().ToArray();
        foreach (var setting in new[] { SignalSetting.Plays, SignalSetting.All })
        {
            var matrix = split.TrainMatrix(setting.Preferences);
            foreach (var (name, weigh) in new (string, Func<double, float, float>)[]
                { ("as the setting weighs it", (u, w) => w), ("max(0.1, u)", (u, w) => (float)Math.Max(0.1, u)), ("1 if u > 1, else negative (-0.5)", (u, w) => u > 1 ? 1f : -0.5f) })
            {
                var values = (float[])matrix.Values.Clone();
                for (int r = 0; r < matrix.Rows; r++)
                    for (int i = matrix.RowPointers[r]; i < matrix.RowPointers[r + 1]; i++)
                        if (values[i] > 0) values[i] = weigh(data.World.Truth.Utility(members[r], titles[matrix.ColumnIndices[i]]), values[i]);
                var weighed = new InteractionMatrix(matrix.MemberIds, matrix.TitleIds, matrix.RowPointers, matrix.ColumnIndices, values, matrix.Ratings, matrix.Timestamps);
                var fitted = ModelCatalog.CreateTrainer("ials", modelParameters).Fit(weighed);
                var watched = PSimProtocol.Score(fitted, split, setting, watchedMembers, m => [.. split.WatchedTruth[m]], default);
                var taste = PSimProtocol.Score(fitted, split, setting, tasteMembers, m => data.TasteTruth[m], default);
                Console.WriteLine(string.Create(c, $"| {setting.Name} | {name} | {watched.Ndcg:F4} | {taste.Ndcg:F4} |"));
            }
        }
    }
}
