using Encore.Core;
using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Evaluation.Ranking;
using Encore.Evaluation.Rating;
using Encore.Evaluation.Reporting;
using Encore.Evaluation.Tuning;
using Encore.Models;
using Encore.Models.Ratings;
using Encore.Plots;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore tune --protocol P [DATA] --model NAME [--grid k=v1,v2,...]... [--param k=v]... [--metric M]
/// [--samples N --seed S] [--plot FILE]`: a grid (or, with --samples, seeded random) search scored on a validation split
/// carved out of the training data only; prints every setting's validation figures and the best setting. DATA is
/// what `encore eval` takes (<see cref="RankingInput"/>); p-rating reads a MovieLens folder.
/// </summary>
internal static class TuneCommand
{
    public static Command Create()
    {
        var protocol = new Option<string?>("--protocol")
        {
            Description = "p-topn, p-topn-r or p-next (validation: the protocol's split rule applied inside its train part; chronological where the data has "
                + "timestamps, else random), or p-rating (a holdout of the first fold's training ratings).",
            HelpName = "p-topn|p-topn-r|p-next|p-rating",
        };
        var input = RankingInput.Create();
        var model = new Option<string?>("--model") { Description = "The model to tune.", HelpName = "NAME" };
        var grid = new Option<string[]>("--grid") { Description = "A parameter axis, key=v1,v2,... (repeat for several; the search tries every combination).", HelpName = "k=v1,v2", DefaultValueFactory = _ => [] };
        var param = new Option<string[]>("--param") { Description = "A fixed parameter, key=value, for every setting.", HelpName = "k=v", DefaultValueFactory = _ => [] };
        var metric = new Option<string?>("--metric") { Description = "What to maximize: recall@20 or ndcg@20 (p-topn, default ndcg@20), hr@10 or mrr@10 (p-next, default hr@10); p-rating minimizes RMSE.", HelpName = "NAME" };
        var samples = new Option<int>("--samples") { Description = "Random search: try this many settings drawn from the grid (0: all of them).", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random search.", DefaultValueFactory = _ => 1 };
        var plot = PlotOption.Create("the tuning curves: the validation figure of every setting, by each parameter searched");
        var command = new Command("tune", "Search a model's parameters on a validation split carved out of the training data (never the test split).")
        {
            protocol, model, grid, param, metric, samples, seed, plot,
        };
        input.AddTo(command);
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            var p = EvalCommand.Required(parseResult.GetValue(protocol), "--protocol", "p-topn, p-topn-r, p-rating or p-next").ToLowerInvariant();
            var name = EvalCommand.Required(parseResult.GetValue(model), "--model", "a model name");
            var figure = PlotOption.Resolve(parseResult, plot);
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var fixedParameters = CliArguments.Pairs(parseResult.GetValue(param) ?? []);
            var settings = CliArguments.Guard(() => ParameterGrid.Expand(ParameterGrid.ParseAxes(parseResult.GetValue(grid) ?? []), fixedParameters));
            int n = parseResult.GetValue(samples);
            if (n < 0) throw new CliException(ExitCodes.Usage, $"--samples must be >= 0 (got {n})");
            if (n > 0) settings = ParameterGrid.Sample(settings, n, parseResult.GetValue(seed));
            if (p == RatingProtocol.ProtocolName)
            {
                input.RefuseFor(parseResult, p);
                var folder = EvalCommand.Required(parseResult.GetValue(input.Data), "--data", "a MovieLens folder");
                if (!Directory.Exists(folder)) throw new CliException(ExitCodes.BadInput, $"no such data folder: {folder}");
                return TuneRating(parseResult, figure, folder, name, settings, output, ct);
            }
            if (!ProtocolRunner.RankingProtocols.Contains(p))
                throw new CliException(ExitCodes.Usage, $"unknown protocol {UnicodeText.Quote(p)}; known: {string.Join(", ", ProtocolRunner.RankingProtocols)}, {RatingProtocol.ProtocolName}");
            var target = parseResult.GetValue(metric) ?? RankingTuner.DefaultMetric(p);
            var names = RankingTuner.MetricNames(p);
            if (!names.Contains(target)) throw new CliException(ExitCodes.Usage, $"--metric {target} does not apply to {p}; use one of {string.Join(", ", names)}");
            foreach (var s in settings) CliArguments.Guard(() => ModelCatalog.CreateTrainer(name, s)); // every setting checked before the data is read

            var data = await input.LoadAsync(parseResult, ct);
            var split = CliArguments.Guard(() => ProtocolRunner.Split(p, data, parseResult.GetValue(input.SplitSeed), new LineProgress(error), ct));
            var validation = split.Validation(ct);
            if (p == NextTitleProtocol.ProtocolName) CliArguments.Guard(() => { NextTitleProtocol.RequireTimes(validation); return 0; });
            output.WriteLine($"tuning {name} on {p} validation, {validation.Rule.Describe()}: {validation.TrainPositives:N0} train / {validation.TestPositives:N0} validation positives, "
                + $"{validation.TestUsers:N0} validation members (carved from the {split.TrainPositives:N0} train positives; the test part is not used)");
            output.WriteLine($"{settings.Count} setting(s); maximizing {target}");
            var trials = RankingTuner.Search(validation, p, name, settings, new TrialPrinter(output, names), ct);
            var best = RankingTuner.Best(trials, target);
            output.WriteLine($"best ({target} {best[target].ToString("F4", CultureInfo.InvariantCulture)}): {CliArguments.Describe(best.Parameters)}");
            PlotOption.Save(parseResult, figure, () => TuningFigure.Create(trials, target, $"tuning {name} on {p} validation ({data.Name})"));
            var source = input.Describe(parseResult);
            output.WriteLine($"run it on the test split: encore eval --protocol {p}{(source.Length == 0 ? "" : " " + source)} --model {name}"
                + string.Concat(best.Parameters.Select(kv => $" --param {kv.Key}={kv.Value}")));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static int TuneRating(ParseResult parseResult, FigureFile? figure, string folder, string model, IReadOnlyList<IReadOnlyDictionary<string, string>> settings,
        TextWriter output, CancellationToken ct)
    {
        foreach (var s in settings) CliArguments.Guard(() => ModelCatalog.CreateRatingTrainer(model, s));
        var fold = RatingFolds.Load(folder, null, ct)[0];
        var train = RatingMatrices.Build(fold.Train);
        output.WriteLine($"tuning {model} on p-rating: a {RatingTuner.DefaultValidationFraction:P0} holdout (seed {RatingTuner.DefaultSeed}) of fold {fold.Name}'s "
            + $"{train.NonZeros:N0} training ratings; {settings.Count} setting(s); minimizing RMSE");
        var trials = RatingTuner.Search(train, model, settings, progress: new LineProgress(output), ct: ct);
        var best = trials[0];
        output.WriteLine($"best (validation RMSE {best.ValidationRmse.ToString("F4", CultureInfo.InvariantCulture)}): {CliArguments.Describe(best.Parameters)}");
        PlotOption.Save(parseResult, figure, () => TuningFigure.Create(trials, $"tuning {model} on p-rating validation (fold {fold.Name})"));
        // The official folds' test sets are disjoint, so fold u1's training data holds the other folds' test ratings.
        output.WriteLine($"note: chosen on fold {fold.Name}'s training data only, which holds the other folds' test ratings; "
            + "for a five-fold figure free of them, select per fold (`dotnet run -c Release --project bench/Encore.Bench -- rating --tune k=v1,v2`)");
        return ExitCodes.Success;
    }

    private sealed class TrialPrinter(TextWriter output, IReadOnlyList<string> metrics) : IProgress<RankingTrial>
    {
        public void Report(RankingTrial value)
            => output.WriteLine(string.Join("  ", metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m} {value[m]:F4}")))
                + string.Create(CultureInfo.InvariantCulture, $"  fit {value.FitSeconds:F2}s  ") + CliArguments.Describe(value.Parameters));
    }
}
