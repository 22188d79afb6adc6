namespace Encore.Signals;

/// <summary>
/// How raw events are grouped and read before any weighting: the definitions behind the features, not tuned
/// parameters (those are in <see cref="PreferenceOptions"/>). The defaults follow common practice in streaming
/// analytics and are stated with each.
/// </summary>
public sealed record SignalOptions
{
    /// <summary>The defaults, as documented with each option.</summary>
    public static readonly SignalOptions Default = new();

    /// <summary>A device that is silent for longer starts a new viewing session on its next event (30 minutes, as web analytics counts sessions).</summary>
    public TimeSpan SessionGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>A stop at or beyond this share of the runtime counts as a completion, for data that sends no completion events (0.9: the credits).</summary>
    public double CompletionShare { get; init; } = 0.9;

    /// <summary>The next episode started within this time after the previous one ended (or its credits were skipped) is a binge continuation.</summary>
    public TimeSpan BingeWindow { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>A replay event this close after a backward seek to the same place is the same scene replay, not a second one.</summary>
    public TimeSpan SceneReplayMerge { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A backward seek shorter than this is a nudge, not a scene replay.</summary>
    public double MinSceneReplaySeconds { get; init; } = 5;

    /// <summary>The half-life of a member's decayed session count (<see cref="SignalSet.RecentSessionsOf"/>): a week, the span of a streaming habit.</summary>
    public TimeSpan ActivityHalfLife { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How many of a member's latest searches the profile keeps.</summary>
    public int RecentQueries { get; init; } = 20;

    /// <summary>Throws with the option named when a value is out of range.</summary>
    public void Validate()
    {
        if (SessionGap <= TimeSpan.Zero) throw new ArgumentException($"session gap must be positive (got {SessionGap})", nameof(SessionGap));
        if (!(CompletionShare > 0 && CompletionShare <= 1)) throw new ArgumentException($"completion share must be in (0, 1] (got {CompletionShare})", nameof(CompletionShare));
        if (BingeWindow < TimeSpan.Zero) throw new ArgumentException($"binge window must not be negative (got {BingeWindow})", nameof(BingeWindow));
        if (SceneReplayMerge < TimeSpan.Zero) throw new ArgumentException($"scene replay merge must not be negative (got {SceneReplayMerge})", nameof(SceneReplayMerge));
        if (!(MinSceneReplaySeconds >= 0)) throw new ArgumentException($"minimum scene replay must be >= 0 s (got {MinSceneReplaySeconds})", nameof(MinSceneReplaySeconds));
        if (ActivityHalfLife <= TimeSpan.Zero) throw new ArgumentException($"activity half-life must be positive (got {ActivityHalfLife})", nameof(ActivityHalfLife));
        if (RecentQueries < 0) throw new ArgumentException($"recent queries must be >= 0 (got {RecentQueries})", nameof(RecentQueries));
    }
}
