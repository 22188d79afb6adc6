using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Core;
using Encore.Ranking.Search;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore search --member ID QUERY [--db FILE] [--model FILE] [-n 20] [--maturity RATING]`: the catalogue searched
/// (names, cast, directors, genres; typos folded) and the results ranked for the member by a trained model, each with
/// why it matched and its scores.
/// </summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        var query = new Argument<string[]>("query")
        {
            Description = "What to search for: words of a title's name, its cast, director or genres (typos are folded; "
                + "the last word is matched as a prefix unless the query ends with a space).",
            Arity = ArgumentArity.ZeroOrMore,
            HelpName = "QUERY",
        };
        var db = DatabaseOption.Create();
        var member = new Option<string>("--member") { Description = "The member the results are ranked for.", Required = true, HelpName = "ID" };
        var model = ModelOption.Create("--model", "The trained model (encore train). Default: beside the database, DB.model.");
        var count = new Option<int>("-n", "--count") { Description = "How many results.", DefaultValueFactory = _ => 20, HelpName = "N" };
        var maturity = new Option<string?>("--maturity")
        {
            Description = "Only titles rated at most this (G, PG, PG-13, R, NC-17, TV-Y, TV-Y7, TV-G, TV-PG, TV-14, TV-MA, or an age); titles without a rating are then left out.",
            HelpName = "RATING",
        };
        var command = new Command("search", "Search the catalogue for a member: text matches ranked with the member's own score from a trained model.")
        {
            query, db, member, model, count, maturity,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            int n = parseResult.GetValue(count);
            if (n < 1 || n > SearchRequest.MaxCount) throw new CliException(ExitCodes.Usage, $"-n must be in 1..{SearchRequest.MaxCount} (got {n})");
            var text = string.Join(' ', parseResult.GetValue(query) ?? []);
            if (string.IsNullOrWhiteSpace(text))
                throw new CliException(ExitCodes.Usage, "the query is empty; give the words to search for, e.g. encore search --member ID \"silent river\"");
            if (SearchText.Normalize(text).Length == 0)
                throw new CliException(ExitCodes.Usage, $"the query {UnicodeText.Quote(text)} has no letter or digit to search for");
            var request = new SearchRequest { Count = n, MaturityLimit = parseResult.GetValue(maturity), AsOfUtc = DateTime.UtcNow };
            CliArguments.Guard(() => { request.Validate(); return 0; });

            var memberId = parseResult.GetValue(member)!;
            var databasePath = DatabaseOption.Resolve(parseResult, db);
            var trained = ModelOption.Load(ModelOption.Resolve(parseResult, model, databasePath));
            await using var store = await DatabaseOption.OpenReadOnlyAsync(databasePath, ct);
            if (await store.GetMemberAsync(memberId, ct) is null)
                throw new CliException(ExitCodes.BadInput, $"no member {UnicodeText.Quote(memberId)} in {Storage.EventStores.Describe(databasePath)}");
            var index = await SearchIndex.LoadAsync(store, ct);
            var signals = await SignalSet.LoadAsync(store, query: new EventQuery { MemberId = memberId }, ct: ct,
                resolver: new SearchIntentResolver(index, await SignalCatalogue.LoadAsync(store, ct)));
            var scores = new MemberTaste(index, trained).ScoresOf(signals, memberId);
            var result = index.Search(text, request, scores);

            var output = parseResult.InvocationConfiguration.Output;
            var c = CultureInfo.InvariantCulture;
            var left = result.FilteredOut == 0 ? ""
                : string.Create(c, $" ({result.FilteredOut:N0} left out: not available now{(request.MaturityLimit is null ? "" : " or above " + request.MaturityLimit)})");
            output.WriteLine(string.Create(c, $"Search {UnicodeText.Quote(text)} for {memberId}: {result.Matched:N0} titles match{left}, ")
                + $"ranked with model {trained.Info.Model} trained {trained.Info.TrainedAtUtc:yyyy-MM-dd HH:mm} UTC");
            if (result.Hits.Count == 0)
            {
                output.WriteLine($"  nothing found for the words {string.Join(" ", result.Tokens.Select(t => $"'{t}'"))}");
                return ExitCodes.Success;
            }
            var table = new TextTable(6).Add("#", "title", "score", "text", "member", "why");
            for (int i = 0; i < result.Hits.Count; i++)
            {
                var hit = result.Hits[i];
                table.Add(i + 1, $"{UnicodeText.Clip(hit.Name)} ({hit.TitleId})", Fixed(hit.Score, 3), Fixed(hit.Text, 3), Fixed(hit.Member, 2), Why(hit));
            }
            table.WriteTo(output, "  ");
            output.WriteLine("  score = text + " + request.Options.MemberWeight.ToString(c) + " x member (the member's model score, standardized over the catalogue)");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>A figure with a fixed number of decimals, and no "-0.00".</summary>
    private static string Fixed(float value, int decimals)
    {
        double rounded = Math.Round(value, decimals);
        return (rounded == 0 ? 0 : rounded).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>The matches grouped by field value: <c>name "The Silent River": typo 'slient' for 'silent' (1 edit), exact 'river'</c>.</summary>
    internal static string Why(SearchHit hit)
        => string.Join("; ", hit.Matches.GroupBy(m => (m.Field, m.Value))
            .Select(g => $"{g.Key.Field.ToString().ToLowerInvariant()} \"{UnicodeText.Clip(g.Key.Value)}\": {string.Join(", ", g.Select(m => m.How))}"));
}
