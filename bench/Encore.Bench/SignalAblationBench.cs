using System.Diagnostics;
using System.Globalization;
using Encore.Evaluation.Simulation;
using Encore.Plots;
using Encore.Storage;

namespace Encore.Bench;

/// <summary>
/// The P-SIM ablation table of issue 10: for each signal setting (SignalSetting.Catalogue, as tuned), every main model
/// with its parameters tuned on the validation split carved out of the training days; the model with the best
/// validation NDCG@20 is the setting's model, and only it is scored on the test split. Prints a Markdown table with
/// both truths and each setting's gain over plays only.
/// Usage: signal-ablation DB [models=popularity,itemknn,ease,ials,sequential] [rounds=2] [--plot FILE]; with --plot
/// the table is also drawn as bars (Encore.Plots' <see cref="AblationFigure"/>, PNG or SVG by the extension).
/// </summary>
public sealed class SignalAblationBench : IBench
{
    public string Name => "signal-ablation";
    public string Description => "P-SIM ablation: best model per signal setting, chosen on validation, scored on test: DB [models] [rounds] [--plot FILE]";

    public async Task<int> RunAsync(string[] args)
    {
        FigureFile? figure = null;
        int plotAt = Array.IndexOf(args, "--plot");
        if (plotAt >= 0)
        {
            if (plotAt + 1 >= args.Length)
            {
                Console.Error.WriteLine("signal-ablation: --plot needs a FILE (.png or .svg)");
                return 2;
            }
            try { figure = FigureFile.Parse(args[plotAt + 1]); }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("signal-ablation: --plot " + e.Message.Replace(" (Parameter 'path')", "", StringComparison.Ordinal));
                return 2;
            }
            args = [.. args[..plotAt], .. args[(plotAt + 2)..]];
        }
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: signal-ablation DB [models=popularity,itemknn,ease,ials,sequential] [rounds=2] [--plot FILE]");
            return 2;
        }
        var c = CultureInfo.InvariantCulture;
        var models = (args.Length > 1 ? args[1] : "popularity,itemknn,ease,ials,sequential").Split(',', StringSplitOptions.RemoveEmptyEntries);
        int rounds = args.Length > 2 ? int.Parse(args[2], c) : 2;
        var clock = Stopwatch.StartNew();
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(args[0]);
        var data = await PSimProtocol.LoadAsync(store, new Progress<string>(Console.Error.WriteLine));
        var m = data.Manifest;
        Console.WriteLine(string.Create(c, $"P-SIM ablation on the simulated service {m.Members:N0} members x {m.Titles:N0} titles x {m.Days} days, seed {m.Seed}"));
        Console.WriteLine(string.Create(c, $"(validation: train before {data.Validation.TrainEndUtc:yyyy-MM-dd}, truth to {data.Test.TrainEndUtc:yyyy-MM-dd}; test truth after it; models tuned on validation)"));
        Console.WriteLine();
        Console.WriteLine("| signals | model (chosen on validation) | validation NDCG@20 | Recall@20 | NDCG@20 | Recall@20 taste | NDCG@20 taste |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        double? baseWatched = null, baseTaste = null;
        var reports = new List<Encore.Evaluation.Reporting.EvaluationReport>();
        foreach (var setting in SignalSetting.Catalogue)
        {
            TuningResult? best = null;
            string bestModel = "";
            foreach (var model in models)
            {
                var result = PreferenceTuner.Tune(data.Validation, model, new Dictionary<string, string>(), PreferenceTuner.ModelParametersOf(model), setting, [], rounds);
                Console.Error.WriteLine(string.Create(c, $"{setting.Name} {model}: validation {result.ValidationNdcg:F4} ({string.Join(" ", result.ModelParameters.Select(kv => kv.Key + "=" + kv.Value))})"));
                if (best is null || result.ValidationNdcg > best.ValidationNdcg) (best, bestModel) = (result, model);
            }
            var report = PSimProtocol.Evaluate(data, Encore.Models.ModelCatalog.CreateTrainer(bestModel, best!.ModelParameters), bestModel, best.ModelParameters, setting);
            reports.Add(report);
            double M(string name) => report.Metrics.First(x => x.Name == name).Value;
            baseWatched ??= M("ndcg@20");
            baseTaste ??= M("ndcg@20_taste");
            var parameters = best.ModelParameters.Count == 0 ? "" : " " + string.Join(" ", best.ModelParameters.Select(kv => kv.Key + "=" + kv.Value));
            Console.WriteLine(string.Create(c,
                $"| {setting.Name} | {bestModel}{parameters} | {best.ValidationNdcg:F4} | {M("recall@20"):F4} | {M("ndcg@20"):F4} ({Gain(M("ndcg@20"), baseWatched.Value)}) | {M("recall@20_taste"):F4} | {M("ndcg@20_taste"):F4} ({Gain(M("ndcg@20_taste"), baseTaste.Value)}) |"));
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"{clock.Elapsed.TotalSeconds:F0} s"));
        if (figure is not null)
        {
            AblationFigure.CreateBestPerSetting(reports).Save(figure);
            Console.Error.WriteLine($"figure: {figure.Path}");
        }
        return 0;
    }

    private static string Gain(double value, double baseline)
        => (value / baseline - 1).ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture);
}
