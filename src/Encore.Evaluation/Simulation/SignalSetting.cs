namespace Encore.Evaluation.Simulation;

/// <summary>
/// Which raw signals of the event log feed the preference weights a model is fitted on (the P-SIM ablation).
/// Each setting turns one member's aggregated behaviour with one title into a weight, or 0 to leave the pair out.
/// </summary>
public sealed record SignalSetting(string Name, string Description, Func<PairSignals, float> Weight)
{
    /// <summary>A title played at all counts once.</summary>
    public static readonly SignalSetting Plays = new("plays", "1 for every title started (play or replay)",
        s => s.Starts > 0 ? 1f : 0f);

    /// <summary>Watch time, in units of the title's (episode) runtime.</summary>
    public static readonly SignalSetting WatchTime = new("watch-time", "watched time / runtime (episodes for a series)",
        s => s.Starts > 0 ? Math.Max(0.05f, s.WatchedRuntimes) : 0f);

    /// <summary>Only titles watched to the credits, weighted by how often.</summary>
    public static readonly SignalSetting Completions = new("completions", "number of completions (titles never completed left out)",
        s => s.Completions);

    /// <summary>Only explicit ratings of 4 or more (as P-TOPN uses MovieLens).</summary>
    public static readonly SignalSetting Ratings = new("ratings", "1 for a rating of 4 or more (other pairs left out)",
        s => s.Rating >= 4 ? 1f : 0f);

    /// <summary>Every signal: watch time, completion, replays, skipped credits (binge), ratings, early abandonment.</summary>
    public static readonly SignalSetting All = new("all",
        "1 + watch time + completion + 0.5 per replay + 0.3 per skipped credits + (rating - 3) / 2; 0.2 when dropped early",
        s =>
        {
            if (s.Starts == 0) return 0f;
            if (s.Completions == 0 && s.WatchedRuntimes < 0.1f && !(s.Rating >= 4)) return 0.2f;
            float w = 1f + Math.Min(s.WatchedRuntimes, 10f) + (s.Completions > 0 ? 1f : 0f) + 0.5f * Math.Min(s.Replays, 6)
                + 0.3f * Math.Min(s.SkippedCredits, 10);
            if (!float.IsNaN(s.Rating)) w += (s.Rating - 3f) / 2f;
            return Math.Max(0.05f, w);
        });

    public static IReadOnlyList<SignalSetting> Catalogue { get; } = [Plays, WatchTime, Completions, Ratings, All];

    public static SignalSetting Get(string name) =>
        Catalogue.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown signal setting '{name}'; known: {string.Join(", ", Catalogue.Select(s => s.Name))}", nameof(name));
}

/// <summary>What one member did with one title over a period, from the raw events.</summary>
public struct PairSignals
{
    /// <summary>Plays started (including replays).</summary>
    public int Starts;
    public int Completions;
    public int Replays;
    public int SkippedCredits;
    /// <summary>Watched seconds over the title's (episode) runtime.</summary>
    public float WatchedRuntimes;
    /// <summary>The latest rating, NaN when none.</summary>
    public float Rating;
    public long LastUnixSeconds;
}
