using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Evaluation.Reporting;
using Encore.Evaluation.Simulation;
using Encore.Models;
using Encore.Simulation;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore demo [--db FILE] [--members N] [--titles M] [--days D] [--seed S] [--urls URL] [--no-serve]`: the main job end
/// to end on the embedded default. Simulates the default service into the store (resumes it after an interruption, or
/// reuses it), then starts the Encore server over it (training a first model), keeps simulated members using their
/// homepages live, and prints the console's address and the demo's keys until Ctrl-C. With --no-serve it trains
/// Encore's main models on everything before the last 14 days instead, prints their P-SIM figures, shows one member's
/// Top Picks and the titles similar to the last title that member watched, names the commands to try next and exits.
/// </summary>
internal static class DemoCommand
{
    private const string Policy = "popularity";

    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var members = new Option<int>("--members") { Description = $"Members of the simulated service (at least {PSimProtocol.MinimumMembers}).", DefaultValueFactory = _ => SimulationOptions.DefaultMembers, HelpName = "N" };
        var titles = new Option<int>("--titles") { Description = "Titles in its catalogue (at least 20).", DefaultValueFactory = _ => SimulationOptions.DefaultTitles, HelpName = "M" };
        var days = new Option<int>("--days") { Description = $"Simulated days (at least {PSimProtocol.MinimumDays}: the last {PSimProtocol.TestDays} are the test period).", DefaultValueFactory = _ => SimulationOptions.DefaultDays, HelpName = "D" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the simulated service.", DefaultValueFactory = _ => SimulationOptions.DefaultSeed, HelpName = "S" };
        var urls = ServeCommand.UrlsOption();
        var noServe = new Option<bool>("--no-serve") { Description = "Print the P-SIM figures and one member's homepage, then exit (for scripts), instead of serving." };
        var command = new Command("demo", "Simulate the default streaming service (or resume or reuse it) and serve it with live members and the web console; --no-serve prints Encore's P-SIM figures and exits.")
        {
            db, members, titles, days, seed, urls, noServe,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var options = new SimulationOptions
            {
                Members = parseResult.GetValue(members),
                Titles = parseResult.GetValue(titles),
                Days = parseResult.GetValue(days),
                Seed = parseResult.GetValue(seed),
            };
            // Every option is checked before any work: a service P-SIM cannot score is refused here, not after simulating it.
            try
            {
                options.Validate();
                PSimProtocol.RequireEvaluable(options);
            }
            catch (ArgumentOutOfRangeException e) { throw CliArguments.OutOfRange(e); }
            catch (ArgumentException e) { throw CliException.Usage(e); }
            var databasePath = DatabaseOption.Resolve(parseResult, db);
            var c = CultureInfo.InvariantCulture;

            await using var store = await DatabaseOption.OpenAsync(databasePath, mustExist: false, ct);
            {
                var service = new SimulatedService(options);
                try
                {
                    var found = await SimulatedDatabase.InspectAsync(store, options, Policy, service, ct);
                    if (found.Contents is SimulatedDatabase.Contents.Unfinished or SimulatedDatabase.Contents.UnfinishedWithoutManifest)
                        output.WriteLine(found.Description);
                    if (!found.NeedsSimulation)
                    {
                        output.WriteLine(string.Create(c, $"Reusing the simulated service in {Storage.EventStores.Describe(databasePath)} ({found.Events:N0} events)"));
                    }
                    else
                    {
                        var filled = await ConsoleProgress.RunAsync(parseResult, progress => SimulatedDatabase.FillAsync(
                            store, found, service, PolicyCatalog.Create(Policy, service), [], new SimulationDayProgress(progress), ct));
                        if (filled.Rejected > 0)
                            throw new CliException(ExitCodes.Failure, $"{filled.Rejected} simulated events failed validation (a simulator bug), first: {filled.FirstRejections[0]}");
                        output.WriteLine(found.Contents == SimulatedDatabase.Contents.Empty
                            ? string.Create(c, $"Simulated {options.Members:N0} members x {options.Titles:N0} titles x {options.Days} days (seed {options.Seed}) into {Storage.EventStores.Describe(databasePath)}: {filled.Stored:N0} events")
                            : string.Create(c, $"Finished the interrupted simulation in {Storage.EventStores.Describe(databasePath)}: {filled.Stored:N0} events added to the {filled.AlreadyStored:N0} stored before ({filled.Summary.Events:N0} in all)"));
                    }
                }
                catch (SimulationConflictException e)
                {
                    throw new CliException(ExitCodes.DatabaseUnavailable, e.Message + " (--db FILE, e.g. --db encore-demo.db)", e);
                }
            }

            if (!parseResult.GetValue(noServe))
            {
                await store.DisposeAsync();
                var settings = ServeCommand.Settings(databasePath) with { Keys = Encore.Server.ApiKeySet.Generate(), Clock = Encore.Service.ServiceClock.LatestEvent };
                error.WriteLine("starting the server with keys made for this demo; simulated members will use it live");
                return await ServerRun.RunAsync(parseResult, settings, parseResult.GetValue(urls)!,
                    (server, _) => Task.FromResult<IAsyncDisposable?>(Encore.Service.SimulatedTraffic.Start(server.Host.Service!, new SimulatedService(options))), ct);
            }

            // One read of the log serves every model and the showcase.
            var data = await PSimProtocol.LoadAsync(store, new LineProgress(error), ct);
            var reports = new List<EvaluationReport>();
            foreach (var model in ModelCatalog.Main)
                reports.AddRange(PSimProtocol.Run(data, model, new Dictionary<string, string>(), [SignalSetting.All], new LineProgress(error), ct));
            output.WriteLine();
            output.WriteLine("P-SIM: trained on everything before the last 14 days, all signals; truth (a) titles started in those days and watched >= 70%, (b) the hidden taste's top 20");
            var table = new TextTable(6).Add("model", "recall@20", "ndcg@20", "recall@20 taste", "ndcg@20 taste", "fit s");
            foreach (var r in reports)
                table.Add(r.Model, Math.Round(Metric(r, "recall@20"), 4), Math.Round(Metric(r, "ndcg@20"), 4),
                    Math.Round(Metric(r, "recall@20_taste"), 4), Math.Round(Metric(r, "ndcg@20_taste"), 4), Math.Round(r.FitSeconds, 2));
            table.WriteTo(output, "  ");
            PSimOutput.WriteMissing(output, reports[0]);

            output.WriteLine();
            var best = reports.Where(r => double.IsFinite(Metric(r, "ndcg@20"))).MaxBy(r => Metric(r, "ndcg@20"));
            var showcase = best is null ? null : MemberShowcase.TryBuild(data, best.Model, SignalSetting.All, 10, ct);
            if (showcase is null)
            {
                output.WriteLine($"No member to show: {MemberShowcase.NoMemberToShow}.");
            }
            else
            {
                output.WriteLine($"Member {showcase.MemberId} ({showcase.HistoryLength} titles before the test days), model {showcase.Model}; * = watched in the test days");
                output.WriteLine("  Top Picks:");
                WriteTitles(output, showcase.TopPicks);
                output.WriteLine($"  Because you watched {showcase.LastWatched.Name}:");
                WriteTitles(output, showcase.BecauseYouWatched);
            }
            WriteNext(output, databasePath, options);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>What to try next, with the real database path (and the demo's sizes where they are not the defaults).</summary>
    private static void WriteNext(TextWriter output, string databasePath, SimulationOptions options)
    {
        var db = ShellText.Quote(databasePath);
        var sizes = new List<string>();
        if (options.Members != SimulationOptions.DefaultMembers) sizes.Add($"--members {options.Members.ToString(CultureInfo.InvariantCulture)}");
        if (options.Titles != SimulationOptions.DefaultTitles) sizes.Add($"--titles {options.Titles.ToString(CultureInfo.InvariantCulture)}");
        if (options.Days != SimulationOptions.DefaultDays) sizes.Add($"--days {options.Days.ToString(CultureInfo.InvariantCulture)}");
        if (options.Seed != SimulationOptions.DefaultSeed) sizes.Add($"--seed {options.Seed.ToString(CultureInfo.InvariantCulture)}");
        var same = sizes.Count == 0 ? "" : string.Join(' ', sizes) + " ";
        output.WriteLine();
        output.WriteLine("Next (in a clone of the repository, type ./encore for encore):");
        new TextTable(2)
            .Add($"encore stats --db {db}", "what the database holds: members, titles, events by kind")
            .Add($"encore eval --protocol p-sim --db {db}", "every main model under every signal setting (the ablation)")
            .Add($"encore simulate {same}--no-store --report", "the distributions of this simulated service: devices, completion, binge, search")
            .Add("README.md, docs/SIMULATION.md", "what is simulated, and how P-SIM scores a model")
            .WriteTo(output, "  ");
    }

    private static void WriteTitles(TextWriter output, IReadOnlyList<ShowcaseTitle> titles)
    {
        for (int i = 0; i < titles.Count; i++)
            output.WriteLine($"    {i + 1,2}. {(titles[i].WatchedLater ? "*" : " ")} {titles[i].Name}");
    }

    private static double Metric(EvaluationReport report, string name) => report.Metrics.First(m => m.Name == name).Value;
}

/// <summary>What the P-SIM tables of `encore demo` and `encore eval --protocol p-sim` say under a figure printed as "-".</summary>
internal static class PSimOutput
{
    /// <summary>Writes why a truth's figures are missing, when a truth has no member to average over.</summary>
    public static void WriteMissing(TextWriter output, EvaluationReport report)
    {
        if (report.Split.TestUsers == 0)
            output.WriteLine($"  {TextTable.Missing}: no member started a new title in the last {PSimProtocol.TestDays} days and watched 70% of it, so truth (a) has no member to average over (recall@20, ndcg@20)");
        if (report.Metrics.FirstOrDefault(m => m.Name == "tasteUsers") is { Value: 0 })
            output.WriteLine($"  {TextTable.Missing}: no member started a title before the last {PSimProtocol.TestDays} days, so truth (b) has no member to average over (the taste figures)");
    }
}
