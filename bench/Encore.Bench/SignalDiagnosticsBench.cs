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
/// of plays by format on each device (what context could learn), and a sweep of the context weight on a truth that
/// context can move: the new titles members begin in the first three hours of their next session (validation split).
/// Usage: signal-diagnostics DB
/// </summary>
public sealed class SignalDiagnosticsBench : IBench
{
    public string Name => "signal-diagnostics";
    public string Description => "hidden utility by signal, plays by device and format, context on the next session: DB";

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: signal-diagnostics DB");
            return 2;
        }
        var c = CultureInfo.InvariantCulture;
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(args[0]);
        var data = await PSimProtocol.LoadAsync(store);
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

        // The next session: new titles begun in the first three hours after the member's first event in the validation window.
        var validation = data.Validation;
        var first = new Dictionary<int, long>();
        var next = new Dictionary<int, HashSet<int>>();
        await foreach (var row in store.ReadInteractionsAsync(new EventQuery { FromUtc = validation.TrainEndUtc, ToUtc = split.TrainEndUtc }))
        {
            if (!first.TryGetValue(row.Member, out var f)) first[row.Member] = f = row.UnixMilliseconds;
            if (row.UnixMilliseconds - f > 3 * 3_600_000L || row.Kind != EventKind.PlayStart || row.Title < 0) continue;
            if (validation.Signals.Get(row.Member, row.Title).Played) continue;
            if (!next.TryGetValue(row.Member, out var set)) next[row.Member] = set = [];
            set.Add(row.Title);
        }
        var scored = next.Keys.Order().ToArray();
        var model = ModelCatalog.CreateTrainer("ials").Fit(validation.TrainMatrix(SignalSetting.All.Preferences));
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"Context weight on the next session's new titles ({scored.Length:N0} members; iALS on the validation split, all signals):"));
        Console.WriteLine("| context weight | NDCG@20 | Recall@20 |");
        Console.WriteLine("|---|---|---|");
        foreach (var weight in new[] { 0f, 0.1f, 0.2f, 0.3f, 0.5f, 1f })
        {
            var setting = SignalSetting.All with { Context = new ContextOptions { Weight = weight } };
            var metrics = PSimProtocol.Score(model, validation, setting, scored, x => [.. next[x]], default);
            Console.WriteLine(string.Create(c, $"| {weight} | {metrics.Ndcg:F4} | {metrics.Recall:F4} |"));
        }
        return 0;
    }
}
