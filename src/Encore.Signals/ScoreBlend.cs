namespace Encore.Signals;

/// <summary>
/// Helpers for adding signals to a model's scores on one scale: a model's scores are standardized (mean 0, standard
/// deviation 1 over the titles not masked) before context lifts or exposure are added, so their weights mean the same
/// whatever the model's score range.
/// </summary>
public static class ScoreBlend
{
    /// <summary>Standardizes the finite scores in place (masked titles, -infinity, stay masked).</summary>
    public static void Standardize(Span<float> scores)
    {
        double sum = 0, squares = 0;
        int n = 0;
        foreach (var s in scores)
        {
            if (!float.IsFinite(s)) continue;
            sum += s;
            squares += (double)s * s;
            n++;
        }
        if (n == 0) return;
        double mean = sum / n;
        double sd = n < 2 ? 1 : Math.Sqrt(Math.Max(squares / n - mean * mean, 0));
        if (!(sd > 1e-12)) sd = 1;
        for (int t = 0; t < scores.Length; t++)
            if (float.IsFinite(scores[t])) scores[t] = (float)((scores[t] - mean) / sd);
    }

    /// <summary>
    /// Adds <paramref name="weight"/> times log(1 + impressions) of each title over the last week (decayed) as of
    /// <paramref name="asOfMs"/>: how much the service shows a title now, which makes it likelier to be played.
    /// </summary>
    public static void AddExposure(Span<float> scores, TitleTrends trends, float weight, long asOfMs)
    {
        ArgumentNullException.ThrowIfNull(trends);
        if (weight == 0) return;
        int week = TitleTrends.HalfLives.Length - 1;
        for (int t = 0; t < scores.Length; t++)
            if (float.IsFinite(scores[t])) scores[t] += weight * (float)Math.Log(1 + trends.Impressions(t, week, asOfMs));
    }
}
