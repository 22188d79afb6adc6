using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Core;

namespace Encore.Cli.Commands;

/// <summary>`encore stats [--db FILE]`: what the database holds.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var command = new Command("stats", "Show what the database holds: members, titles, events by kind and their date range.")
        {
            db,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            var databasePath = DatabaseOption.Resolve(parseResult, db);
            await using var store = await DatabaseOption.OpenReadOnlyAsync(databasePath, ct);
            var stats = await store.GetStatisticsAsync(ct);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine($"Database {Storage.EventStores.Describe(databasePath)}");
            var table = new TextTable(2)
                .Add("members", stats.Members)
                .Add("titles", stats.Titles)
                .Add("events", stats.Events);
            foreach (var kind in EventKinds.All)
            {
                if (stats.EventsByKind.TryGetValue(kind, out long count) && count > 0)
                    table.Add("  " + kind.WireName(), count);
            }
            table.WriteTo(output, "  ");
            new TextTable(2)
                .Add("first event", Time(stats.FirstEventUtc))
                .Add("last event", Time(stats.LastEventUtc))
                .WriteTo(output, "  ");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string Time(DateTime? utc)
        => utc is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "-";
}
