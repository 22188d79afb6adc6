using Encore.Core;
using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Evaluation.Interactions;
using Encore.Evaluation.Ranking;
using Encore.Evaluation.Rating;
using Encore.Evaluation.Reporting;
using Encore.Evaluation.Simulation;
using Encore.Evaluation.Tuning;
using Encore.Ingestion.Importers;
using Encore.Models;
using Encore.Plots;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore eval --protocol P [DATA] --model NAME|auto [--param k=v]... [--json] [--plot FILE]`: trains a model on a protocol's split,
/// evaluates it, prints a table, and with --json ends with one line of JSON (the shape of <see cref="EvaluationReport.ToJson"/>).
/// DATA for the ranking protocols (p-topn, p-topn-r, p-next) is one of `--data PATH` (a MovieLens folder, an events file
/// or folder, an interactions file), `--train FILE --test FILE` (a split made elsewhere) or the store (`--db FILE`, else
/// the default database); p-rating reads a MovieLens folder; p-sim a simulated store.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var protocol = new Option<string?>("--protocol")
        {
            Description = "p-topn (implicit top-N, split in time), p-topn-r (the same, split at random per member: data without timestamps), "
                + "p-next (similar titles), p-rating (explicit ratings, a MovieLens folder), or p-sim (a simulated --db); see ../shared/docs/PROTOCOLS.md.",
            HelpName = "p-topn|p-topn-r|p-next|p-rating|p-sim",
        };
        var input = RankingInput.Create();
        var model = new Option<string?>("--model")
        {
            Description = "The model: a top-N model (" + string.Join(", ", ModelCatalog.TopNNames) + "), auto (chosen on a validation split carved out of the "
                + "training data, within --budget), or, for p-rating, a rating model (" + string.Join(", ", ModelCatalog.RatingNames) + ").",
            HelpName = "NAME|auto",
        };
        var param = new Option<string[]>("--param") { Description = "A model parameter, key=value (repeat for several).", HelpName = "k=v", DefaultValueFactory = _ => [] };
        var budget = new Option<double>("--budget")
        {
            Description = "--model auto: seconds the search may take (fits and scoring on the validation split; the winner's refit comes after).",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => ModelSelectionOptions.DefaultBudget.TotalSeconds,
        };
        var json = new Option<bool>("--json") { Description = "End the output with the result as one line of JSON." };
        var plot = PlotOption.Create("the figures by model and setting (auto: every setting scored on validation; p-sim: the signal ablation's bars)");
        var command = new Command("eval", "Train a model on a protocol's split of any data (a MovieLens release, a store, an events or interactions file, "
            + "a split made elsewhere) and report its accuracy.")
        {
            protocol, model, param, budget, json, plot,
        };
        input.AddTo(command);
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            var p = Required(parseResult.GetValue(protocol), "--protocol", "p-topn, p-topn-r, p-next, p-rating or p-sim").ToLowerInvariant();
            var figure = PlotOption.Resolve(parseResult, plot);
            if (p == PSimProtocol.ProtocolName)
            {
                input.RefuseFor(parseResult, p);
                return await SimulateCommand.EvaluateAsync(parseResult, input.DatabasePath(parseResult), parseResult.GetValue(model), parseResult.GetValue(param) ?? [],
                    parseResult.GetValue(json), figure, ct);
            }
            if (!ProtocolRunner.Protocols.Contains(p))
                throw new CliException(ExitCodes.Usage, $"unknown protocol {UnicodeText.Quote(p)}; known: {string.Join(", ", ProtocolRunner.Protocols)}, {PSimProtocol.ProtocolName}");
            var name = Required(parseResult.GetValue(model), "--model", "a model name, or auto");
            var parameters = CliArguments.Pairs(parseResult.GetValue(param) ?? []);
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            EvaluationReport report;
            if (p == RatingProtocol.ProtocolName)
            {
                input.RefuseFor(parseResult, p);
                var folder = Required(parseResult.GetValue(input.Data), "--data", "a MovieLens folder");
                report = CliArguments.Guard(() => ProtocolRunner.Run(p, folder, name, parameters, new LineProgress(error), ct));
            }
            else
            {
                CliArguments.Guard(() => ProtocolRunner.CheckModel(name, parameters)); // a bad model or parameter fails before the data is read
                double seconds = parseResult.GetValue(budget);
                if (!(seconds >= 0) || !double.IsFinite(seconds) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
                    throw new CliException(ExitCodes.Usage, $"--budget must be a number of seconds >= 0 (got {seconds.ToString(CultureInfo.InvariantCulture)})");
                var data = await input.LoadAsync(parseResult, ct);
                var options = new RankingRunOptions
                {
                    SplitSeed = parseResult.GetValue(input.SplitSeed),
                    Budget = TimeSpan.FromSeconds(seconds),
                    Candidates = new CandidateLines(error),
                };
                report = CliArguments.Guard(() => ProtocolRunner.Run(p, data, name, parameters, options, new LineProgress(error), ct));
            }
            Write(report, output);
            PlotOption.Save(parseResult, figure, () => EvaluationFigure.Create(report));
            if (parseResult.GetValue(json)) output.WriteLine(report.ToJson());
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static string Required(string? value, string option, string what)
        => string.IsNullOrWhiteSpace(value) ? throw new CliException(ExitCodes.Usage, $"{option} is required ({what})") : value;

    private static void Write(EvaluationReport r, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        if (r.Selection is { } s)
        {
            output.WriteLine($"{r.Protocol} on {r.Dataset}: auto chose {r.Model} {(s.Parameters.Count == 0 ? "(defaults)" : CliArguments.Describe(s.Parameters))}");
            output.WriteLine(string.Create(c, $"  validation split carved from the training data, {s.Validation.Rule?.Describe()}: {s.Validation.Train:N0} train / "
                + $"{s.Validation.Test:N0} validation positives, {s.Validation.TestUsers:N0} members"));
            var candidates = new TextTable(6).Add("  model", "setting", s.Metric, "fit s", "total s", "note");
            foreach (var x in s.Candidates)
                candidates.Add("  " + x.Model, x.Parameters.Count == 0 ? "defaults" : CliArguments.Describe(x.Parameters),
                    x.Status == CandidateStatus.Scored ? Math.Round(x[s.Metric], 4) : x.Status == CandidateStatus.Skipped ? "skipped" : "stopped",
                    Math.Round(x.FitSeconds, 2), Math.Round(x.Seconds, 2), x.Note);
            candidates.WriteTo(output, "  ");
            output.WriteLine($"  why: {s.Reason}");
            output.WriteLine(string.Create(c, $"  refitted on the whole training data in {s.RefitSeconds:F2} s; its test figures:"));
            output.WriteLine($"{r.Protocol} on {r.Dataset}: {r.Model} {CliArguments.Describe(r.Parameters)}");
        }
        else
        {
            output.WriteLine($"{r.Protocol} on {r.Dataset}: {r.Model} {CliArguments.Describe(r.Parameters)}");
        }
        var table = new TextTable(2);
        if (r.Split.Rule is { } rule) table.Add("split", rule.Describe());
        table.Add(r.Protocol == "p-rating" ? "train ratings (mean of folds)" : "train positives", r.Split.Train);
        table.Add(r.Protocol == "p-rating" ? "test ratings (mean of folds)" : "test positives", r.Split.Test);
        table.Add(r.Protocol == "p-rating" ? "test members (mean of folds)" : "test members", r.Split.TestUsers);
        foreach (var m in r.Metrics)
        {
            if (m.Values is null) table.Add(m.Name, Math.Round(m.Value, 4));
            else table.Add(m.Name, string.Join(" ", m.Values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture))));
        }
        table.Add("fit seconds", Math.Round(r.FitSeconds, 3));
        table.WriteTo(output, "  ");
    }

    /// <summary>Each candidate of `--model auto` on standard error as it is scored.</summary>
    private sealed class CandidateLines(TextWriter error) : IProgress<ModelCandidate>
    {
        public void Report(ModelCandidate value)
        {
            var setting = value.Parameters.Count == 0 ? "defaults" : CliArguments.Describe(value.Parameters);
            var figures = string.Join(" ", value.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F4}")));
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"auto: {value.Model} {setting}: {(value.Status == CandidateStatus.Scored ? figures : value.Note)} (fit {value.FitSeconds:F2} s, {value.Seconds:F2} s in all)"));
        }
    }
}

/// <summary>
/// The data options of the ranking protocols, shared by `encore eval` and `encore tune`: one of --data PATH,
/// --train FILE --test FILE, or the store (--db FILE, else the default database); --preference k=v for viewing
/// events; --split-seed for P-TOPN-R. Which reader each path needs is the library's (<see cref="RankingSources"/>).
/// </summary>
internal sealed class RankingInput
{
    private RankingInput() { }

    public Option<string?> Data { get; } = new("--data")
    {
        Description = "The data: a MovieLens release folder (100K, 1M or latest), an events file (.jsonl, or .csv with event_id and kind columns; "
            + "read into a temporary store, titles it names registered), or an interactions file user,item[,weight][,timestamp] (header optional).",
        HelpName = "PATH",
    };

    public Option<string?> Train { get; } = new("--train") { Description = "A split made elsewhere: its train interactions file (with --test).", HelpName = "FILE" };
    public Option<string?> Test { get; } = new("--test") { Description = "A split made elsewhere: its test interactions file (with --train).", HelpName = "FILE" };
    public Option<string?> Db { get; } = DatabaseOption.Create();

    public Option<string[]> Preference { get; } = new("--preference")
    {
        Description = "A preference-model parameter for viewing events, key=value (e.g. watch=1, complete=0.5; repeat for several). "
            + "Without any, a store's positives are the titles begun (plays), or its ratings >= 4 when it holds no plays.",
        HelpName = "k=v",
        DefaultValueFactory = _ => [],
    };

    public Option<ulong> SplitSeed { get; } = new("--split-seed")
    {
        Description = "Seed of p-topn-r's random split (and of a random validation split for tuning or auto).",
        HelpName = "N",
        DefaultValueFactory = _ => SplitRule.DefaultSeed,
    };

    public static RankingInput Create() => new();

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(Train);
        command.Options.Add(Test);
        command.Options.Add(Db);
        command.Options.Add(Preference);
        command.Options.Add(SplitSeed);
    }

    public string DatabasePath(ParseResult parseResult) => DatabaseOption.Resolve(parseResult, Db);

    /// <summary>Refuses the data options a protocol that reads its own data does not take (p-rating a MovieLens folder, p-sim a simulated store).</summary>
    public void RefuseFor(ParseResult parseResult, string protocol)
    {
        bool rating = protocol == RatingProtocol.ProtocolName;
        var given = new List<Option>();
        if (!rating && parseResult.GetValue(Data) is not null) given.Add(Data);
        if (rating && parseResult.GetValue(Db) is not null) given.Add(Db);
        if (parseResult.GetValue(Train) is not null) given.Add(Train);
        if (parseResult.GetValue(Test) is not null) given.Add(Test);
        if ((parseResult.GetValue(Preference) ?? []).Length > 0) given.Add(Preference);
        if (given.Count > 0)
            throw new CliException(ExitCodes.Usage, $"{given[0].Name} does not apply to {protocol} ({(rating ? "it reads a MovieLens folder, --data" : "it reads a simulated store, --db")})");
    }

    /// <summary>The options that name the data, as typed (for the command a tuning run suggests).</summary>
    public string Describe(ParseResult parseResult)
    {
        var parts = new List<string>();
        if (parseResult.GetValue(Data) is { } data) parts.Add("--data " + ShellText.Quote(data));
        if (parseResult.GetValue(Train) is { } train) parts.Add("--train " + ShellText.Quote(train));
        if (parseResult.GetValue(Test) is { } test) parts.Add("--test " + ShellText.Quote(test));
        if (parseResult.GetValue(Db) is { } db) parts.Add("--db " + ShellText.Quote(db));
        foreach (var pair in parseResult.GetValue(Preference) ?? []) parts.Add("--preference " + ShellText.Quote(pair));
        if (parseResult.GetValue(SplitSeed) != SplitRule.DefaultSeed) parts.Add("--split-seed " + parseResult.GetValue(SplitSeed).ToString(CultureInfo.InvariantCulture));
        return string.Join(" ", parts);
    }

    /// <summary>Reads the one data source the options name.</summary>
    public async Task<RankingData> LoadAsync(ParseResult parseResult, CancellationToken ct)
    {
        var data = parseResult.GetValue(Data);
        var train = parseResult.GetValue(Train);
        var test = parseResult.GetValue(Test);
        var db = parseResult.GetValue(Db);
        int sources = (data is null ? 0 : 1) + (train is null && test is null ? 0 : 1) + (db is null ? 0 : 1);
        if (sources > 1) throw new CliException(ExitCodes.Usage, "give one data source: --data PATH, --train FILE --test FILE, or --db FILE");
        if ((train is null) != (test is null)) throw new CliException(ExitCodes.Usage, "--train and --test go together (a split made elsewhere)");
        var preferences = CliArguments.Guard(() => RankingSources.Preferences(CliArguments.Pairs(parseResult.GetValue(Preference) ?? [])));
        var error = parseResult.InvocationConfiguration.Error;
        if (train is not null)
        {
            if (preferences is not null) throw new CliException(ExitCodes.Usage, "--preference weighs viewing events; --train and --test are interactions files");
            return RankingData.FromInteractions(InteractionsFile.Load(train, ct), InteractionsFile.Load(test!, ct));
        }
        if (data is not null)
        {
            if (RankingSources.Detect(data) == RankingSourceKind.Events) error.WriteLine($"reading the events of {data} into a temporary store (titles it names are registered)");
            return await ConsoleProgress.RunAsync(parseResult, progress => CliArguments.GuardAsync(() =>
                RankingSources.LoadAsync(data, preferences, new ImportProgressAdapter(progress), ct: ct)));
        }
        var path = DatabaseOption.Resolve(parseResult, Db);
        await using var store = await DatabaseOption.OpenReadOnlyAsync(path, ct);
        error.WriteLine($"reading the store {Storage.EventStores.Describe(path)}");
        return await RankingData.FromStoreAsync(store, preferences, ct: ct);
    }

    /// <summary>Relays an events import's progress to the console renderer.</summary>
    private sealed class ImportProgressAdapter(IProgress<ProgressUpdate> target) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => target.Report(new ProgressUpdate("temporary store: " + value.Stage, value.Done, value.Total, value.Unit));
    }
}

/// <summary>Parsing and error translation shared by `encore eval` and `encore tune`.</summary>
internal static class CliArguments
{
    public static IReadOnlyDictionary<string, string> Pairs(IEnumerable<string> pairs)
        => Guard(() => ModelParameters.ParsePairs(pairs));

    /// <summary>Runs <paramref name="work"/>, turning a bad argument (unknown model, bad parameter) into a one-line usage error.</summary>
    public static T Guard<T>(Func<T> work)
    {
        try { return work(); }
        catch (ArgumentException e) { throw CliException.Usage(e); }
    }

    /// <inheritdoc cref="Guard{T}"/>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> work)
    {
        try { return await work().ConfigureAwait(false); }
        catch (ArgumentException e) { throw CliException.Usage(e); }
    }

    /// <summary>
    /// A usage error for an option value out of range, naming the option as typed: "--days 5: P-SIM needs at least
    /// 15 simulated days ..." (the library's parameter names are the options' names).
    /// </summary>
    public static CliException OutOfRange(ArgumentOutOfRangeException e)
    {
        var reason = CliException.PlainMessage(e);
        var option = e.ParamName is { Length: > 0 } name ? "--" + name.ToLowerInvariant() : "an option";
        var value = e.ActualValue is null ? "" : " " + Convert.ToString(e.ActualValue, CultureInfo.InvariantCulture);
        return new CliException(ExitCodes.Usage, $"{option}{value}: {reason}", e);
    }

    public static string Describe(IReadOnlyDictionary<string, string> parameters)
        => parameters.Count == 0 ? "(defaults)" : string.Join(" ", parameters.Select(p => $"{p.Key}={p.Value}"));
}

/// <summary>Progress lines of the evaluation library on standard error, so that standard output stays the result.</summary>
internal sealed class LineProgress(TextWriter error) : IProgress<string>
{
    public void Report(string value) => error.WriteLine(value);
}
