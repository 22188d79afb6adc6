using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// A validation split carved out of a training matrix only (never the test data): a seeded random share of
/// its entries is held out, the rest stays for fitting. Both keep the original id maps, so held-out pairs
/// index the fitted model directly (a member whose every rating was held out gets the fallback).
/// </summary>
public sealed record RatingHoldout(InteractionMatrix Train, int[] Members, int[] Titles, float[] Ratings)
{
    /// <summary>Holds out about <paramref name="fraction"/> of the ratings of <paramref name="data"/>, drawn with <paramref name="seed"/>; the rest is <see cref="Train"/>.</summary>
    public static RatingHoldout Split(InteractionMatrix data, double fraction, long seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the held-out share must be in (0, 1)");
        var ratings = data.Ratings ?? data.Values;
        var random = SeededRandom.For(seed, 0x5EED);
        var held = new bool[data.NonZeros];
        int heldCount = 0;
        for (int n = 0; n < held.Length; n++)
        {
            if (random.NextDouble() < fraction)
            {
                held[n] = true;
                heldCount++;
            }
        }
        int keep = data.NonZeros - heldCount;
        var pointers = new int[data.Rows + 1];
        var cols = new int[keep];
        var values = new float[keep];
        var kept = new float[keep];
        var times = data.Timestamps is null ? null : new long[keep];
        var members = new int[heldCount];
        var titles = new int[heldCount];
        var truth = new float[heldCount];
        int k = 0, h = 0;
        for (int u = 0; u < data.Rows; u++)
        {
            for (int n = data.RowPointers[u]; n < data.RowPointers[u + 1]; n++)
            {
                if (held[n])
                {
                    members[h] = u;
                    titles[h] = data.ColumnIndices[n];
                    truth[h++] = ratings[n];
                    continue;
                }
                cols[k] = data.ColumnIndices[n];
                values[k] = data.Values[n];
                kept[k] = ratings[n];
                if (times is not null) times[k] = data.Timestamps![n];
                k++;
            }
            pointers[u + 1] = k;
        }
        var train = new InteractionMatrix(data.MemberIds, data.TitleIds, pointers, cols, values, kept, times);
        return new RatingHoldout(train, members, titles, truth);
    }

    /// <summary>Root mean squared error of <paramref name="model"/> on the held-out ratings.</summary>
    public double Rmse(IRatingPredictor model)
    {
        var predicted = new float[Ratings.Length];
        model.PredictMany(Members, Titles, predicted);
        double sum = 0;
        for (int n = 0; n < predicted.Length; n++)
        {
            double e = predicted[n] - Ratings[n];
            sum += e * e;
        }
        return Math.Sqrt(sum / Math.Max(1, predicted.Length));
    }
}
