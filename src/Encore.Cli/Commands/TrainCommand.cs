using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Models;
using Encore.Ranking;
using Encore.Signals;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore train [--db FILE] [--model NAME] [--param k=v]... [--signal k=v]... [--out FILE]`: fits a model on the whole
/// store through Signals (every event becomes preference evidence) and saves it, with what ranking needs beside it.
/// </summary>
internal static class TrainCommand
{
    public const string DefaultModel = "ials";

    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var model = new Option<string>("--model") { Description = $"The model: {string.Join(", ", ModelCatalog.TopNNames)}, or auto (chosen on a validation split of the store's own data within --budget).", DefaultValueFactory = _ => DefaultModel, HelpName = "NAME" };
        var budget = new Option<double>("--budget") { Description = "With --model auto: seconds the search may take.", DefaultValueFactory = _ => Encore.Evaluation.Tuning.ModelSelectionOptions.DefaultBudget.TotalSeconds, HelpName = "SECONDS" };
        var param = new Option<string[]>("--param") { Description = "A model parameter, key=value (repeat for several).", HelpName = "k=v", DefaultValueFactory = _ => [] };
        var signal = new Option<string[]>("--signal")
        {
            Description = "A preference parameter (how signals become weights), key=value, e.g. watch=2 or abandon-share=0.2; "
                + "see `encore signals --help` for the list. Unset ones keep the tuned defaults.",
            HelpName = "k=v", DefaultValueFactory = _ => [],
        };
        var output = ModelOption.Create("--out", "Where to write the trained model. Default: beside the database, DB.model.");
        var continueWatching = new Option<string>("--continue-watching")
        {
            Description = "How the Continue Watching row learns the chance of resuming: logistic (the default: seconds), lightgbm "
                + "(about 0.004 AUC better on P-SIM, ten times slower) or none (ordered by recency). See docs/CONTINUE_WATCHING.md.",
            DefaultValueFactory = _ => "logistic", HelpName = "logistic|lightgbm|none",
        };
        continueWatching.AcceptOnlyFromAmong("logistic", "lightgbm", "none");
        var command = new Command("train", "Fit a model on the store through its signals and save it for `encore recommend` and `encore similar`.")
        {
            db, model, param, signal, output, budget, continueWatching,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            var databasePath = DatabaseOption.Resolve(parseResult, db);
            var request = new TrainingRequest
            {
                Model = parseResult.GetValue(model)!,
                Parameters = CliArguments.Pairs(parseResult.GetValue(param) ?? []),
                Preferences = Preferences(parseResult.GetValue(signal) ?? []),
                Resume = parseResult.GetValue(continueWatching) switch
                {
                    "lightgbm" => new Encore.Ranking.ContinueWatching.ResumeTrainingOptions { Learner = Encore.Ranking.ContinueWatching.ResumeLearner.LightGbm },
                    "logistic" => new Encore.Ranking.ContinueWatching.ResumeTrainingOptions { Learner = Encore.Ranking.ContinueWatching.ResumeLearner.Logistic },
                    _ => null,
                },
            };
            bool auto = string.Equals(request.Model, Encore.Evaluation.Tuning.ModelSelector.AutoName, StringComparison.OrdinalIgnoreCase);
            if (auto && request.Parameters.Count > 0) throw new CliException(ExitCodes.Usage, "--param needs a named --model (auto chooses the parameters)");
            double seconds = parseResult.GetValue(budget);
            if (!(seconds > 0) || seconds > 86_400) throw new CliException(ExitCodes.Usage, $"--budget must be in (0, 86400] seconds (got {seconds})");
            if (!auto) CliArguments.Guard(() => ModelCatalog.CreateTrainer(request.Model, request.Parameters)); // before the store is read
            var outPath = ModelOption.Resolve(parseResult, output, databasePath);
            var outFolder = Path.GetDirectoryName(outPath);
            if (string.IsNullOrEmpty(outFolder) || !Directory.Exists(outFolder))
                throw new CliException(ExitCodes.BadInput, $"cannot write {outPath}: no such folder");
            var error = parseResult.InvocationConfiguration.Error;
            await using var store = await DatabaseOption.OpenReadOnlyAsync(databasePath, ct);
            var trained = await CliArguments.GuardAsync(() => auto
                ? Encore.Evaluation.Tuning.AutoTraining.TrainAsync(store, request, new Encore.Evaluation.Tuning.ModelSelectionOptions { Budget = TimeSpan.FromSeconds(seconds) }, new LineProgress(error), ct)
                : ModelTraining.TrainAsync(store, request, new LineProgress(error), ct));
            try { TrainedModelFile.Save(trained, outPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException(ExitCodes.BadInput, $"cannot write {outPath}: {e.Message}", e);
            }
            var info = trained.Info;
            var c = CultureInfo.InvariantCulture;
            var stdout = parseResult.InvocationConfiguration.Output;
            stdout.WriteLine($"Trained {info.Model} {CliArguments.Describe(info.Parameters)} on {Storage.EventStores.Describe(databasePath)} into {outPath}");
            new TextTable(2)
                .Add("events read", info.Events)
                .Add("members", info.Members)
                .Add("titles", info.Titles)
                .Add("positive pairs", info.Positives)
                .Add("negative pairs", info.Negatives)
                .Add("signals as of", info.TrainedUntilUtc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", c))
                .Add("fit seconds", Math.Round(info.FitSeconds, 2))
                .WriteTo(stdout, "  ");
            if (info.Choice is { } why) stdout.WriteLine($"  chosen: {why}");
            stdout.WriteLine(trained.Resume is { } resume
                ? string.Create(c, $"  continue watching: {resume.Info.Learner} resume model, validation AUC {resume.Info.ValidationAuc:F4} against recency's {resume.Info.ValidationRecencyAuc:F4}")
                : "  continue watching: ordered by recency");
            stdout.WriteLine($"Next: encore recommend --db {ShellText.Quote(databasePath)} --member ID   (or encore similar --title ID)");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The command line's `--signal k=v` on top of <paramref name="basis"/> (the tuned defaults unless given).</summary>
    internal static PreferenceOptions Preferences(string[] pairs, PreferenceOptions? basis = null)
    {
        basis ??= PreferenceOptions.Default;
        var overrides = CliArguments.Pairs(pairs);
        if (overrides.Count == 0) return basis;
        var merged = new Dictionary<string, string>(basis.Describe(), StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in overrides) merged[k] = v;
        var options = CliArguments.Guard(() => ModelParameters.Bind<PreferenceOptions>(merged, "signals"));
        CliArguments.Guard(() => { options.Validate(); return options; });
        return options;
    }
}
