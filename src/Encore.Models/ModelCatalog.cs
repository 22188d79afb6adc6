using Encore.Core;
using Encore.Models.Ease;
using Encore.Models.Ials;
using Encore.Models.ItemKnn;
using Encore.Models.Popularity;
using Encore.Models.Ratings;

namespace Encore.Models;

/// <summary>What a model predicts: a ranking of titles (P-TOPN, P-NEXT, P-SIM) or explicit ratings (P-RATING).</summary>
public enum ModelTask
{
    /// <summary>Ranks titles for a member: an <see cref="IRecommenderTrainer"/> fitting an <see cref="IRecommender"/>.</summary>
    TopN,
    /// <summary>Predicts a member's rating of a title: an <see cref="IRatingTrainer"/> fitting an <see cref="IRatingPredictor"/>.</summary>
    Rating,
}

/// <summary>
/// A model known to the catalogue: what it predicts, how to build its trainer from <c>key=value</c> parameters
/// (bound onto its typed options record by <see cref="ModelParameters"/>, so every model spells its parameters the
/// same way: the options' property names in kebab case) and how to read its saved state back (<see cref="ModelFile"/>).
/// </summary>
public sealed class ModelDescriptor
{
    private readonly Func<IReadOnlyDictionary<string, string>?, object> _create;
    private readonly Func<BinaryReader, IModel> _load;

    private ModelDescriptor(string name, string description, ModelTask task, IReadOnlyList<ModelParameter> parameters,
        Func<IReadOnlyDictionary<string, string>?, object> create, Func<BinaryReader, IModel> load)
    {
        Name = name;
        Description = description;
        Task = task;
        Parameters = parameters;
        _create = create;
        _load = load;
    }

    /// <summary>The model's catalogue name, e.g. "ials" (what <c>--model</c> takes and model files record).</summary>
    public string Name { get; }
    /// <summary>A one-line description of the model and its main parameters, for help texts.</summary>
    public string Description { get; }
    /// <summary>What the model predicts: top-N lists or ratings.</summary>
    public ModelTask Task { get; }

    /// <summary>The parameters `--param k=v` takes, with their types and defaults.</summary>
    public IReadOnlyList<ModelParameter> Parameters { get; }

    /// <summary>A top-N model whose parameters bind onto <typeparamref name="TOptions"/>.</summary>
    public static ModelDescriptor Create<TOptions>(string name, string description, Func<TOptions, IRecommenderTrainer> trainer,
        Func<BinaryReader, IRecommender> load) where TOptions : class, new()
        => new(name, description, ModelTask.TopN, ModelParameters.Describe<TOptions>(), p => trainer(ModelParameters.Bind<TOptions>(p, name)), load);

    /// <summary>
    /// A rating model whose parameters bind onto <typeparamref name="TOptions"/> (through <paramref name="bind"/> when
    /// the model takes more than its options' properties, as the blend takes its components' parameters).
    /// </summary>
    public static ModelDescriptor CreateRating<TOptions>(string name, string description, Func<TOptions, IRatingTrainer> trainer,
        Func<BinaryReader, IRatingPredictor> load, Func<IReadOnlyDictionary<string, string>?, TOptions>? bind = null) where TOptions : class, new()
        => new(name, description, ModelTask.Rating, ModelParameters.Describe<TOptions>(),
            p => trainer(bind is null ? ModelParameters.Bind<TOptions>(p, name) : bind(p)), load);

    /// <summary>The trainer of this top-N model with <paramref name="parameters"/> over its defaults.</summary>
    public IRecommenderTrainer CreateTrainer(IReadOnlyDictionary<string, string>? parameters = null)
    {
        Expect(ModelTask.TopN);
        return (IRecommenderTrainer)_create(parameters);
    }

    /// <summary>The trainer of this rating model with <paramref name="parameters"/> over its defaults.</summary>
    public IRatingTrainer CreateRatingTrainer(IReadOnlyDictionary<string, string>? parameters = null)
    {
        Expect(ModelTask.Rating);
        return (IRatingTrainer)_create(parameters);
    }

