using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Core;
using Encore.Models;
using Encore.Ranking;
using Encore.Ranking.Search;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore recommend --member ID [--db FILE] [--model FILE] [-n 20] [--genre G] [--device D] [--hour H] [--context-weight W]`: a member's
/// list from a trained model and the member's events as the store holds them now (events since training are folded in).
/// </summary>
internal static class RecommendCommand
{
    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var member = new Option<string>("--member") { Description = "The member's id.", Required = true, HelpName = "ID" };
        var model = ModelOption.Create("--model", "The trained model (encore train). Default: beside the database, DB.model.");
        var count = new Option<int>("-n", "--count") { Description = "How many titles.", DefaultValueFactory = _ => 20, HelpName = "N" };
        var genre = new Option<string?>("--genre") { Description = "Only titles of this genre.", HelpName = "G" };
        var device = new Option<string?>("--device") { Description = "The device the list is for (tv, phone, tablet, web, console): its context moves the order.", HelpName = "D" };
        var hour = new Option<int?>("--hour") { Description = "The UTC hour of the request, with --device (default: now).", HelpName = "H" };
        var weight = new Option<float?>("--context-weight")
        {
            Description = "How far the device and hour move the order, in standard deviations of the member's scores (default 0, as tuned on the simulated service's validation split).",
            HelpName = "W",
        };
        var command = new Command("recommend", "A member's top titles from a trained model, from the member's events as they are now.")
        {
            db, member, model, count, genre, device, hour, weight,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            int n = parseResult.GetValue(count);
            if (n < 1 || n > 10_000) throw new CliException(ExitCodes.Usage, $"-n must be in 1..10000 (got {n})");
            int? h = parseResult.GetValue(hour);
            if (h is < 0 or > 23) throw new CliException(ExitCodes.Usage, $"--hour must be in 0..23 (got {h})");
            var context = ContextOptions.Default;
            if (parseResult.GetValue(weight) is { } w)
            {
                if (!(w >= 0 && w <= 100)) throw new CliException(ExitCodes.Usage, string.Create(CultureInfo.InvariantCulture, $"--context-weight must be in 0..100 (got {w})"));
                context = context with { Weight = w };
            }
            DeviceKind? kind = null;
            if (parseResult.GetValue(device) is { } d)
            {
                if (!Enum.TryParse<DeviceKind>(d, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                    throw new CliException(ExitCodes.Usage, $"--device '{UnicodeText.Clip(d)}' is not one of tv, phone, tablet, web, console");
                kind = parsed;
            }
            var memberId = parseResult.GetValue(member)!;
            var databasePath = DatabaseOption.Resolve(parseResult, db);
            var trained = ModelOption.Load(ModelOption.Resolve(parseResult, model, databasePath));
            await using var store = await DatabaseOption.OpenReadOnlyAsync(databasePath, ct);
            if (await store.GetMemberAsync(memberId, ct) is null)
                throw new CliException(ExitCodes.BadInput, $"no member '{UnicodeText.Clip(memberId)}' in {Storage.EventStores.Describe(databasePath)}");
            var resolver = await SearchIntentResolver.LoadAsync(store, ct);
            var signals = await SignalSet.LoadAsync(store, query: new EventQuery { MemberId = memberId }, ct: ct, resolver: resolver);
            var request = new RankingRequest { Count = n, Genre = parseResult.GetValue(genre), Device = kind, Hour = h ?? DateTime.UtcNow.Hour, Context = context };
            var list = CliArguments.Guard(() => MemberRanking.Recommend(trained, signals, memberId, request));

            var output = parseResult.InvocationConfiguration.Output;
            int m = signals.MemberIds.IndexOf(memberId);
            int begun = m < 0 ? 0 : signals.TitlesOf(m).Count(t => signals.Get(m, t).Played);
            var where = kind is null ? "" : string.Create(CultureInfo.InvariantCulture,
                $" on {kind.Value.ToString().ToLowerInvariant()} at {request.Hour:00}:00 UTC (context weight {context.Weight})");
            output.WriteLine($"Top {list.Count} for {memberId}{where} ({begun} titles begun, left out), model {trained.Info.Model} trained {trained.Info.TrainedAtUtc:yyyy-MM-dd HH:mm} UTC"
                + (request.Genre is null ? "" : $", genre {request.Genre}"));
            Write(output, list);
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static void Write(TextWriter output, IReadOnlyList<RankedTitle> list)
    {
        var table = new TextTable(4).Add("#", "title", "score", "genres");
        for (int i = 0; i < list.Count; i++)
            table.Add(i + 1, $"{UnicodeText.Clip(list[i].Name)} ({list[i].TitleId})", Math.Round(list[i].Score, 3), string.Join(", ", list[i].Genres));
        table.WriteTo(output, "  ");
    }
}

/// <summary>`encore similar --title ID [--db FILE] [--model FILE] [-n 10]`: the titles most like one title (not personalized).</summary>
internal static class SimilarCommand
{
    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var title = new Option<string>("--title") { Description = "The title's id.", Required = true, HelpName = "ID" };
        var model = ModelOption.Create("--model", "The trained model (encore train). Default: beside the database, DB.model.");
        var count = new Option<int>("-n", "--count") { Description = "How many titles.", DefaultValueFactory = _ => 10, HelpName = "N" };
        var command = new Command("similar", "The titles most similar to one title, from a trained model (\"because you watched\").")
        {
            db, title, model, count,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            int n = parseResult.GetValue(count);
            if (n < 1 || n > 10_000) throw new CliException(ExitCodes.Usage, $"-n must be in 1..10000 (got {n})");
            var titleId = parseResult.GetValue(title)!;
            var databasePath = DatabaseOption.Resolve(parseResult, db);
            var trained = ModelOption.Load(ModelOption.Resolve(parseResult, model, databasePath));
            if (!trained.Similar.TitleIds.TryGetIndex(titleId, out _))
                throw new CliException(ExitCodes.BadInput, $"title '{UnicodeText.Clip(titleId)}' is not in the model (it had no events when it was trained)");
            await using var store = await DatabaseOption.OpenReadOnlyAsync(databasePath, ct);
            var catalogue = await SignalCatalogue.LoadAsync(store, ct);
            var similar = Recommendations.SimilarTitles(trained.Similar, titleId, n);
            var list = similar.Select(r =>
            {
                int t = catalogue.TitleIds.IndexOf(r.TitleId);
                return new RankedTitle(r.TitleId, t < 0 ? r.TitleId : catalogue.Names[t], r.Score,
                    t < 0 ? [] : catalogue.TitleGenres[t].Select(g => catalogue.Genres[g]).ToArray());
            }).ToList();
            int self = catalogue.TitleIds.IndexOf(titleId);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine($"Titles like {(self < 0 ? titleId : catalogue.Names[self])} ({titleId}), model {trained.Similar.Name}");
            RecommendCommand.Write(output, list);
            return ExitCodes.Success;
        }));
        return command;
    }
}
