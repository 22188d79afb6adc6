using System.CommandLine;
using System.Globalization;
using Encore.Analytics.Search;
using Encore.Cli.Terminal;
using Encore.Ranking.Search;
using Encore.Signals;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore search-demand [--db FILE] [-n 10] [--from DATE] [--to DATE] [--min-members 2] [--json]`: what members search for
/// and cannot find or do not play, grouped (typos folded) and ranked by unmet demand.
/// </summary>
internal static class SearchDemandCommand
{
    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var count = new Option<int>("-n", "--count") { Description = "Groups shown of each kind.", DefaultValueFactory = _ => 10, HelpName = "N" };
        var from = new Option<string?>("--from") { Description = "Only searches from this UTC time (e.g. 2025-02-01).", HelpName = "TIME" };
        var to = new Option<string?>("--to") { Description = "Only searches before this UTC time.", HelpName = "TIME" };
        var minMembers = new Option<int>("--min-members") { Description = "Leave out groups searched by fewer members.", DefaultValueFactory = _ => 2, HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print the whole report as JSON." };
        var command = new Command("search-demand", "What members search for and cannot find or do not play: absent titles, titles, people and kinds of titles, by unmet demand.")
        {
            db, count, from, to, minMembers, json,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            int n = parseResult.GetValue(count);
            if (n is < 1 or > 10_000) throw new CliException(ExitCodes.Usage, $"-n must be in 1..10000 (got {n})");
            int least = parseResult.GetValue(minMembers);
            if (least < 1) throw new CliException(ExitCodes.Usage, $"--min-members must be at least 1 (got {least})");
            var options = new SearchDemandOptions { FromUtc = Time(parseResult.GetValue(from), "--from"), ToUtc = Time(parseResult.GetValue(to), "--to"), MinMembers = least };
            if (options.FromUtc is { } f && options.ToUtc is { } t && t <= f) throw new CliException(ExitCodes.Usage, "--to must be after --from");
            var path = DatabaseOption.Resolve(parseResult, db);
            await using var store = await DatabaseOption.OpenReadOnlyAsync(path, ct);
            var index = await SearchIndex.LoadAsync(store, ct);
            var signals = await SignalSet.LoadAsync(store, ct: ct);
            var report = await SearchDemand.AnalyzeAsync(store, index, m => signals.MemberIds.TryGetIndex(m, out int i) ? signals.SessionsOf(i) : 0, options, ct);
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json))
            {
                output.WriteLine(System.Text.Json.JsonSerializer.Serialize(report, new System.Text.Json.JsonSerializerOptions
                {
                    PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
                    Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower) },
                }));
                return ExitCodes.Success;
            }
            foreach (var line in SearchDemand.Describe(report, id => index.TitleIds.TryGetIndex(id, out int t) ? index[t].Name : id, n)) output.WriteLine(line);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static DateTime? Time(string? text, string option)
    {
        if (text is null) return null;
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
            : throw new CliException(ExitCodes.Usage, $"{option}: '{Core.UnicodeText.Clip(text)}' is not a UTC time like 2025-01-31 or 2025-01-31T20:00:00Z");
    }
}
