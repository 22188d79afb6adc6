using Encore.Models.Ease;
using Encore.Models.Ials;
using Encore.Models.ItemKnn;
using Encore.Models.Popularity;

namespace Encore.Models;

/// <summary>
/// A model known to the catalogue: how to build its trainer from <c>key=value</c> parameters (bound onto its
/// typed options record) and how to read its saved state back.
/// </summary>
public sealed record ModelDescriptor(
    string Name,
    string Description,
    IReadOnlyList<ModelParameter> Parameters,
    Func<IReadOnlyDictionary<string, string>?, IRecommenderTrainer> CreateTrainer,
    Func<BinaryReader, IRecommender> Load)
{
    /// <summary>A descriptor whose parameters bind onto <typeparamref name="TOptions"/>.</summary>
    public static ModelDescriptor Create<TOptions>(string name, string description, Func<TOptions, IRecommenderTrainer> trainer,
        Func<BinaryReader, IRecommender> load) where TOptions : class, new()
        => new(name, description, ModelParameters.Describe<TOptions>(), p => trainer(ModelParameters.Bind<TOptions>(p, name)), load);
}

/// <summary>
/// Every model Encore can train, by name: trainers from string parameters (the CLI's <c>--param k=v</c>,
/// tuning grids) and loaders for <see cref="ModelFile"/>. To add a model, add one line to <see cref="All"/>.
/// </summary>
public static class ModelCatalog
{
    public static IReadOnlyList<ModelDescriptor> All { get; } =
    [
        PopularityTrainer.Descriptor,
        ItemKnnTrainer.Descriptor,
        EaseTrainer.Descriptor,
        IalsTrainer.Descriptor,
        Sequential.SequentialTrainer.Descriptor,
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(d => d.Name).ToArray();

    /// <summary>
    /// Encore's main top-N models, in the order every comparison lists them: the popularity baseline first, then
    /// item-kNN, EASE, iALS and the sequential model. `encore demo` trains exactly these, and
    /// `encore eval --protocol p-sim` without --model evaluates exactly these: the one list both use, so that no
    /// command leaves a main model out. Today it is every catalogue model; a model added to <see cref="All"/> for
    /// experiments joins the comparisons only when it is added here too.
    /// </summary>
    public static IReadOnlyList<string> Main { get; } =
    [
        PopularityTrainer.Descriptor.Name,
        ItemKnnTrainer.Descriptor.Name,
        EaseTrainer.Descriptor.Name,
        IalsTrainer.Descriptor.Name,
        Sequential.SequentialTrainer.Descriptor.Name,
    ];

    /// <summary>The descriptor of <paramref name="name"/> (case-insensitive), or an error listing the known names.</summary>
    public static ModelDescriptor Get(string name)
    {
        foreach (var d in All)
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) return d;
        throw new ArgumentException($"unknown model '{name}'; known models: {string.Join(", ", Names)}", nameof(name));
    }

    public static bool TryGet(string name, out ModelDescriptor descriptor)
    {
        foreach (var d in All)
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) { descriptor = d; return true; }
        descriptor = null!;
        return false;
    }

    /// <summary>A trainer for <paramref name="name"/> with <paramref name="parameters"/> over the model's defaults.</summary>
    public static IRecommenderTrainer CreateTrainer(string name, IReadOnlyDictionary<string, string>? parameters = null)
        => Get(name).CreateTrainer(parameters);
}
