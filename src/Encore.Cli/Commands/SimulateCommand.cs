using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Simulation;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore simulate [--members N] [--titles M] [--days D] [--seed S] [--db FILE] [--policy NAME]
/// [--export-interactions FILE] [--no-store] [--report]`: generates a simulated streaming service (members with
/// hidden tastes, every kind of event) into the store through ingestion, optionally exports its plays as
/// user,item,weight,timestamp, and with --report prints its distributions.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var members = new Option<int>("--members") { Description = "Members of the simulated service.", DefaultValueFactory = _ => SimulationOptions.DefaultMembers, HelpName = "N" };
        var titles = new Option<int>("--titles") { Description = "Titles in its catalogue.", DefaultValueFactory = _ => SimulationOptions.DefaultTitles, HelpName = "M" };
        var days = new Option<int>("--days") { Description = "Simulated days (the last 14 are P-SIM's test period).", DefaultValueFactory = _ => SimulationOptions.DefaultDays, HelpName = "D" };
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed and sizes give the same events, byte for byte.", DefaultValueFactory = _ => SimulationOptions.DefaultSeed, HelpName = "S" };
        var db = DatabaseOption.Create();
        var policy = new Option<string>("--policy") { Description = "Homepage policy: " + string.Join(", ", PolicyCatalog.Names) + ".", DefaultValueFactory = _ => "popularity", HelpName = "NAME" };
        policy.AcceptOnlyFromAmong([.. PolicyCatalog.Names]);
        var export = new Option<string?>("--export-interactions") { Description = "Also write the plays as CSV user,item,weight,timestamp (P-SCALE input).", HelpName = "FILE" };
        var noStore = new Option<bool>("--no-store") { Description = "Do not write the database (e.g. only --export-interactions at large sizes)." };
        var report = new Option<bool>("--report") { Description = "Print the distributions of the run: events per member, popularity, completion by enjoyment, devices, binge, abandonment." };
        var command = new Command("simulate", "Simulate a streaming service whose members have hidden tastes, and store what they do.")
        {
            members, titles, days, seed, db, policy, export, noStore, report,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            var options = new SimulationOptions
            {
                Members = parseResult.GetValue(members),
                Titles = parseResult.GetValue(titles),
                Days = parseResult.GetValue(days),
                Seed = parseResult.GetValue(seed),
            };
            SimulatedService service;
            try { service = new SimulatedService(options); }
            catch (ArgumentException e) { throw new CliException(ExitCodes.Usage, e.Message, e); }
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var policyName = parseResult.GetValue(policy)!;
            var homepage = PolicyCatalog.Create(policyName, service);
            bool store = !parseResult.GetValue(noStore);
            var exportPath = parseResult.GetValue(export);
            if (!store && exportPath is null && !parseResult.GetValue(report))
                throw new CliException(ExitCodes.Usage, "--no-store without --export-interactions or --report would produce nothing");

            var sinks = new List<ISimulationSink>();
            var databasePath = DatabaseOption.Resolve(parseResult, db);
            await using var database = store ? await DatabaseOption.OpenAsync(databasePath, mustExist: false, ct) : null;
            StoreSink? storeSink = database is null ? null : new StoreSink(database);
            if (storeSink is not null) sinks.Add(storeSink);
            await using var csv = exportPath is null ? null : new InteractionCsvSink(Path.GetFullPath(exportPath));
            if (csv is not null) sinks.Add(csv);
            var reportSink = parseResult.GetValue(report) ? new SimulationReportSink() : null;
            if (reportSink is not null) sinks.Add(reportSink);

            var clock = Stopwatch.StartNew();
            var summary = await ConsoleProgress.RunAsync(parseResult, progress =>
                service.RunAsync(homepage, new CompositeSink(sinks), new DayProgress(progress), ct));
            double seconds = clock.Elapsed.TotalSeconds;
            if (database is not null) SimulationManifest.From(options, homepage.Name).Save(databasePath);

            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c,
                $"Simulated {options.Members:N0} members x {options.Titles:N0} titles x {options.Days} days (seed {options.Seed}, policy {homepage.Name}) in {seconds:F1} s"));
            var table = new TextTable(2)
                .Add("events", summary.Events)
                .Add("events per second", Math.Round(summary.Events / Math.Max(seconds, 1e-9)))
                .Add("sessions", summary.Sessions)
                .Add("plays", summary.Plays);
            if (storeSink is not null)
                table.Add("stored", storeSink.Accepted).Add("duplicates (already stored)", storeSink.Duplicates).Add("rejected", storeSink.Rejected);
            if (csv is not null) table.Add("interactions exported", csv.Lines);
            table.WriteTo(output, "  ");
            if (database is not null) output.WriteLine($"  database {databasePath}");
            if (csv is not null) output.WriteLine($"  interactions {Path.GetFullPath(exportPath!)}");
            if (reportSink is not null) output.WriteLine(reportSink.Build().ToText());
            if (storeSink is { Rejected: > 0 })
            {
                foreach (var r in storeSink.FirstRejections) error.WriteLine("encore: rejected " + r);
                throw new CliException(ExitCodes.Failure, $"{storeSink.Rejected} simulated events failed validation (a simulator bug)");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Relays the simulator's progress (days done, events so far) to the console renderer.</summary>
    private sealed class DayProgress(IProgress<ProgressUpdate> target) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value)
        {
            double done = value.Day + (double)value.MembersDone / Math.Max(1, value.Members);
            target.Report(new ProgressUpdate("simulate", done, value.Days, "days",
                string.Create(CultureInfo.InvariantCulture, $"[{value.Events:N0} events]")));
        }
    }
}
