using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Storage;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore migrate-store --from FILE.db --to postgres://USER@HOST:PORT/DB`: copies a store into another, empty one
/// (<see cref="StoreCopier"/>) and checks that members, titles, events by kind and the date range agree.
/// </summary>
internal static class MigrateStoreCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "The store to copy: a SQLite file (or a postgres:// URL).", HelpName = "FILE|URL", Required = true };
        var to = new Option<string>("--to") { Description = "The empty store to fill: a postgres:// URL (or a SQLite file).", HelpName = "URL|FILE", Required = true };
        var command = new Command("migrate-store", "Copy a store (e.g. a SQLite file) into another, empty one (e.g. PostgreSQL), with counts checked.")
        {
            from, to,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            string Full(string db) => EventStores.IsPostgres(db) ? db : Path.GetFullPath(db);
            var fromDb = Full(parseResult.GetValue(from)!);
            var toDb = Full(parseResult.GetValue(to)!);
            if (string.Equals(fromDb, toDb, StringComparison.Ordinal)) throw new CliException(ExitCodes.Usage, "--from and --to name the same store");
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            await using var source = await DatabaseOption.OpenReadOnlyAsync(fromDb, ct);
            await using var target = await DatabaseOption.OpenAsync(toDb, mustExist: false, ct);
            error.WriteLine($"copying {source.Location} into {target.Location}");
            long reported = 0;
            var progress = new Progress<long>(n =>
            {
                if (n - Interlocked.Read(ref reported) < 1_000_000) return;
                Interlocked.Exchange(ref reported, n);
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {n:N0} events"));
            });
            StoreCopyResult result;
            try
            {
                result = await StoreCopier.CopyAsync(source, target, progress: progress, ct: ct);
            }
            catch (InvalidOperationException e)
            {
                throw new CliException(ExitCodes.BadInput, e.Message, e);
            }
            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c, $"Copied {source.Location} into {target.Location} in {result.Elapsed.TotalSeconds:F1} s"));
            output.WriteLine(string.Create(c, $"  titles   {result.Titles,14:N0}  (checked: {result.Target.Titles:N0} in both)"));
            output.WriteLine(string.Create(c, $"  members  {result.Members,14:N0}  (checked: {result.Target.Members:N0} in both)"));
            output.WriteLine(string.Create(c, $"  events   {result.Events,14:N0}  (checked: {result.Target.Events:N0} in both, by kind and date range)"));
            output.WriteLine(string.Create(c, $"  properties {result.Properties,12:N0}"));
            return ExitCodes.Success;
        }));
        return command;
    }
}
