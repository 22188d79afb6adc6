using Encore.Core;

namespace Encore.Models.Popularity;

/// <summary>Non-personalized popularity: interaction counts per title, optionally decayed exponentially in time.</summary>
internal sealed class PopularityTrainer(PopularityOptions? options = null) : IRecommenderTrainer
{
    public const string ModelName = "popularity";

    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.Create<PopularityOptions>(
        ModelName, "interaction counts per title, optionally time-decayed (half-life in days)",
        o => new PopularityTrainer(o), PopularityRecommender.Load);

    public PopularityOptions Options { get; } = options ?? new PopularityOptions();

    public string Name => ModelName;

    public IRecommender Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        data = data.WithoutNegatives(); // this model learns from positive evidence only
        Options.Validate();
        var scores = new float[data.Columns];
        var cols = data.ColumnIndices;
        var vals = data.Values;
        if (Options.HalfLifeDays > 0)
        {
            var times = data.Timestamps ?? throw new InvalidOperationException("popularity: half-life-days is set but the training data has no timestamps");
            long latest = long.MinValue;
            foreach (var t in times) latest = Math.Max(latest, t);
            double decayPerSecond = Math.Log(2) / (Options.HalfLifeDays * 86400.0);
            // Accumulate in double: many small decayed terms.
            var sums = new double[data.Columns];
            for (int p = 0; p < cols.Length; p++)
            {
                if ((p & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
                double w = Options.UseWeights ? vals[p] : 1.0;
                sums[cols[p]] += w * Math.Exp(-decayPerSecond * (latest - times[p]));
            }
            for (int c = 0; c < scores.Length; c++) scores[c] = (float)sums[c];
        }
        else
        {
            for (int p = 0; p < cols.Length; p++)
            {
                if ((p & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
                scores[cols[p]] += Options.UseWeights ? vals[p] : 1f;
            }
        }
        return new PopularityRecommender(data.MemberIds, data.TitleIds, scores, MemberHistory.From(data));
    }
}
