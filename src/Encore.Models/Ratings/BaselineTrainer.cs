using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>Options of the damped user + title baseline.</summary>
/// <param name="UserDamping">Pseudo-count that shrinks a member's bias toward 0 (default 5).</param>
/// <param name="TitleDamping">Pseudo-count that shrinks a title's bias toward 0 (default 5).</param>
/// <param name="Iterations">Alternating passes (titles, then members). 1 (default) is the classic
/// damped means; more passes converge to the regularized least-squares biases, as Surprise's ALS baseline.</param>
public sealed record BaselineOptions(float UserDamping = 5, float TitleDamping = 5, int Iterations = 1)
{
    public static BaselineOptions FromParameters(IReadOnlyDictionary<string, string>? parameters)
    {
        var p = new RatingParameters(BaselineTrainer.ModelName, parameters);
        var o = new BaselineOptions(
            UserDamping: p.Float("user_damping", 5, 0, 1e6f),
            TitleDamping: p.Float("title_damping", 5, 0, 1e6f),
            Iterations: p.Int("iterations", 1, 1, 1000));
        p.EnsureAllRead();
        return o;
    }
}

/// <summary>
/// Damped biases: <c>b_i = Σ(r - μ - b_u) / (n_i + λ_i)</c>, <c>b_u = Σ(r - μ - b_i) / (n_u + λ_u)</c>, by
/// alternating exact minimization (ALS), each step closed-form.
/// </summary>
public sealed class BaselineTrainer(BaselineOptions? options = null) : IRatingTrainer
{
    public const string ModelName = "baseline";

    public BaselineOptions Options { get; } = options ?? new BaselineOptions();
    public string Name => ModelName;

    public IRatingPredictor Fit(InteractionMatrix data, CancellationToken ct = default)
    {
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
