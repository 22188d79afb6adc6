using Encore.Signals;

namespace Encore.Ranking.ContinueWatching;

/// <summary>
/// The features of one Continue Watching candidate as of a time "now", from the member's signals before it: what
/// <see cref="ResumeModel"/> reads to predict that the member resumes the title within 7 days. Every feature is
/// observable (no hidden truth) and is the same at training time (a cut in the log) and when a row is served.
/// </summary>
/// <remarks>
/// The features, by index (<see cref="Names"/>):
/// <list type="number">
/// <item><c>progress</c>: the share of the entry's episode (or the film) before the resume position; 0 for a next episode.</item>
/// <item><c>next-episode</c>: 1 when the latest episode was finished and the entry is the next one.</item>
/// <item><c>series</c>: 1 for a series, 0 for a film.</item>
/// <item><c>log-days-idle</c>: log(1 + days since the title was last played).</item>
/// <item><c>days-idle</c>: the same days, capped at 30.</item>
/// <item><c>series-position</c>: the entry's place in the series (its ordinal over the episode count); 0 for a film.</item>
/// <item><c>log-episodes-begun</c>, <c>log-episodes-completed</c>: log(1 + episodes begun), log(1 + episodes completed) - how the previous episodes went.</item>
/// <item><c>episode-completion</c>: episodes completed over episodes begun.</item>
/// <item><c>watch-share</c>: the mean share watched of each begun episode (or of the film).</item>
/// <item><c>furthest-share</c>: the furthest share reached in any one episode.</item>
/// <item><c>pauses-per-episode</c>: pauses over episodes begun (at most 10).</item>
/// <item><c>binge-per-episode</c>: next episodes started within the binge window, skipped credits and intros, over episodes begun (at most 3).</item>
/// <item><c>log-scene-replays</c>: log(1 + scene replays).</item>
/// <item><c>skipped-share</c>: the share of the seconds seen that forward seeks skipped.</item>
/// <item><c>log-sessions</c>: log(1 + sessions the title was played in).</item>
/// <item><c>log-sessions-since-play</c>: log(1 + the member's sessions since the title's latest playback): sessions spent on something else.</item>
/// <item><c>log-impressions-since-play</c>: log(1 + times the title was shown to the member since its latest playback): offered and passed over.</item>
/// <item><c>rating</c>: stars - 3 of the member's rating (0 when none); <c>rated</c>: 1 when rated.</item>
/// <item><c>device-phone</c> ... <c>device-console</c>: the device of the latest playback (a TV is all zeros).</item>
/// <item><c>hour-morning</c> ... <c>hour-evening</c>: the part of the day (UTC) of the latest playback (night is all zeros).</item>
/// <item><c>switched-away</c>: 1 when the member began or played another title within the hour after this one's latest
/// playback (moved on to something else rather than running out of time).</item>
/// <item><c>member-log-days-idle</c>: log(1 + days since the member last played anything).</item>
/// <item><c>member-log-recent-titles</c>: log(1 + titles the member played in the 7 days before now).</item>
/// <item><c>member-sessions-per-day</c>: the member's viewing sessions over the days since their first event (at most 10).</item>
/// <item><c>member-log-recent-sessions</c>: log(1 + the member's sessions decayed by half a week, <see cref="SignalSet.RecentSessionsOf"/>).</item>
/// <item><c>member-completion</c>: episodes completed over episodes begun, over all the member's titles.</item>
/// <item><c>member-multi-session-share</c>: the share of the member's played titles played in more than one session (a member who comes back to things).</item>
/// <item><c>member-log-impressions-per-title</c>: log(1 + titles shown to the member over titles played): how choosy the member is.</item>
/// <item><c>member-log-candidates</c>: log(1 + titles in the member's Continue Watching).</item>
/// <item><c>recency-rank</c>: the entry's place when the member's candidates are ordered by recency (0 = latest), at most 10, over 10;
/// <c>log-recency-rank</c>: log(1 + that place); <c>recency-rank-0</c> ... <c>recency-rank-4</c>: 1 at that place (the first
/// entries of a row are the ones a member sees without scrolling, so the effect of the place is not smooth).</item>
/// <item><c>idle-under-1-day</c>, <c>idle-1-to-3-days</c>, <c>idle-3-to-7-days</c>, <c>idle-7-to-14-days</c>: the days since the title
/// was last played, in bands (with the two smooth forms above, a logistic model can bend the decay).</item>
/// </list>
/// </remarks>
public static class ResumeFeatures
{
    public static readonly string[] Names =
    [
        "progress", "next-episode", "series", "log-days-idle", "days-idle", "series-position", "log-episodes-begun", "log-episodes-completed",
        "episode-completion", "watch-share", "furthest-share", "pauses-per-episode", "binge-per-episode", "log-scene-replays",
        "skipped-share", "log-sessions", "log-impressions-since-play", "log-sessions-since-play", "rating", "rated",
        "device-phone", "device-tablet", "device-web", "device-console",
        "hour-morning", "hour-late-morning", "hour-midday", "hour-afternoon", "hour-evening",
        "switched-away",
        "member-log-days-idle", "member-log-recent-titles", "member-sessions-per-day", "member-log-recent-sessions", "member-completion",
        "member-multi-session-share", "member-log-impressions-per-title", "member-log-candidates",
        "recency-rank", "log-recency-rank", "recency-rank-0", "recency-rank-1", "recency-rank-2", "recency-rank-3", "recency-rank-4",
        "idle-under-1-day", "idle-1-to-3-days", "idle-3-to-7-days", "idle-7-to-14-days",
    ];

