using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Core;
using Encore.Ranking;
using Encore.Ranking.Pages;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore homepage --member ID [--db FILE] [--model FILE] [--device tv] [--rows N] [--titles N] [--maturity LIMIT]
/// [--at TIME] [--explain]`: a member's whole homepage for a device, row by row, with the evidence for each row.
/// </summary>
internal static class HomepageCommand
{
    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var member = new Option<string>("--member") { Description = "The member's id.", Required = true, HelpName = "ID" };
        var model = ModelOption.Create("--model", "The trained model (encore train). Default: beside the database, DB.model.");
        var device = new Option<string>("--device") { Description = "tv, phone, tablet, web or console: its layout and context.", DefaultValueFactory = _ => "tv", HelpName = "D" };
        var rows = new Option<int?>("--rows") { Description = "Rows to show (default: the device's).", HelpName = "N" };
        var titles = new Option<int?>("--titles") { Description = "Titles per row (default: the device's).", HelpName = "N" };
        var maturity = new Option<string?>("--maturity") { Description = "The profile's maturity limit: a rating (G, PG, PG-13, R, TV-Y, TV-PG, TV-14, TV-MA) or an age such as 12; unrated titles are left out under a limit.", HelpName = "LIMIT" };
        var at = new Option<string?>("--at") { Description = "The moment of the page, UTC (default: the store's latest event).", HelpName = "yyyy-MM-ddTHH:mm" };
        var explain = new Option<bool>("--explain") { Description = "Show each title's reason and scores." };
        var command = new Command("homepage", "A member's whole homepage for a device: every row, its evidence and its titles.")
        {
            db, member, model, device, rows, titles, maturity, at, explain,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            var kind = ParseDevice(parseResult.GetValue(device)!);
            int? r = parseResult.GetValue(rows), n = parseResult.GetValue(titles);
            if (r is < 1 or > 100) throw new CliException(ExitCodes.Usage, $"--rows must be in 1..100 (got {r})");
            if (n is < 1 or > 500) throw new CliException(ExitCodes.Usage, $"--titles must be in 1..500 (got {n})");
            int? limit = parseResult.GetValue(maturity) is { } m ? CliArguments.Guard(() => MaturityRatings.RequireAge(m)) : null;
            DateTime? moment = null;
            if (parseResult.GetValue(at) is { } text)
            {
                if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
                    throw new CliException(ExitCodes.Usage, $"--at '{UnicodeText.Clip(text)}' is not a time like 2025-03-01T20:00");
                moment = parsed;
            }
            var memberId = parseResult.GetValue(member)!;
            var databasePath = DatabaseOption.Resolve(parseResult, db);
            var trained = ModelOption.Load(ModelOption.Resolve(parseResult, model, databasePath));
            await using var store = await DatabaseOption.OpenReadOnlyAsync(databasePath, ct);
            if (await store.GetMemberAsync(memberId, ct) is null)
                throw new CliException(ExitCodes.BadInput, $"no member '{UnicodeText.Clip(memberId)}' in {Storage.EventStores.Describe(databasePath)}");
            using var service = await HomepageService.LoadAsync(store, trained, ct: ct);
            var when = moment ?? (service.LastEventMs == long.MinValue ? DateTime.UtcNow : DateTime.UnixEpoch.AddMilliseconds(service.LastEventMs));
            var page = service.Build(new PageRequest
            {
                MemberId = memberId, Device = kind, AtUtc = when, Rows = r, TitlesPerRow = n, MaturityLimit = limit, Explain = parseResult.GetValue(explain),
            });
            Write(parseResult.InvocationConfiguration.Output, page, parseResult.GetValue(explain));
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static DeviceKind ParseDevice(string text)
        => Enum.TryParse<DeviceKind>(text, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
            ? kind : throw new CliException(ExitCodes.Usage, $"--device '{UnicodeText.Clip(text)}' is not one of tv, phone, tablet, web, console");

    private static void Write(TextWriter output, Homepage page, bool explain)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"Homepage of {page.MemberId} on {page.Device.ToString().ToLowerInvariant()} at {page.AtUtc:yyyy-MM-dd HH:mm} UTC, {page.Rows.Count} rows, model {page.Model}"));
        foreach (var row in page.Rows)
        {
            output.WriteLine();
            output.WriteLine($"{row.Label}  ({row.Evidence})");
            for (int i = 0; i < row.Titles.Count; i++)
            {
                var t = row.Titles[i];
                var episode = t.EpisodeId is null ? "" : $" [{t.EpisodeId}]";
                if (!explain)
                {
                    output.WriteLine($"  {i + 1,3}. {UnicodeText.Clip(t.Name)}{episode}");
                    continue;
                }
                var scores = t.Scores is null ? "" : " " + string.Join(" ", t.Scores.Select(kv => string.Create(c, $"{kv.Key}={kv.Value:0.###}")));
                output.WriteLine($"  {i + 1,3}. {UnicodeText.Clip(t.Name)} ({t.TitleId}){episode}: {t.Reason};{scores}");
            }
        }
    }
}
