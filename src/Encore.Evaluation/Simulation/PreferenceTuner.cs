using System.Globalization;
using Encore.Models;
using Encore.Signals;

namespace Encore.Evaluation.Simulation;

/// <summary>One tunable parameter of a signal setting: its name, the values tried, and how to set it.</summary>
public sealed record TunedParameter(string Name, IReadOnlyList<float> Values, Func<SignalSetting, float, SignalSetting> Set, Func<SignalSetting, float> Get);

/// <summary>One tunable parameter of the model (a `--param` key), with the values tried.</summary>
public sealed record TunedModelParameter(string Key, IReadOnlyList<string> Values);

/// <summary>What <see cref="PreferenceTuner.Tune"/> chose, its validation figure, and every step it took.</summary>
public sealed record TuningResult(SignalSetting Setting, IReadOnlyDictionary<string, string> ModelParameters, double ValidationNdcg, double StartNdcg,
    int Fits, IReadOnlyList<string> Steps);

/// <summary>
/// Tunes the parameters of a signal setting on a validation split (never on a test split): coordinate ascent, one
/// parameter at a time over its candidate values, keeping a change only when it raises the validation NDCG@20 of
/// the watched truth (the only truth a real service has), for a few rounds or until nothing improves.
/// </summary>
public static class PreferenceTuner
{
    /// <summary>The parameters each ablation group adds, with the values tried (group 1, plays only, has none).</summary>
    public static IReadOnlyList<TunedParameter> ParametersOf(string group) => group switch
    {
        "watch" =>
        [
            P("watch", [0, 0.5f, 1, 2, 4, 8], (p, v) => p with { Watch = v }, p => p.Watch),
            P("complete", [0, 0.5f, 1, 2, 4], (p, v) => p with { Complete = v }, p => p.Complete),
            P("episodes", [0, 0.5f, 1, 2], (p, v) => p with { Episodes = v }, p => p.Episodes),
            P("abandon-share", [0, 0.05f, 0.1f, 0.2f, 0.3f, 0.5f], (p, v) => p with { AbandonShare = v }, p => p.AbandonShare),
            P("abandon-days", [1, 3, 7, 14], (p, v) => p with { AbandonDays = v }, p => p.AbandonDays),
            P("negative-weight", [0.25f, 0.5f, 1, 2, 4], (p, v) => p with { NegativeWeight = v }, p => p.NegativeWeight),
        ],
        "engagement" =>
        [
            P("replay", [0, 0.5f, 1, 2], (p, v) => p with { Replay = v }, p => p.Replay),
            P("scene", [0, 0.25f, 0.5f, 1, 2], (p, v) => p with { Scene = v }, p => p.Scene),
            P("binge", [0, 0.1f, 0.25f, 0.5f, 1], (p, v) => p with { Binge = v }, p => p.Binge),
            P("pause", [-0.5f, -0.2f, 0, 0.2f], (p, v) => p with { Pause = v }, p => p.Pause),
            P("skip-penalty", [0, 1, 2, 4], (p, v) => p with { SkipPenalty = v }, p => p.SkipPenalty),
        ],
        "explicit" =>
        [
            P("rating", [0, 0.25f, 0.5f, 1, 2], (p, v) => p with { Rating = v }, p => p.Rating),
            P("low-rating", [0, 1, 2, 2.5f], (p, v) => p with { LowRating = v }, p => p.LowRating),
            P("search", [0, 0.5f, 1, 2, 4], (p, v) => p with { Search = v }, p => p.Search),
            P("search-intent", [0, 0.25f, 0.5f, 1, 2, 4], (p, v) => p with { SearchIntent = v }, p => p.SearchIntent),
        ],
        "context" =>
        [
            C("context-weight", [0, 0.05f, 0.1f, 0.2f, 0.3f, 0.5f], (c, v) => c with { Weight = v }, c => c.Weight),
            C("context-prior", [1, 5, 20, 50], (c, v) => c with { Prior = v }, c => c.Prior),
        ],
        "all" =>
        [
            P("half-life-days", [0, 7, 14, 28, 56], (p, v) => p with { HalfLifeDays = v }, p => p.HalfLifeDays),
            new("exposure", [0, 0.1f, 0.25f, 0.5f, 1, 2], (s, v) => s with { Exposure = v }, s => s.Exposure),
            P("ignored-impressions", [0, 1, 2, 3, 5, 8], (p, v) => p with { IgnoredImpressions = (int)v }, p => p.IgnoredImpressions),
            P("ignored-weight", [0.1f, 0.25f, 0.5f, 1], (p, v) => p with { IgnoredWeight = v }, p => p.IgnoredWeight),
        ],
        _ => [],
    };

