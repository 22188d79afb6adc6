namespace Encore.Models.Ratings;

/// <summary>
/// The rating models by name: each builds its trainer from string parameters (e.g. from
/// <c>--param factors=20</c>), rejecting unknown keys and bad values with an error that says which.
/// Fitted models load back through <see cref="Load(Stream, string)"/>, whatever trainer made them.
/// </summary>
public static class RatingModelCatalog
{
    private static readonly (string Name, string Description, Func<IReadOnlyDictionary<string, string>?, IRatingTrainer> Create)[] Entries =
    [
        (GlobalMeanTrainer.ModelName, "the mean training rating (reference)", p => { new RatingParameters(GlobalMeanTrainer.ModelName, p).EnsureAllRead(); return new GlobalMeanTrainer(); }),
        (BaselineTrainer.ModelName, "damped member + title biases (user_damping, title_damping, iterations)", p => new BaselineTrainer(BaselineOptions.FromParameters(p))),
        (BiasedMfTrainer.ModelName, "biased matrix factorization by SGD (factors, epochs, lr, lr_decay, reg, bias_reg, init_std, seed)", p => new BiasedMfTrainer(BiasedMfOptions.FromParameters(p))),
        (SvdPlusPlusTrainer.ModelName, "SVD++ by SGD, implicit feedback from the titles each member rated in training (factors, epochs, lr, lr_decay, reg, bias_reg, init_std, seed)", p => new SvdPlusPlusTrainer(SvdPlusPlusOptions.FromParameters(p))),
        (KnnBaselineTrainer.ModelName, "title-based kNN on baseline residuals, pearson-baseline similarity (k, shrinkage, user_damping, title_damping, baseline_iterations, threads)", p => new KnnBaselineTrainer(KnnBaselineOptions.FromParameters(p))),
        (BpmfTrainer.ModelName, "Bayesian probabilistic MF by Gibbs sampling, with biases and an SVD++ implicit term (factors, samples, burnin, biases, implicit, alpha, sample_alpha, init_std, seed, threads)", p => new BpmfTrainer(BpmfOptions.FromParameters(p))),
        (BlendTrainer.ModelName, "linear blend fitted on a held-out share of the training ratings (components, validation, ridge, seed, component.key)", p => new BlendTrainer(BlendOptions.FromParameters(p))),
    ];

    /// <summary>Model names in catalogue order.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.ConvertAll(Entries, e => e.Name);

    /// <summary>One line per model: its name and what it is, with its parameter names.</summary>
    public static IReadOnlyList<string> Descriptions { get; } = Array.ConvertAll(Entries, e => $"{e.Name}: {e.Description}");

    public static bool Contains(string name) => Array.Exists(Entries, e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The trainer named <paramref name="name"/> configured from <paramref name="parameters"/> (defaults for keys not given).</summary>
    /// <exception cref="ArgumentException">Unknown model, unknown parameter key, or a bad value.</exception>
    public static IRatingTrainer Create(string name, IReadOnlyDictionary<string, string>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var entry in Entries)
            if (string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase)) return entry.Create(parameters);
        throw new ArgumentException($"unknown rating model '{name}'; the rating models are: {string.Join(", ", Names)}", nameof(name));
    }

    /// <summary>Loads a model saved with <see cref="RatingModelFile.Save(IRatingPredictor, Stream)"/>.</summary>
    public static IRatingPredictor Load(Stream stream, string source = "stream") => RatingModelFile.Load(stream, source);

    public static IRatingPredictor Load(string path) => RatingModelFile.Load(path);
}
