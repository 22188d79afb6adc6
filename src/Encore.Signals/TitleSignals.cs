namespace Encore.Signals;

/// <summary>
/// Everything one member did with one title, folded from the member's events in time order: the features that
/// <see cref="PreferenceModel"/> turns into a confidence weight or negative evidence. For a series the counts
/// add up over its episodes; the per-episode detail (watched share, completion) is folded into
/// <see cref="EpisodeShareSum"/>, <see cref="EpisodesStarted"/> and <see cref="EpisodesCompleted"/>.
/// Times are Unix milliseconds; a field never touched keeps its zero (or NaN for <see cref="Rating"/>).
/// </summary>
public struct TitleSignals
{
    /// <summary>Playbacks begun: play starts and whole-title replays.</summary>
    public int Starts;
    /// <summary>Whole-title replays: a replay from the start, or a start after the title was completed.</summary>
    public int TitleReplays;
    /// <summary>Scene replays: backward seeks over parts already seen (and replay events of a scene).</summary>
    public int SceneReplays;
    /// <summary>Completions: completion events, and stops past <see cref="SignalOptions.CompletionShare"/> of the runtime.</summary>
    public int Completions;
    /// <summary>Distinct episodes begun and completed (a film counts as one episode of itself).</summary>
    public int EpisodesStarted;
    /// <summary>Distinct episodes completed (a film counts as one episode of itself).</summary>
    public int EpisodesCompleted;
    /// <summary>Sum over the episodes begun (or the film) of the share of its runtime watched, each at most 1.</summary>
    public float EpisodeShareSum;
    /// <summary>Seconds watched in all (rewatched parts count again).</summary>
    public float WatchedSeconds;
    /// <summary>The furthest share of the runtime reached in any one episode (or the film), at most 1.</summary>
    public float FurthestShare;
    /// <summary>Viewing sessions in which the title was played.</summary>
    public int Sessions;
    /// <summary>First and last event about the title (any kind but impressions), and the last playback event.</summary>
    public long FirstMs;
    /// <summary>The last event about the title (any kind but impressions), in Unix milliseconds.</summary>
    public long LastMs;
    /// <summary>The last playback event, in Unix milliseconds.</summary>
    public long LastPlayMs;
    /// <summary>Pauses during playback.</summary>
    public int Pauses;
    /// <summary>Seconds spent paused in all.</summary>
    public float PauseSeconds;
    /// <summary>The longest single pause, in seconds.</summary>
    public float LongestPauseSeconds;
    /// <summary>Forward seeks, and the seconds they skipped.</summary>
    public int ForwardSeeks;
    /// <summary>Seconds skipped by forward seeks.</summary>
    public float SkippedSeconds;
    /// <summary>Times the opening titles were skipped.</summary>
    public int SkippedIntros;
    /// <summary>Times the end credits were skipped.</summary>
    public int SkippedCredits;
    /// <summary>Times the next episode followed the previous one within <see cref="SignalOptions.BingeWindow"/> (bingeing).</summary>
    public int NextEpisodeFollowed;
    /// <summary>The member's latest rating, NaN when none, and when it was given.</summary>
    public float Rating;
    /// <summary>When the latest rating was given, in Unix milliseconds.</summary>
    public long RatedMs;
    /// <summary>Searches whose chosen result was this title.</summary>
    public int SearchLed;
    /// <summary>
    /// Searches whose query named this title clearly (<see cref="IQueryResolver"/>) but that played nothing or another
    /// title: the member looked for it by name.
    /// </summary>
    public int SearchIntent;
    /// <summary>Times the title was shown to the member (impressions), and of those the ones since its latest playback (shown and passed over).</summary>
    public int Impressions;
    /// <summary>Impressions since the latest playback: shown and passed over.</summary>
    public int ImpressionsSincePlay;
    /// <summary>Devices the title was played on (bit per <see cref="Encore.Core.DeviceKind"/>).</summary>
    public byte Devices;
    /// <summary>Parts of the day the title was played in (bit per <see cref="Dayparts"/> index).</summary>
    public byte DayParts;
    /// <summary>
    /// Where the member is in the title, for Continue Watching: the episode of the latest playback event (-1 for a
    /// film or none), whether that episode (or the film) was then watched to the end, the position reached in it
    /// (seconds), and the device and UTC hour of the latest playback.
    /// </summary>
    public int LastEpisode;
    /// <summary>Whether the episode of the latest playback (or the film) was then watched to the end.</summary>
    public bool LastEpisodeCompleted;
    /// <summary>The position reached in the episode of the latest playback (or the film), in seconds.</summary>
    public float LastPosition;
    /// <summary>The device of the latest playback (a <see cref="Encore.Core.DeviceKind"/> value).</summary>
    public byte LastDevice;
    /// <summary>The UTC hour of the latest playback.</summary>
    public byte LastHour;

    /// <summary>The member's session in which the title was last counted (for <see cref="Sessions"/>); kept when the signals are serialized (a member's timeline crossing a cluster).</summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal int LastSession;

    /// <summary>The signals of a pair with no events: no rating (NaN), no session, no episode.</summary>
    public static TitleSignals Empty => new() { Rating = float.NaN, LastSession = -1, LastEpisode = -1 };

    /// <summary>
    /// The member's session count (<see cref="SignalSet.SessionsOf"/>) when the title was last played: the sessions since then
    /// are that count's growth (sessions in which the member chose something else).
    /// </summary>
    public readonly int LastSessionNumber => LastSession;

    /// <summary>Whether the member ever began playing the title.</summary>
    public readonly bool Played => Starts > 0;

    /// <summary>Mean share of each begun episode (or of the film) that was watched, 0..1.</summary>
    public readonly float WatchShare => EpisodesStarted == 0 ? 0f : EpisodeShareSum / EpisodesStarted;

    /// <summary>Whether any episode (or the film) was watched to the end.</summary>
    public readonly bool Completed => Completions > 0;

    /// <summary>Days between the last playback and <paramref name="asOfMs"/> (never negative; infinity when never played).</summary>
    public readonly double DaysSincePlay(long asOfMs) => Starts == 0 ? double.PositiveInfinity : Math.Max(0, asOfMs - LastPlayMs) / 86_400_000.0;
}

/// <summary>The parts of the day used for context (UTC hours, as the events carry no time zone).</summary>
public static class Dayparts
{
    /// <summary>How many parts of the day there are.</summary>
    public const int Count = 6;

    /// <summary>The parts' names, by index.</summary>
    public static readonly string[] Names = ["night", "morning", "late-morning", "midday", "afternoon", "evening"];

    /// <summary>0: 0-6 h, 1: 6-9 h, 2: 9-12 h, 3: 12-14 h, 4: 14-18 h, 5: 18-24 h.</summary>
    public static int Of(int hour) => hour switch
    {
        < 6 => 0,
        < 9 => 1,
        < 12 => 2,
        < 14 => 3,
        < 18 => 4,
        _ => 5,
    };

    /// <summary>The part of the day (index) of a time in Unix milliseconds, by its UTC hour.</summary>
    public static int OfUnixMs(long ms) => Of((int)(((ms % 86_400_000) + 86_400_000) % 86_400_000 / 3_600_000));
}
