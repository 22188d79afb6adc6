using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Core;
using Encore.Ranking.Search;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore signals --member ID [--db FILE] [--model FILE] [--signal k=v]...`: how a member's events became signals and
/// weights, title by title: sessions, what was watched and how, and the weight (or negative evidence) each title makes.
/// </summary>
internal static class SignalsCommand
{
    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var member = new Option<string>("--member") { Description = "The member's id.", Required = true, HelpName = "ID" };
        var model = ModelOption.Create("--model", "Weigh as this trained model does (default: DB.model when it exists, else the tuned defaults).");
        var signal = new Option<string[]>("--signal")
        {
            Description = "A preference parameter, key=value, on top of the model's or the defaults: "
                + string.Join(", ", PreferenceOptions.Default.Describe().Keys) + ".",
            HelpName = "k=v", DefaultValueFactory = _ => [],
        };
        var command = new Command("signals", "Explain, per title, how a member's events became signals and preference weights.")
        {
            db, member, model, signal,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            var memberId = parseResult.GetValue(member)!;
            var databasePath = DatabaseOption.Resolve(parseResult, db);
            var modelPath = ModelOption.Resolve(parseResult, model, databasePath);
            var preferences = parseResult.GetValue(model) is not null || File.Exists(modelPath)
                ? ModelOption.Load(modelPath).Preferences : PreferenceOptions.Default;
            var overrides = parseResult.GetValue(signal) ?? [];
            if (overrides.Length > 0) preferences = TrainCommand.Preferences(overrides, preferences);

            await using var store = await DatabaseOption.OpenReadOnlyAsync(databasePath, ct);
            if (await store.GetMemberAsync(memberId, ct) is null)
                throw new CliException(ExitCodes.BadInput, $"no member '{UnicodeText.Clip(memberId)}' in {Storage.EventStores.Describe(databasePath)}");
            var resolver = await SearchIntentResolver.LoadAsync(store, ct);
            var signals = await SignalSet.LoadAsync(store, query: new EventQuery { MemberId = memberId }, ct: ct, resolver: resolver);
            int m = signals.MemberIds.IndexOf(memberId);
            var output = parseResult.InvocationConfiguration.Output;
            var c = CultureInfo.InvariantCulture;
            long asOf = signals.LastEventMs;
            var titles = SignalExplanation.Explain(signals, m, preferences, asOf);
            output.WriteLine(string.Create(c, $"Member {memberId}: {signals.Events:N0} events in {signals.SessionsOf(m):N0} viewing sessions, {titles.Count:N0} titles; weighed as of {Time(asOf)}"));
            var searches = signals.RecentSearchesOf(m);
            if (searches.Count > 0)
                output.WriteLine("  recent searches: " + string.Join("; ", searches.Reverse().Take(5).Select(s =>
                    $"\"{UnicodeText.Clip(s.Query)}\" -> {(s.Title < 0 ? "nothing played" : signals.Catalogue.Names[s.Title])}"
                    + (s.Named < 0 ? "" : $" (named {signals.Catalogue.Names[s.Named]})"))));
            foreach (var t in titles)
            {
                var s = t.Signals;
                output.WriteLine();
                output.WriteLine($"{UnicodeText.Clip(t.Name)} ({t.TitleId}): {t.Rule}, weight {t.Weight.Value.ToString("0.###", c)}");
                var table = new TextTable(2);
                if (s.Played)
                {
                    table.Add("plays begun", $"{s.Starts} in {s.Sessions} sessions, last {Days(s.DaysSincePlay(asOf))} ago")
                        .Add("watched", string.Create(c, $"{s.WatchedSeconds / 60:F0} min; {s.WatchShare:P0} of each begun episode, furthest {s.FurthestShare:P0}"))
                        .Add("completed", s.EpisodesStarted > 1 ? $"{s.EpisodesCompleted} of {s.EpisodesStarted} episodes begun" : s.Completed ? "yes" : "no");
                    if (s.TitleReplays + s.SceneReplays > 0) table.Add("replays", $"{s.TitleReplays} of the title, {s.SceneReplays} of scenes");
                    if (s.Pauses > 0) table.Add("pauses", string.Create(c, $"{s.Pauses}, {s.PauseSeconds / 60:F1} min in all, longest {s.LongestPauseSeconds / 60:F1} min"));
                    if (s.ForwardSeeks > 0) table.Add("skipped ahead", string.Create(c, $"{s.ForwardSeeks} times, {s.SkippedSeconds / 60:F1} min"));
                    if (s.SkippedIntros + s.SkippedCredits + s.NextEpisodeFollowed > 0)
                        table.Add("binge", $"{s.SkippedIntros} intros and {s.SkippedCredits} credits skipped, {s.NextEpisodeFollowed} next episodes right after");
                    table.Add("devices", Bits(s.Devices, i => ((DeviceKind)i).ToString().ToLowerInvariant()))
                        .Add("times of day", Bits(s.DayParts, i => Dayparts.Names[i]));
                }
                if (!float.IsNaN(s.Rating)) table.Add("rating", s.Rating.ToString("0.#", c));
                if (s.SearchLed > 0) table.Add("searched for", $"{s.SearchLed} times");
                if (s.SearchIntent > 0) table.Add("searched for by name, not played", $"{s.SearchIntent} times");
                if (s.Impressions > 0) table.Add("shown", $"{s.Impressions} times");
                foreach (var term in t.Terms)
                    table.Add("  + " + term.Feature, string.Create(c, $"{term.Contribution:+0.###;-0.###}"));
                table.WriteTo(output, "  ");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string Time(long ms) => DateTime.UnixEpoch.AddMilliseconds(ms).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Days(double days) => days < 1 ? "under a day" : string.Create(CultureInfo.InvariantCulture, $"{days:F0} days");

    private static string Bits(byte mask, Func<int, string> name)
    {
        var names = new List<string>();
        for (int i = 0; i < 8; i++) if ((mask & (1 << i)) != 0) names.Add(name(i));
        return names.Count == 0 ? "-" : string.Join(", ", names);
    }
}