    /// <summary>Reads this model's payload (what its <see cref="IModel.Save"/> wrote).</summary>
    public IModel Load(BinaryReader reader) => _load(reader);

    private void Expect(ModelTask task)
    {
        if (Task == task) return;
        throw new ArgumentException(Task == ModelTask.Rating
            ? $"'{Name}' is a rating model (P-RATING), not a top-N model; top-N models: {string.Join(", ", ModelCatalog.TopNNames)}"
            : $"'{Name}' is a top-N model, not a rating model (P-RATING); rating models: {string.Join(", ", ModelCatalog.RatingNames)}");
    }
}

/// <summary>
/// Every model Encore can train, by name, top-N and rating models alike: trainers from string parameters (the CLI's
/// <c>--param k=v</c>, tuning grids) and loaders for <see cref="ModelFile"/>. To add a model, add one line to <see cref="All"/>.
/// </summary>
public static class ModelCatalog
{
    /// <summary>Every model Encore can train and load, top-N models first.</summary>
    public static IReadOnlyList<ModelDescriptor> All { get; } =
    [
        PopularityTrainer.Descriptor,
        ItemKnnTrainer.Descriptor,
        EaseTrainer.Descriptor,
        IalsTrainer.Descriptor,
        Sequential.SequentialTrainer.Descriptor,
        GlobalMeanTrainer.Descriptor,
        BaselineTrainer.Descriptor,
        BiasedMfTrainer.Descriptor,
        SvdPlusPlusTrainer.Descriptor,
        KnnBaselineTrainer.Descriptor,
        BpmfTrainer.Descriptor,
        BlendTrainer.Descriptor,
    ];

    /// <summary>Every model's name, top-N models first.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(d => d.Name).ToArray();

    /// <summary>The top-N models' names, in catalogue order.</summary>
    public static IReadOnlyList<string> TopNNames { get; } = All.Where(d => d.Task == ModelTask.TopN).Select(d => d.Name).ToArray();

    /// <summary>The rating models' names, in catalogue order.</summary>
    public static IReadOnlyList<string> RatingNames { get; } = All.Where(d => d.Task == ModelTask.Rating).Select(d => d.Name).ToArray();

    /// <summary>
    /// Encore's main top-N models, in the order every comparison lists them: the popularity baseline first, then
    /// item-kNN, EASE, iALS and the sequential model. `encore demo` trains exactly these, and
    /// `encore eval --protocol p-sim` without --model evaluates exactly these: the one list both use, so that no
    /// command leaves a main model out. Today it is every top-N catalogue model; a model added to <see cref="All"/> for
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
        if (TryGet(name, out var descriptor)) return descriptor;
        throw new ArgumentException($"unknown model {UnicodeText.Quote(name)}; top-N models: {string.Join(", ", TopNNames)}; rating models: {string.Join(", ", RatingNames)}", nameof(name));
    }

    /// <summary>Whether a model is named <paramref name="name"/>; if so, <paramref name="descriptor"/> is its entry.</summary>
    public static bool TryGet(string name, out ModelDescriptor descriptor)
    {
        foreach (var d in All)
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) { descriptor = d; return true; }
        descriptor = null!;
        return false;
    }

    /// <summary>A trainer for the top-N model <paramref name="name"/> with <paramref name="parameters"/> over the model's defaults.</summary>
    public static IRecommenderTrainer CreateTrainer(string name, IReadOnlyDictionary<string, string>? parameters = null)
        => Get(name).CreateTrainer(parameters);

    /// <summary>A trainer for the rating model <paramref name="name"/> with <paramref name="parameters"/> over the model's defaults.</summary>
    public static IRatingTrainer CreateRatingTrainer(string name, IReadOnlyDictionary<string, string>? parameters = null)
        => Get(name).CreateRatingTrainer(parameters);
}
