using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>Predicts the mean training rating for every pair: the reference every other model must beat.</summary>
public sealed class GlobalMeanTrainer : IRatingTrainer
{
    /// <summary>The model's name in the <see cref="ModelCatalog"/> (and in saved model files).</summary>
    public const string ModelName = "mean";

    /// <summary>The model's entry in the <see cref="ModelCatalog"/>: its name, description, options and loader.</summary>
    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.CreateRating<GlobalMeanOptions>(
        ModelName, "the mean training rating (reference)", _ => new GlobalMeanTrainer(), r => FactorRatingModel.Load(r, ModelName));

    /// <inheritdoc />
    public string Name => ModelName;

    /// <inheritdoc />
    public IRatingPredictor Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var d = new RatingTrainingData(data);
        return new FactorRatingModel(Name, data.MemberIds, data.TitleIds, d.Mean, new float[d.Members],
            new float[d.Titles], 0, [], [], d.MinRating, d.MaxRating);
    }
}

/// <summary>The global mean takes no parameters.</summary>
internal sealed record GlobalMeanOptions;
