namespace Encore.Models.Ratings;

/// <summary>Options of the linear blend (<see cref="BlendTrainer"/>).</summary>
/// <param name="Components">Catalogue names of the blended models (default bpmf, svdpp, knn, mf).</param>
/// <param name="ComponentParameters">Parameters per component name (from keys such as <c>bpmf.samples=100</c>).</param>
/// <param name="ValidationFraction">Share of the training ratings held out to fit the weights (default 0.1).</param>
/// <param name="Ridge">L2 penalty on the weights, intercept excluded (default 1).</param>
/// <param name="Seed">Seed of the held-out split.</param>
public sealed record BlendOptions(
    IReadOnlyList<string> Components,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ComponentParameters,
    double ValidationFraction = 0.1,
    double Ridge = 1,
    long Seed = 7)
{
    public static IReadOnlyList<string> DefaultComponents { get; } = [BpmfTrainer.ModelName, SvdPlusPlusTrainer.ModelName, KnnBaselineTrainer.ModelName, BiasedMfTrainer.ModelName];

    public BlendOptions() : this(DefaultComponents, new Dictionary<string, IReadOnlyDictionary<string, string>>()) { }

    /// <summary>Reads <c>components</c>, <c>validation</c>, <c>ridge</c>, <c>seed</c>, and <c>component.key</c> for a component's own parameters.</summary>
    public static BlendOptions FromParameters(IReadOnlyDictionary<string, string>? parameters)
    {
        var own = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var nested = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in parameters ?? new Dictionary<string, string>())
        {
            int dot = key.IndexOf('.');
            if (dot < 0) { own[key] = value; continue; }
            string component = key[..dot];
            if (!nested.TryGetValue(component, out var map)) nested[component] = map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            map[key[(dot + 1)..]] = value;
        }
        var d = new BlendOptions();
        var p = new RatingParameters(BlendTrainer.ModelName, own);
        var components = p.Text("components", string.Join(",", DefaultComponents))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var o = new BlendOptions(
            components,
            nested.ToDictionary(e => e.Key, e => (IReadOnlyDictionary<string, string>)e.Value, StringComparer.OrdinalIgnoreCase),
            ValidationFraction: p.Float("validation", (float)d.ValidationFraction, 0.01f, 0.5f),
            Ridge: p.Float("ridge", (float)d.Ridge, 0, 1e6f),
            Seed: p.Int("seed", (int)d.Seed, int.MinValue, int.MaxValue));
        p.EnsureAllRead();
        if (components.Length == 0) throw new ArgumentException("model 'blend': parameter 'components' lists no model");
        foreach (var c in components)
        {
            if (string.Equals(c, BlendTrainer.ModelName, StringComparison.OrdinalIgnoreCase) || !RatingModelCatalog.Contains(c))
                throw new ArgumentException($"model 'blend': component '{c}' is not a rating model that can be blended; choose from {string.Join(", ", RatingModelCatalog.Names.Where(n => n != BlendTrainer.ModelName))}");
        }
        foreach (var name in nested.Keys)
        {
            if (!components.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"model 'blend': parameters for '{name}' given, but '{name}' is not among the components ({string.Join(",", components)})");
        }
        return o;
    }
}
