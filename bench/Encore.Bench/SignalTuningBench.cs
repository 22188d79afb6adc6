using System.Diagnostics;
using System.Globalization;
using Encore.Evaluation.Simulation;
using Encore.Models;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Bench;

/// <summary>
/// Tunes the P-SIM signal settings on the validation split carved out of a simulated store's training days (train
/// before the last 21 days, validate on the 7 before the test days; the test days are never looked at), one ablation
/// group at a time, each starting from the previous group's tuned values; then scores every tuned setting once on
/// the test split. This is how the defaults of <see cref="SignalSetting"/> were chosen.
/// Usage: tune-signals DB [model=ials] [rounds=2]
/// </summary>
public sealed class SignalTuningBench : IBench
{
    public string Name => "tune-signals";
    public string Description => "tune the P-SIM signal groups on the validation split of a simulated store: DB [model] [rounds]";

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: tune-signals DB [model=ials] [rounds=2]");
            return 2;
        }
        var c = CultureInfo.InvariantCulture;
        string model = args.Length > 1 ? args[1] : "ials";
        int rounds = args.Length > 2 ? int.Parse(args[2], c) : 2;
        var clock = Stopwatch.StartNew();
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(args[0]);
        var data = await PSimProtocol.LoadAsync(store, new Progress<string>(Console.WriteLine));
        Console.WriteLine(string.Create(c, $"read in {clock.Elapsed.TotalSeconds:F1} s; validation: train before {data.Validation.TrainEndUtc:yyyy-MM-dd}, {data.Validation.WatchedTruth.Count:N0} members with watched titles"));
        var tuned = new List<(SignalSetting Setting, IReadOnlyDictionary<string, string> Model)>();
        IReadOnlyDictionary<string, string> previousModel = new Dictionary<string, string>();
        SignalSetting previous = SignalSetting.Plays;
        foreach (var setting in SignalSetting.Catalogue)
        {
            // Each group starts from the previous group's tuned values, with its own parameters at their defaults.
            var start = setting == SignalSetting.Plays ? setting
                : setting with { Preferences = Merge(previous.Preferences, setting.Preferences, setting.Name), Context = setting.Context is null ? null : previous.Context ?? setting.Context };
            var parameters = PreferenceTuner.ParametersOf(setting == SignalSetting.All && Environment.GetEnvironmentVariable("ENCORE_TUNE_JOINT") == "1" ? "joint" : setting.Name);
            var result = PreferenceTuner.Tune(data.Validation, model, previousModel, PreferenceTuner.ModelParametersOf(model), start, parameters, rounds);
            Console.WriteLine(string.Create(c, $"{setting.Name}: validation ndcg@20 {result.StartNdcg:F4} -> {result.ValidationNdcg:F4} in {result.Fits} fits"));
            foreach (var step in result.Steps) Console.WriteLine("    " + step);
            Console.WriteLine("    preferences " + string.Join(" ", result.Setting.Preferences.Describe().Select(kv => $"{kv.Key}={kv.Value}")));
            if (result.Setting.Context is { } context) Console.WriteLine(string.Create(c, $"    context weight={context.Weight} prior={context.Prior}"));
            Console.WriteLine("    model " + string.Join(" ", result.ModelParameters.Select(kv => $"{kv.Key}={kv.Value}")));
            tuned.Add((result.Setting, result.ModelParameters));
            previous = result.Setting;
            previousModel = result.ModelParameters;
        }

        Console.WriteLine();
        Console.WriteLine($"test split (scored once, after tuning), model {model}:");
        Console.WriteLine("  setting      recall@20  ndcg@20  recall@20 taste  ndcg@20 taste");
        foreach (var (setting, modelParameters) in tuned)
        {
            var r = PSimProtocol.Evaluate(data, ModelCatalog.CreateTrainer(model, modelParameters), model, modelParameters, setting);
            double M(string name) => r.Metrics.First(m => m.Name == name).Value;
            Console.WriteLine(string.Create(c, $"  {setting.Name,-11} {M("recall@20"),9:F4} {M("ndcg@20"),8:F4} {M("recall@20_taste"),16:F4} {M("ndcg@20_taste"),14:F4}"));
        }
        Console.WriteLine(string.Create(c, $"total {clock.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    /// <summary>The previous group's tuned values, with the parameters this group adds taken from its own defaults.</summary>
    private static PreferenceOptions Merge(PreferenceOptions previous, PreferenceOptions own, string group)
    {
        var result = previous;
        var probe = SignalSetting.Plays with { Preferences = own };
        foreach (var parameter in PreferenceTuner.ParametersOf(group))
        {
            if (parameter.Name.StartsWith("context", StringComparison.Ordinal)) continue;
            result = parameter.Set(SignalSetting.Plays with { Preferences = result }, parameter.Get(probe)).Preferences;
        }
        return result;
    }
}