    /// <summary>
    /// Tunes <paramref name="parameters"/> of <paramref name="start"/> and <paramref name="modelParameters"/> of
    /// <paramref name="model"/> (from <paramref name="startModel"/>) together on <paramref name="validation"/>, for at
    /// most <paramref name="rounds"/> passes over them.
    /// </summary>
    public static TuningResult Tune(TimeSplit validation, string model, IReadOnlyDictionary<string, string> startModel, IReadOnlyList<TunedModelParameter> modelParameters,
        SignalSetting start, IReadOnlyList<TunedParameter> parameters, int rounds = 2, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(startModel);
        ArgumentNullException.ThrowIfNull(modelParameters);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(parameters);
        var members = validation.WatchedTruth.Keys.Order().ToArray();
        if (members.Length == 0) throw new ArgumentException("the validation split has no member with a watched title to score");
        var c = CultureInfo.InvariantCulture;
        int fits = 0;
        var cache = new Dictionary<(SignalSetting, string), double>();
        double Evaluate(SignalSetting setting, SortedDictionary<string, string> modelParams)
        {
            var key = (setting, string.Join(";", modelParams.Select(kv => kv.Key + "=" + kv.Value)));
            if (cache.TryGetValue(key, out var known)) return known;
            ct.ThrowIfCancellationRequested();
            var fitted = ModelCatalog.CreateTrainer(model, modelParams).Fit(validation.TrainMatrix(setting.Preferences), ct);
            fits++;
            var metrics = PSimProtocol.Score(fitted, validation, setting, members, m => [.. validation.WatchedTruth[m]], ct);
            return cache[key] = metrics.Ndcg;
        }

        var best = start;
        var bestModel = new SortedDictionary<string, string>(startModel.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
        double startNdcg = Evaluate(start, bestModel), bestNdcg = startNdcg;
        var steps = new List<string> { string.Create(c, $"start {bestNdcg:F4}") };
        for (int round = 0; round < rounds; round++)
        {
            bool improved = false;
            foreach (var parameter in parameters)
            {
                foreach (var value in parameter.Values)
                {
                    var candidate = parameter.Set(best, value);
                    double ndcg = Evaluate(candidate, bestModel);
                    if (ndcg > bestNdcg + 1e-5)
                    {
                        steps.Add(string.Create(c, $"{parameter.Name} {parameter.Get(best)} -> {value}: {bestNdcg:F4} -> {ndcg:F4}"));
                        (best, bestNdcg, improved) = (candidate, ndcg, true);
                    }
                }
            }
            foreach (var parameter in modelParameters)
            {
                foreach (var value in parameter.Values)
                {
                    var candidate = new SortedDictionary<string, string>(bestModel, StringComparer.Ordinal) { [parameter.Key] = value };
                    double ndcg = Evaluate(best, candidate);
                    if (ndcg > bestNdcg + 1e-5)
                    {
                        steps.Add(string.Create(c, $"{model} {parameter.Key} {bestModel.GetValueOrDefault(parameter.Key, "(default)")} -> {value}: {bestNdcg:F4} -> {ndcg:F4}"));
                        (bestModel, bestNdcg, improved) = (candidate, ndcg, true);
                    }
                }
            }
            if (!improved) break;
        }
        return new TuningResult(best, bestModel, bestNdcg, startNdcg, fits, steps);
    }

    /// <summary>The model parameters tuned beside the signals, with the values tried, for the main models.</summary>
    public static IReadOnlyList<TunedModelParameter> ModelParametersOf(string model) => model switch
    {
        "ials" =>
        [
            new("factors", ["32", "64", "128", "256"]),
            new("alpha", ["0.5", "1", "2", "4", "8", "16"]),
            // Around the scale-aware defaults (lambda 0.8 at nu 0.5, unobserved weight from the density; IalsOptions).
            new("regularization", ["0.2", "0.4", "0.8", "1.6"]),
            new("regularization-exponent", ["0", "0.5", "1"]),
            new("unobserved-ratio", ["2", "4", "8", "16"]),
        ],
        "itemknn" => [new("neighbours", ["50", "100", "200", "400"]), new("weighting", ["bm25", "cosine", "tf-idf"]), new("k1", ["0.5", "1.2", "2"])],
        "ease" => [new("lambda", ["50", "100", "200", "500", "1000"]), new("binary", ["true", "false"])],
        _ => [],
    };

    private static TunedParameter P(string name, float[] values, Func<PreferenceOptions, float, PreferenceOptions> set, Func<PreferenceOptions, float> get)
        => new(name, values, (s, v) => s with { Preferences = set(s.Preferences, v) }, s => get(s.Preferences));

    private static TunedParameter C(string name, float[] values, Func<ContextOptions, float, ContextOptions> set, Func<ContextOptions, float> get)
        => new(name, values, (s, v) => s with { Context = set(s.Context ?? ContextOptions.Default, v) }, s => get(s.Context ?? ContextOptions.Default));
}
