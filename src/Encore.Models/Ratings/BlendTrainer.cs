using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// A linear blend of rating models (as in the Netflix Prize solutions): each component is fitted on the
/// training ratings less a seeded held-out share; the weights (with an intercept) are fitted by ridge
/// regression of the held-out ratings on the components' predictions; then every component is refitted on
/// all the training ratings and the blend applies those weights. Only the training data is ever used.
/// </summary>
internal sealed class BlendTrainer(BlendOptions? options = null) : IRatingTrainer
{
    public const string ModelName = "blend";

    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.CreateRating(
        ModelName, "linear blend of rating models fitted on a held-out share of the training ratings (component.key=value sets a component's parameter)",
        o => new BlendTrainer(o), r => BlendRatingModel.Load(r, ModelName), BlendOptions.Bind);

    public BlendOptions Options { get; } = options ?? new BlendOptions();
    public string Name => ModelName;

    public IRatingPredictor Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        Options.Validate();
        var o = Options;
        var trainers = new IRatingTrainer[o.Components.Count];
        for (int m = 0; m < trainers.Length; m++)
        {
            o.ComponentParameters.TryGetValue(o.Components[m], out var parameters);
            trainers[m] = ModelCatalog.CreateRatingTrainer(o.Components[m], parameters);
        }
        var range = new RatingTrainingData(data);
        var holdout = RatingHoldout.Split(data, o.ValidationFraction, o.Seed);
        int n = holdout.Ratings.Length, width = trainers.Length + 1;
        if (n < 10 * width)
            throw new ArgumentException($"blend: only {n} ratings were held out to fit {width} weights; the training matrix ({data.NonZeros} ratings) is too small to blend, or raise 'validation'");
        var gram = new double[width * width];
        var moment = new double[width];
        var predictions = new float[trainers.Length][];
        for (int m = 0; m < trainers.Length; m++)
        {
            ct.ThrowIfCancellationRequested();
            predictions[m] = new float[n];
            trainers[m].Fit(holdout.Train, ct).PredictMany(holdout.Members, holdout.Titles, predictions[m]);
        }
        Span<double> x = stackalloc double[width];
        for (int k = 0; k < n; k++)
        {
            x[0] = 1;
            for (int m = 0; m < trainers.Length; m++) x[m + 1] = predictions[m][k];
            for (int a = 0; a < width; a++)
            {
                moment[a] += x[a] * holdout.Ratings[k];
                for (int b = 0; b < width; b++) gram[a * width + b] += x[a] * x[b];
            }
        }
        for (int a = 1; a < width; a++) gram[a * width + a] += o.Ridge;
        gram[0] += 1e-9; // keeps the intercept's pivot positive on degenerate input
        if (!DenseSpd.Cholesky(gram, width)) throw new InvalidOperationException("blend: the components' held-out predictions are collinear; raise 'ridge'");
        DenseSpd.SolveLower(gram, width, moment);
        DenseSpd.SolveLowerTransposed(gram, width, moment);

        var components = new IRatingPredictor[trainers.Length];
        for (int m = 0; m < trainers.Length; m++)
        {
            ct.ThrowIfCancellationRequested();
            components[m] = trainers[m].Fit(data, ct);
        }
        return new BlendRatingModel(Name, data.MemberIds, data.TitleIds, (float)moment[0],
            Array.ConvertAll(moment[1..], w => (float)w), components, range.MinRating, range.MaxRating);
    }
}
