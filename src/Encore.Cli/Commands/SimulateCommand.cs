using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Models;
using Encore.Plots;
using Encore.Simulation;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore simulate [--members N] [--titles M] [--days D] [--seed S] [--db FILE] [--policy NAME]
/// [--export-interactions FILE] [--no-store] [--report [--plot FILE]]`: generates a simulated streaming service (members with
/// hidden tastes, every kind of event) into the store through ingestion, optionally exports its plays as
/// user,item,weight,timestamp, and with --report prints its distributions (and with --plot draws them against their public figures).
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
        var policy = new Option<string>("--policy")
        {
            Description = "Homepage policy: " + string.Join(", ", PolicyCatalog.Names) + ", or encore (Encore's page generator, retraining every 7 days "
                + "on what the service saw so far) or encore-top-picks (its Top Picks row alone).",
            DefaultValueFactory = _ => "popularity", HelpName = "NAME",
        };
        policy.AcceptOnlyFromAmong([.. PolicyCatalog.Names, "encore", "encore-top-picks"]);
        var export = new Option<string?>("--export-interactions") { Description = "Also write the plays as CSV user,item,weight,timestamp (P-SCALE input).", HelpName = "FILE" };
        var noStore = new Option<bool>("--no-store") { Description = "Do not write the database (e.g. only --export-interactions at large sizes)." };
        var report = new Option<bool>("--report") { Description = "Print the distributions of the run: events per member, popularity, completion by enjoyment, devices, binge, abandonment." };
        var plot = PlotOption.Create("the --report distributions against the public figures they are calibrated to");
        var command = new Command("simulate", "Simulate a streaming service whose members have hidden tastes, and store what they do.")
        {
            members, titles, days, seed, db, policy, export, noStore, report, plot,
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
            try { options.Validate(); }
            catch (ArgumentOutOfRangeException e) { throw CliArguments.OutOfRange(e); }
            catch (ArgumentException e) { throw CliException.Usage(e); }
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            bool store = !parseResult.GetValue(noStore);
            var exportPath = parseResult.GetValue(export);
            bool wantReport = parseResult.GetValue(report);
            var figure = PlotOption.Resolve(parseResult, plot);
            if (figure is not null && !wantReport)
                throw new CliException(ExitCodes.Usage, "--plot draws the distributions of --report; give --report too");
            if (!store && exportPath is null && !wantReport)
                throw new CliException(ExitCodes.Usage, "--no-store without --export-interactions or --report would produce nothing");
            var service = new SimulatedService(options);
            var policyName = parseResult.GetValue(policy)!;
            // Encore's own pages see every event as the service records it, so the policy is also a sink of the run.
            var encore = policyName.StartsWith("encore", StringComparison.Ordinal)
                ? new Encore.Evaluation.Simulation.EncorePagePolicy(service, topPicksOnly: policyName == "encore-top-picks") : null;
            IHomepagePolicy homepage = encore ?? PolicyCatalog.Create(policyName, service);

            var databasePath = DatabaseOption.Resolve(parseResult, db);
            await using var database = store ? await DatabaseOption.OpenAsync(databasePath, mustExist: false, ct) : null;
            SimulatedDatabase.Inspection? inspection = null;
            if (database is not null)
            {
                try { inspection = await SimulatedDatabase.InspectAsync(database, options, homepage.Name, service, ct); }
                catch (SimulationConflictException e) { throw new CliException(ExitCodes.DatabaseUnavailable, e.Message + " (--db FILE)", e); }
                if (!inspection.NeedsSimulation)
                {
                    output.WriteLine(inspection.Description + "; nothing to store");
                    if (exportPath is null && !wantReport) return ExitCodes.Success;
                    inspection = null; // the export or the report still needs the run, without the store
                }
                else if (inspection.Contents != SimulatedDatabase.Contents.Empty)
                {
                    output.WriteLine(inspection.Description);
                }
            }
            // Opened only once the database is known to take this service, so that a refusal leaves no empty export.
            InteractionCsvSink? csv;
            try { csv = exportPath is null ? null : new InteractionCsvSink(Path.GetFullPath(exportPath)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException(ExitCodes.BadInput, $"cannot write --export-interactions {exportPath}: {e.Message}", e);
            }
            await using var csvSink = csv;
            var sinks = new List<ISimulationSink>();
            if (encore is not null) sinks.Add(encore);
            if (csv is not null) sinks.Add(csv);
            var reportSink = wantReport ? new SimulationReportSink() : null;
            if (reportSink is not null) sinks.Add(reportSink);

            var clock = Stopwatch.StartNew();
            SimulatedDatabase.FillResult? filled = null;
            SimulationSummary summary;
            if (inspection is not null)
            {
                try
                {
                    filled = await ConsoleProgress.RunAsync(parseResult, progress =>
                        SimulatedDatabase.FillAsync(database!, inspection, service, homepage, sinks, new SimulationDayProgress(progress), ct));
                }
                catch (SimulationConflictException e) { throw new CliException(ExitCodes.Failure, e.Message, e); }
                summary = filled.Summary;
            }
            else
            {
                summary = await ConsoleProgress.RunAsync(parseResult, progress =>
                    service.RunAsync(homepage, new CompositeSink(sinks), new SimulationDayProgress(progress), ct));
            }
            double seconds = clock.Elapsed.TotalSeconds;

            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c,
                $"Simulated {options.Members:N0} members x {options.Titles:N0} titles x {options.Days} days (seed {options.Seed}, policy {homepage.Name}) in {seconds:F1} s"));
            var table = new TextTable(2)
                .Add("events", summary.Events)
                .Add("events per second", Math.Round(summary.Events / Math.Max(seconds, 1e-9)))
                .Add("sessions", summary.Sessions)
                .Add("plays (a title watched in a session)", summary.Plays);
            if (filled is not null)
                table.Add("stored", filled.Stored).Add("already stored (an earlier run)", filled.AlreadyStored).Add("rejected", filled.Rejected);
            if (csv is not null) table.Add("interactions exported", csv.Lines);
            table.WriteTo(output, "  ");
            if (filled is not null) output.WriteLine($"  database {Storage.EventStores.Describe(databasePath)}");
            if (csv is not null) output.WriteLine($"  interactions {Path.GetFullPath(exportPath!)}");
            if (reportSink is not null)
            {
                var built = reportSink.Build();
                output.WriteLine(built.ToText());
                PlotOption.Save(parseResult, figure, () => CalibrationFigure.Create(built));
            }
            if (filled is { Rejected: > 0 })
            {
                foreach (var r in filled.FirstRejections) error.WriteLine("encore: rejected " + r);
                throw new CliException(ExitCodes.Failure, $"{filled.Rejected} simulated events failed validation (a simulator bug); the database stays marked unfinished");
            }
            if (filled is not null)
            {
                try { Encore.Evaluation.Simulation.PSimProtocol.RequireEvaluable(options); }
                catch (ArgumentOutOfRangeException e)
                {
                    output.WriteLine($"  note: `encore eval --protocol p-sim` cannot score this service well: {CliArguments.OutOfRange(e).Message}");
                }
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// `encore eval --protocol p-sim [--db FILE] [--model NAME] [--param k=v]... [--json] [--plot FILE]`: P-SIM on a simulated
    /// database for one model (or every one of <see cref="ModelCatalog.Main"/>), under every signal setting; a table,
    /// and with --json one line of JSON per model and setting (the last one: the last model with all signals); with --plot
    /// the ablation's bars (<see cref="AblationFigure"/>).
    /// </summary>
    internal static async Task<int> EvaluateAsync(ParseResult parseResult, string databasePath, string? model, string[] param, bool json,
        Encore.Plots.FigureFile? figure, CancellationToken ct)
    {
        if (!Storage.EventStores.IsPostgres(databasePath) && !File.Exists(databasePath))
            throw new CliException(ExitCodes.DatabaseUnavailable, $"no database at {Storage.EventStores.Describe(databasePath)}; fill one with `encore simulate` (or name another with --db FILE)");
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var parameters = CliArguments.Pairs(param);
        IReadOnlyList<string> models = string.IsNullOrWhiteSpace(model) ? ModelCatalog.Main : [model];
        if (models.Count > 1 && parameters.Count > 0)
            throw new CliException(ExitCodes.Usage, "--param needs --model (parameters belong to one model)");
        // Every model and name is checked before the log is read.
        foreach (var name in models)
        {
            if (string.Equals(name, Encore.Evaluation.Tuning.ModelSelector.AutoName, StringComparison.OrdinalIgnoreCase))
            {
                if (parameters.Count > 0) throw new CliException(ExitCodes.Usage, "--param needs a named --model (auto chooses the parameters)");
                continue;
            }
            try { ModelCatalog.CreateTrainer(name, parameters); }
            catch (ArgumentException e) { throw CliException.Usage(e); }
        }
        await using var store = await DatabaseOption.OpenReadOnlyAsync(databasePath, ct);
        Encore.Evaluation.Simulation.PSimData data;
        try
        {
            data = await Encore.Evaluation.Simulation.PSimProtocol.LoadAsync(store, new LineProgress(error), ct);
        }
        catch (NotASimulationException e)
        {
            throw new CliException(ExitCodes.DatabaseUnavailable, e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(e);
        }
        var reports = new List<Encore.Evaluation.Reporting.EvaluationReport>();
        foreach (var name in models)
            reports.AddRange(Encore.Evaluation.Simulation.PSimProtocol.Run(data, name, parameters, null, new LineProgress(error), ct));
        var c = CultureInfo.InvariantCulture;
        var first = reports[0];
        output.WriteLine($"p-sim on {first.Dataset}: train before the last 14 days; truth (a) started in them and watched >= 70%, (b) the hidden taste's top 20");
        output.WriteLine(string.Create(c, $"  test members (a) {first.Split.TestUsers:N0} with {first.Split.Test:N0} titles; (b) {Metric(first, "tasteUsers"):N0}"));
        var table = new TextTable(8).Add("model", "signals", "train", "recall@20", "ndcg@20", "recall@20 taste", "ndcg@20 taste", "fit s");
        foreach (var r in reports)
            table.Add(r.Model, r.Parameters["signals"], r.Split.Train, Math.Round(Metric(r, "recall@20"), 4), Math.Round(Metric(r, "ndcg@20"), 4),
                Math.Round(Metric(r, "recall@20_taste"), 4), Math.Round(Metric(r, "ndcg@20_taste"), 4), Math.Round(r.FitSeconds, 2));
        table.WriteTo(output, "  ");
        PSimOutput.WriteMissing(output, first);
        PlotOption.Save(parseResult, figure, () => AblationFigure.Create(reports));
        if (json) foreach (var r in reports) output.WriteLine(r.ToJson());
        return ExitCodes.Success;
    }

    private static double Metric(Encore.Evaluation.Reporting.EvaluationReport report, string name)
        => report.Metrics.First(m => m.Name == name).Value;
}