    /// <summary>Features per candidate.</summary>
    public static int Count => Names.Length;

    internal static readonly int EpisodesBegunIndex = Array.IndexOf(Names, "log-episodes-begun");
    internal static readonly int EpisodesCompletedIndex = Array.IndexOf(Names, "log-episodes-completed");
    internal static readonly int FurthestShareIndex = Array.IndexOf(Names, "furthest-share");

    /// <summary>
    /// The signals' early-abandonment rule on a candidate's features: at most one episode begun (or the film), none
    /// completed, never past <paramref name="share"/> of it, and not played for <paramref name="days"/> days
    /// (<paramref name="daysIdle"/>); as <see cref="PreferenceModel"/> reads negative evidence.
    /// </summary>
    public static bool AbandonedEarly(ReadOnlySpan<float> features, double daysIdle, float share, float days)
        => share > 0 && features[EpisodesCompletedIndex] == 0 && features[EpisodesBegunIndex] <= MathF.Log(2) + 1e-6f
            && features[FurthestShareIndex] < share && daysIdle >= days;

    private const double DayMs = 86_400_000.0;

    /// <summary>
    /// Writes the features of <paramref name="candidates"/> (one member's, as <see cref="ContinueWatchingCandidates.Collect"/>
    /// gives them: most recently played first) as of <paramref name="nowMs"/> into <paramref name="features"/>, row by row
    /// (<see cref="Count"/> per candidate).
    /// </summary>
    public static void Compute(SignalSet signals, int member, long nowMs, IReadOnlyList<ContinueWatchingCandidate> candidates, Span<float> features)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(candidates);
        int f = Count;
        if (features.Length < candidates.Count * f)
            throw new ArgumentException($"features holds {features.Length} values; {candidates.Count} candidates need {candidates.Count * f}", nameof(features));
        if (candidates.Count == 0) return;
        var titles = signals.TitlesOf(member);
        var m = MemberContext.Of(signals, member, titles, nowMs, candidates.Count);
        for (int i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            Write(signals.Catalogue, c, i, m, SwitchedAway(signals, member, titles, c.Title, c.LastPlayMs), nowMs, features.Slice(i * f, f));
        }
    }

    /// <summary>What the member-level features need, computed once per member and row.</summary>
    private readonly record struct MemberContext(int Sessions, float LogDaysIdle, float LogRecentTitles, float SessionsPerDay, float LogRecentSessions,
        float Completion, float MultiSessionShare, float LogImpressionsPerTitle, float LogCandidates)
    {
        public static MemberContext Of(SignalSet signals, int member, IReadOnlyList<int> titles, long nowMs, int candidates)
        {
            long last = long.MinValue, first = long.MaxValue;
            int recent = 0, played = 0, multi = 0;
            long started = 0, completed = 0, impressions = 0;
            long weekAgo = nowMs - 7 * 86_400_000L;
            for (int i = 0; i < titles.Count; i++)
            {
                var s = signals.Get(member, titles[i]);
                if (s.FirstMs != 0 && s.FirstMs < first) first = s.FirstMs;
                impressions += s.Impressions;
                if (!s.Played) continue;
                played++;
                if (s.Sessions > 1) multi++;
                if (s.LastPlayMs > last) last = s.LastPlayMs;
                if (s.LastPlayMs >= weekAgo) recent++;
                started += s.EpisodesStarted;
                completed += s.EpisodesCompleted;
            }
            double idle = last == long.MinValue ? 365 : Math.Max(0, nowMs - last) / DayMs;
            double tenure = first == long.MaxValue ? 1 : Math.Max(1, (nowMs - first) / DayMs);
            return new MemberContext(
                signals.SessionsOf(member),
                (float)Math.Log(1 + idle),
                (float)Math.Log(1 + recent),
                (float)Math.Min(10, signals.SessionsOf(member) / tenure),
                (float)Math.Log(1 + signals.RecentSessionsOf(member, nowMs)),
                started == 0 ? 0f : (float)completed / started,
                played == 0 ? 0f : (float)multi / played,
                (float)Math.Log(1 + (double)impressions / Math.Max(1, played)),
                (float)Math.Log(1 + candidates));
        }
    }

    /// <summary>Whether another of the member's titles was begun or played within the hour after <paramref name="title"/>'s latest playback.</summary>
    private static bool SwitchedAway(SignalSet signals, int member, IReadOnlyList<int> titles, int title, long lastPlayMs)
    {
        long until = lastPlayMs + 3_600_000L;
        for (int i = 0; i < titles.Count; i++)
        {
            if (titles[i] == title) continue;
            var s = signals.Get(member, titles[i]);
            if (!s.Played) continue;
            if ((s.FirstMs > lastPlayMs && s.FirstMs <= until) || (s.LastPlayMs > lastPlayMs && s.LastPlayMs <= until)) return true;
        }
        return false;
    }

    private static void Write(SignalCatalogue catalogue, in ContinueWatchingCandidate c, int rank, in MemberContext m, bool switched, long nowMs, Span<float> x)
    {
        var s = c.Signals;
        int runtime = catalogue.PlayableRuntime(c.Title, c.Episode);
        bool series = c.Episode >= 0;
        double idle = Math.Max(0, nowMs - s.LastPlayMs) / DayMs;
        float begun = Math.Max(1, s.EpisodesStarted);
        float seen = s.WatchedSeconds + s.SkippedSeconds;
        bool rated = !float.IsNaN(s.Rating);
        int episodes = series ? catalogue.EpisodeCount[c.Title] : 0;

        int k = 0;
        x[k++] = c.Action == ContinueAction.Resume && runtime > 0 ? Math.Clamp(c.Position / runtime, 0f, 1f) : 0f;
        x[k++] = c.Action == ContinueAction.NextEpisode ? 1f : 0f;
        x[k++] = series ? 1f : 0f;
        x[k++] = (float)Math.Log(1 + idle);
        x[k++] = (float)Math.Min(30, idle);
        x[k++] = series && episodes > 0 ? (float)catalogue.EpisodeOrdinal[c.Episode] / episodes : 0f;
        x[k++] = MathF.Log(1 + s.EpisodesStarted);
        x[k++] = MathF.Log(1 + s.EpisodesCompleted);
        x[k++] = s.EpisodesCompleted / begun;
        x[k++] = s.WatchShare;
        x[k++] = s.FurthestShare;
        x[k++] = Math.Min(10f, s.Pauses / begun);
        x[k++] = Math.Min(3f, (s.NextEpisodeFollowed + s.SkippedCredits + s.SkippedIntros) / begun);
        x[k++] = MathF.Log(1 + s.SceneReplays);
        x[k++] = seen > 0 ? s.SkippedSeconds / seen : 0f;
        x[k++] = MathF.Log(1 + s.Sessions);
        x[k++] = MathF.Log(1 + s.ImpressionsSincePlay);
        x[k++] = MathF.Log(1 + Math.Max(0, m.Sessions - s.LastSessionNumber));
        x[k++] = rated ? s.Rating - 3f : 0f;
        x[k++] = rated ? 1f : 0f;
        for (int d = 1; d <= 4; d++) x[k++] = s.LastDevice == d ? 1f : 0f;
        int part = Dayparts.Of(s.LastHour);
        for (int p = 1; p <= 5; p++) x[k++] = part == p ? 1f : 0f;
        x[k++] = switched ? 1f : 0f;
        x[k++] = m.LogDaysIdle;
        x[k++] = m.LogRecentTitles;
        x[k++] = m.SessionsPerDay;
        x[k++] = m.LogRecentSessions;
        x[k++] = m.Completion;
        x[k++] = m.MultiSessionShare;
        x[k++] = m.LogImpressionsPerTitle;
        x[k++] = m.LogCandidates;
        x[k++] = Math.Min(10, rank) / 10f;
        x[k++] = MathF.Log(1 + rank);
        for (int r = 0; r <= 4; r++) x[k++] = rank == r ? 1f : 0f;
        x[k++] = idle < 1 ? 1f : 0f;
        x[k++] = idle is >= 1 and < 3 ? 1f : 0f;
        x[k++] = idle is >= 3 and < 7 ? 1f : 0f;
        x[k++] = idle is >= 7 and < 14 ? 1f : 0f;
        System.Diagnostics.Debug.Assert(k == Names.Length);
    }
}
