using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>Predicts the mean training rating for every pair: the reference every other model must beat.</summary>
public sealed class GlobalMeanTrainer : IRatingTrainer
{
    public const string ModelName = "mean";

    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.CreateRating<GlobalMeanOptions>(
        ModelName, "the mean training rating (reference)", _ => new GlobalMeanTrainer(), r => FactorRatingModel.Load(r, ModelName));

    public string Name => ModelName;

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
