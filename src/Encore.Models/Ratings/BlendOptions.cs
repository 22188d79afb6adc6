using Encore.Core;
namespace Encore.Models.Ratings;

/// <summary>Options of the linear blend (<see cref="BlendTrainer"/>).</summary>
internal sealed record BlendOptions : IModelOptions
{
    public static IReadOnlyList<string> DefaultComponents { get; } = [BpmfTrainer.ModelName, SvdPlusPlusTrainer.ModelName, KnnBaselineTrainer.ModelName, BiasedMfTrainer.ModelName];

    /// <summary>Catalogue names of the blended rating models.</summary>
    public IReadOnlyList<string> Components { get; init; } = DefaultComponents;

    /// <summary>Share of the training ratings held out to fit the weights.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>L2 penalty on the weights, intercept excluded.</summary>
    public double Ridge { get; init; } = 1;

    /// <summary>Seed of the held-out split.</summary>
    public long Seed { get; init; } = 7;

    /// <summary>Parameters per component name, from keys such as <c>bpmf.samples=100</c> (<see cref="Bind"/>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ComponentParameters { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Binds <c>--param</c> pairs: <c>component.key=value</c> goes to that component's own parameters (checked by the
    /// component, now), every other key onto this record as for any model.
    /// </summary>
    public static BlendOptions Bind(IReadOnlyDictionary<string, string>? parameters)
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
        var options = ModelParameters.Bind<BlendOptions>(own, BlendTrainer.ModelName) with
        {
            ComponentParameters = nested.ToDictionary(e => e.Key, e => (IReadOnlyDictionary<string, string>)e.Value, StringComparer.OrdinalIgnoreCase),
        };
        options.Validate();
        return options;
    }

    public void Validate()
    {
        const string model = BlendTrainer.ModelName;
        RatingOptionChecks.Number(model, "validation-fraction", ValidationFraction, 0.01, 0.5);
        RatingOptionChecks.Number(model, "ridge", Ridge, 0, 1e6);
        if (Components.Count == 0) throw new ArgumentException("blend: components lists no model", nameof(Components));
        foreach (var c in Components)
        {
            if (string.Equals(c, model, StringComparison.OrdinalIgnoreCase) || !ModelCatalog.TryGet(c, out var d) || d.Task != ModelTask.Rating)
                throw new ArgumentException($"blend: component {UnicodeText.Quote(c)} is not a rating model that can be blended; choose from {string.Join(", ", ModelCatalog.RatingNames.Where(n => n != model))}", nameof(Components));
        }
        foreach (var name in ComponentParameters.Keys)
        {
            if (!Components.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"blend: parameters for {UnicodeText.Quote(name)} given, but {UnicodeText.Quote(name)} is not among the components ({string.Join(",", Components)})", nameof(ComponentParameters));
        }
        foreach (var c in Components)
        {
            ComponentParameters.TryGetValue(c, out var p);
            try { ModelCatalog.CreateRatingTrainer(c, p); }
            catch (ArgumentException e) { throw new ArgumentException($"blend: component {UnicodeText.Quote(c)}: {e.Message}", nameof(ComponentParameters), e); }
        }
    }
}
