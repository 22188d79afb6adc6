namespace Encore.Evaluation.Rating;

/// <summary>Error of predicted against true ratings.</summary>
internal static class RatingMetrics
{
    public static double Rmse(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        Check(predicted, actual);
        double sum = 0;
        for (int k = 0; k < actual.Length; k++)
        {
            double e = predicted[k] - actual[k];
            sum += e * e;
        }
        return Math.Sqrt(sum / actual.Length);
    }

    public static double Mae(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        Check(predicted, actual);
        double sum = 0;
        for (int k = 0; k < actual.Length; k++) sum += Math.Abs(predicted[k] - actual[k]);
        return sum / actual.Length;
    }

    private static void Check(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        if (predicted.Length != actual.Length) throw new ArgumentException($"{predicted.Length} predictions for {actual.Length} ratings");
        if (actual.Length == 0) throw new ArgumentException("no ratings to score");
        foreach (var p in predicted)
            if (!float.IsFinite(p)) throw new ArgumentException($"a prediction is {p}; every prediction must be finite");
    }
}
