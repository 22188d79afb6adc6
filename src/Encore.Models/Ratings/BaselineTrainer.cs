using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>Options of the damped user + title baseline.</summary>
public sealed record BaselineOptions : IModelOptions
{
    /// <summary>Pseudo-count that shrinks a member's bias toward 0.</summary>
    public float UserDamping { get; init; } = 5;

    /// <summary>Pseudo-count that shrinks a title's bias toward 0.</summary>
    public float TitleDamping { get; init; } = 5;

    /// <summary>Alternating passes (titles, then members). 1 is the classic damped means; more passes converge to the
    /// regularized least-squares biases, as Surprise's ALS baseline.</summary>
    public int Iterations { get; init; } = 1;

    /// <summary>Checks every option; throws an <see cref="ArgumentException"/> naming the first one out of range.</summary>
    public void Validate()
    {
        RatingOptionChecks.Number(BaselineTrainer.ModelName, "user-damping", UserDamping, 0f, 1e6f);
        RatingOptionChecks.Number(BaselineTrainer.ModelName, "title-damping", TitleDamping, 0f, 1e6f);
        RatingOptionChecks.Integer(BaselineTrainer.ModelName, "iterations", Iterations, 1, 1000);
    }
}

/// <summary>
/// Damped biases: <c>b_i = Σ(r - μ - b_u) / (n_i + λ_i)</c>, <c>b_u = Σ(r - μ - b_i) / (n_u + λ_u)</c>, by
/// alternating exact minimization (ALS), each step closed-form.
/// </summary>
public sealed class BaselineTrainer(BaselineOptions? options = null) : IRatingTrainer
{
    /// <summary>The model's name in the <see cref="ModelCatalog"/> (and in saved model files).</summary>
    public const string ModelName = "baseline";

    /// <summary>The model's entry in the <see cref="ModelCatalog"/>: its name, description, options and loader.</summary>
    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.CreateRating<BaselineOptions>(
        ModelName, "damped member + title biases", o => new BaselineTrainer(o), r => FactorRatingModel.Load(r, ModelName));

    /// <summary>The options every fit uses.</summary>
    public BaselineOptions Options { get; } = options ?? new BaselineOptions();
    /// <inheritdoc />
    public string Name => ModelName;

    /// <inheritdoc />
    public IRatingPredictor Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        Options.Validate();
        var d = new RatingTrainingData(data);
        var (memberBias, titleBias) = FitBiases(d, Options, ct);
        return new FactorRatingModel(Name, data.MemberIds, data.TitleIds, d.Mean, memberBias, titleBias, 0, [], [],
            d.MinRating, d.MaxRating);
    }

    /// <summary>The biases alone, for models that start from the baseline.</summary>
    public static (float[] MemberBias, float[] TitleBias) FitBiases(RatingTrainingData d, BaselineOptions options, CancellationToken ct)
    {
        var memberBias = new float[d.Members];
        var titleBias = new float[d.Titles];
        for (int iteration = 0; iteration < options.Iterations; iteration++)
        {
            ct.ThrowIfCancellationRequested();
            for (int i = 0; i < d.Titles; i++)
            {
                double sum = 0;
                int start = d.TitlePointers[i], end = d.TitlePointers[i + 1];
                for (int p = start; p < end; p++) sum += d.TitleRatings[p] - d.Mean - memberBias[d.TitleMembers[p]];
                titleBias[i] = (float)(sum / (end - start + options.TitleDamping + 1e-12));
            }
            for (int u = 0; u < d.Members; u++)
            {
                double sum = 0;
                int start = d.MemberPointers[u], end = d.MemberPointers[u + 1];
                for (int p = start; p < end; p++) sum += d.MemberRatings[p] - d.Mean - titleBias[d.MemberTitles[p]];
                memberBias[u] = (float)(sum / (end - start + options.UserDamping + 1e-12));
            }
        }
        return (memberBias, titleBias);
    }
}
