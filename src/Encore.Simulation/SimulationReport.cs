using System.Runtime.CompilerServices;
using System.Globalization;
using System.Text;
using Encore.Core;

namespace Encore.Simulation;

/// <summary>
/// Collects the distributions of a run as it streams by (memory: a few counters per member and per title):
/// events per member, the popularity curve, completion by true enjoyment, sessions and hours per device,
/// where plays come from, binge, abandonment, search and rating rates.
/// </summary>
public sealed class SimulationReportSink : ISimulationSink
{
    /// <summary>Upper bounds of the true-utility bands for completion rates (the last band is open).</summary>
    public static readonly float[] UtilityBands = [-1f, 0f, 0.5f, 1f, 1.5f, float.PositiveInfinity];

    private int[] _eventsPerMember = [];
    private long[] _playsPerTitle = [];
    private readonly long[] _eventsByKind = new long[EventKinds.All.Length];
    private readonly long[] _sessionsByDevice = new long[5];
    private readonly double[] _hoursByDevice = new double[5];
    private readonly long[] _playsInBand = new long[UtilityBands.Length];
    private readonly long[] _completedInBand = new long[UtilityBands.Length];
    private readonly long[] _playsBySource = new long[3];
    private long _sessions, _abandoned, _abandonedBrowsing, _searches, _absentSearches, _searchesPlayed, _seriesPlays, _bingePlays;
    private long _replays, _lovedReplays, _likedSeriesSkipCredits, _seriesSkipCredits, _likedSeriesPlays;
    private double _abandonedBrowseSeconds, _abandonedTitles, _hours;
    private SimulatedService? _service;

    public ValueTask BeginAsync(SimulatedService service, CancellationToken ct)
    {
        _service = service;
        _eventsPerMember = new int[service.Members.Count];
        _playsPerTitle = new long[service.Catalogue.Count];
        return ValueTask.CompletedTask;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct)
    {
        foreach (var e in batch.EventList)
        {
            _eventsPerMember[e.Member]++;
            _eventsByKind[(int)e.Kind]++;
            if (e.Kind == EventKind.Search)
            {
                _searches++;
                if (e.Title >= 0) _searchesPlayed++;
            }
        }
        foreach (var s in batch.SessionList)
        {
            _sessions++;
            _sessionsByDevice[(int)s.Device]++;
            _hoursByDevice[(int)s.Device] += s.WatchSeconds / 3600.0;
            _hours += s.WatchSeconds / 3600.0;
            if (s.SearchedAbsentTitle) _absentSearches++;
            if (s.Plays == 0)
            {
                _abandoned++;
                if (s.TitlesLookedAt > 0)
                {
                    // Gave up on the homepage (not a failed search alone).
                    _abandonedBrowsing++;
                    _abandonedBrowseSeconds += s.BrowseSeconds;
                    _abandonedTitles += s.TitlesLookedAt;
                }
            }
        }
        var catalogue = _service!.Catalogue;
        foreach (var p in batch.PlayList)
        {
            if (p.FirstTime) _playsPerTitle[p.Title]++;
            _playsBySource[(int)p.Source]++;
            int band = 0;
            while (p.Utility > UtilityBands[band]) band++;
            _playsInBand[band]++;
            if (p.Completed) _completedInBand[band]++;
            if (p.Replay)
            {
                _replays++;
                if (p.Utility > GroundTruth.LikeThreshold) _lovedReplays++;
            }
            if (catalogue.IsSeries(p.Title))
            {
                _seriesPlays++;
                bool liked = p.Utility > GroundTruth.LikeThreshold;
                if (liked) _likedSeriesPlays++;
                if (p.Episodes >= 3) _bingePlays++;
                if (p.SkippedCredits)
                {
                    _seriesSkipCredits++;
                    if (liked) _likedSeriesSkipCredits++;
                }
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(CancellationToken ct) => ValueTask.CompletedTask;

    public SimulationReport Build()
    {
        var service = _service ?? throw new InvalidOperationException("the run has not started");
        var perMember = (int[])_eventsPerMember.Clone();
        Array.Sort(perMember);
        var perTitle = (long[])_playsPerTitle.Clone();
        Array.Sort(perTitle);
        Array.Reverse(perTitle);
        long totalPlays = 0;
        foreach (var c in perTitle) totalPlays += c;
        double Share(double fraction)
        {
            int top = Math.Max(1, (int)Math.Round(perTitle.Length * fraction));
            long s = 0;
            for (int i = 0; i < top; i++) s += perTitle[i];
            return totalPlays == 0 ? 0 : (double)s / totalPlays;
        }
        int unplayed = 0;
        foreach (var c in perTitle) if (c == 0) unplayed++;
        var completion = new double[UtilityBands.Length];
        for (int b = 0; b < completion.Length; b++) completion[b] = _playsInBand[b] == 0 ? double.NaN : (double)_completedInBand[b] / _playsInBand[b];
        long plays = _playsBySource[0] + _playsBySource[1] + _playsBySource[2];
        double hoursTotal = Math.Max(_hours, 1e-9);
        var events = new Dictionary<EventKind, long>();
        foreach (var k in EventKinds.All) events[k] = _eventsByKind[(int)k];
        var deviceSessions = new Dictionary<DeviceKind, double>();
        var deviceHours = new Dictionary<DeviceKind, double>();
        foreach (var d in SimMembers.Devices)
        {
            deviceSessions[d] = _sessions == 0 ? 0 : (double)_sessionsByDevice[(int)d] / _sessions;
            deviceHours[d] = _hoursByDevice[(int)d] / hoursTotal;
        }
        long activeMemberDays = 0;
        for (int m = 0; m < service.Members.Count; m++)
        {
            int from = service.Members.JoinDay[m], to = Math.Min(service.Options.Days, service.Members.ChurnDay[m]);
            activeMemberDays += Math.Max(0, to - from);
        }
        return new SimulationReport
        {
            Members = service.Members.Count,
            Titles = service.Catalogue.Count,
            Days = service.Options.Days,
            Seed = service.Options.Seed,
            EventsByKind = events,
            EventsPerMember = Percentiles(perMember),
            PlaysPerTitleTop = [.. perTitle.Take(10)],
            PlayShareTop1Percent = Share(0.01),
            PlayShareTop10Percent = Share(0.10),
            PlayShareTop20Percent = Share(0.20),
            TitlesNeverPlayed = unplayed,
            CompletionByUtility = completion,
            PlaysByUtility = [.. _playsInBand],
            SessionShareByDevice = deviceSessions,
            HoursShareByDevice = deviceHours,
            Sessions = _sessions,
            Plays = plays,
            HoursWatched = _hours,
            HoursPerMemberDay = activeMemberDays == 0 ? 0 : _hours / activeMemberDays,
            ShareFromRecommendations = plays == 0 ? 0 : (double)(_playsBySource[0] + _playsBySource[2]) / plays,
            ShareFromSearch = plays == 0 ? 0 : (double)_playsBySource[1] / plays,
            ShareFromContinueWatching = plays == 0 ? 0 : (double)_playsBySource[2] / plays,
            AbandonedSessionShare = _sessions == 0 ? 0 : (double)_abandoned / _sessions,
            AbandonedBrowseSeconds = _abandonedBrowsing == 0 ? 0 : _abandonedBrowseSeconds / _abandonedBrowsing,
            AbandonedTitlesLookedAt = _abandonedBrowsing == 0 ? 0 : _abandonedTitles / _abandonedBrowsing,
            BingeShareOfSeriesPlays = _seriesPlays == 0 ? 0 : (double)_bingePlays / _seriesPlays,
            Searches = _searches,
            AbsentTitleSearchShare = _searches == 0 ? 0 : (double)_absentSearches / _searches,
            SearchPlayRate = _searches == 0 ? 0 : (double)_searchesPlayed / _searches,
            Replays = _replays,
            SeriesPlays = _seriesPlays,
            SeriesPlaysSkippingCredits = _seriesSkipCredits,
            SessionsAbandonedOnHomepage = _abandonedBrowsing,
            LovedShareOfReplays = _replays == 0 ? 0 : (double)_lovedReplays / _replays,
            LikedShareOfSeriesPlays = _seriesPlays == 0 ? 0 : (double)_likedSeriesPlays / _seriesPlays,
            LikedShareOfSkipCredits = _seriesSkipCredits == 0 ? 0 : (double)_likedSeriesSkipCredits / _seriesSkipCredits,
        };
    }

    private static Dictionary<string, double> Percentiles(int[] sorted)
    {
        double At(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * (sorted.Length - 1) + 0.5))];
        double mean = 0;
        foreach (var v in sorted) mean += v;
        return new Dictionary<string, double>
        {
            ["mean"] = sorted.Length == 0 ? 0 : mean / sorted.Length,
            ["p10"] = At(0.10), ["p50"] = At(0.50), ["p90"] = At(0.90), ["p99"] = At(0.99), ["max"] = At(1.0),
        };
    }
}

/// <summary>The distributions of a simulated service (see <see cref="SimulationReportSink"/>).</summary>
public sealed record SimulationReport
{
    public int Members { get; init; }
    public int Titles { get; init; }
    public int Days { get; init; }
    public ulong Seed { get; init; }
    public required IReadOnlyDictionary<EventKind, long> EventsByKind { get; init; }
    public required IReadOnlyDictionary<string, double> EventsPerMember { get; init; }
    public required IReadOnlyList<long> PlaysPerTitleTop { get; init; }
    public double PlayShareTop1Percent { get; init; }
    public double PlayShareTop10Percent { get; init; }
    public double PlayShareTop20Percent { get; init; }
    public int TitlesNeverPlayed { get; init; }
    /// <summary>Share of plays reaching the credits, per band of true utility (see <see cref="SimulationReportSink.UtilityBands"/>).</summary>
    public required IReadOnlyList<double> CompletionByUtility { get; init; }
    public required IReadOnlyList<long> PlaysByUtility { get; init; }
    public required IReadOnlyDictionary<DeviceKind, double> SessionShareByDevice { get; init; }
    public required IReadOnlyDictionary<DeviceKind, double> HoursShareByDevice { get; init; }
    public long Sessions { get; init; }
    public long Plays { get; init; }
    public double HoursWatched { get; init; }
    public double HoursPerMemberDay { get; init; }
    /// <summary>Plays started from the homepage (rows and Continue Watching).</summary>
    public double ShareFromRecommendations { get; init; }
    public double ShareFromSearch { get; init; }
    public double ShareFromContinueWatching { get; init; }
    /// <summary>Sessions that ended without a play (the member gave up browsing).</summary>
    public double AbandonedSessionShare { get; init; }
    /// <summary>Browsing time before giving up, over sessions abandoned on the homepage.</summary>
    public double AbandonedBrowseSeconds { get; init; }
    public double AbandonedTitlesLookedAt { get; init; }
    /// <summary>Series plays with three or more episodes in one session.</summary>
    public double BingeShareOfSeriesPlays { get; init; }
    public long Searches { get; init; }
    public double AbsentTitleSearchShare { get; init; }
    public double SearchPlayRate { get; init; }
    /// <summary>
    /// Plays that replay a whole title the member had finished (each starts with one replay event). Not the number
    /// of replay events: most of those are scene replays (see <see cref="SceneReplayEvents"/>).
    /// </summary>
    public long Replays { get; init; }
    public double LovedShareOfReplays { get; init; }
    /// <summary>Plays of a series (one play: one member, one title, one session, however many episodes).</summary>
    public long SeriesPlays { get; init; }
    /// <summary>Series plays in which the member skipped the credits at least once (not skip_credits events).</summary>
    public long SeriesPlaysSkippingCredits { get; init; }
    /// <summary>Sessions that ended without a play after the member looked at titles on the homepage.</summary>
    public long SessionsAbandonedOnHomepage { get; init; }
    public double LikedShareOfSeriesPlays { get; init; }
    /// <summary>Share of <see cref="SeriesPlaysSkippingCredits"/> that are of a series the member truly likes.</summary>
    public double LikedShareOfSkipCredits { get; init; }

    public long TotalEvents => EventsByKind.Values.Sum();

    /// <summary>Every replay event: one per <see cref="Replays"/> (a title replayed) plus the scene replays.</summary>
    public long ReplayEvents => EventsByKind.GetValueOrDefault(EventKind.Replay);

    /// <summary>Replay events of a scene (after a seek back), the replay events that are not the start of a title replay.</summary>
    public long SceneReplayEvents => ReplayEvents - Replays;

    /// <summary>
    /// Every play_start event: one per episode started, so more than <see cref="Plays"/>, which counts a binge once
    /// (and a title replay, which starts with a replay event instead).
    /// </summary>
    public long PlayStartEvents => EventsByKind.GetValueOrDefault(EventKind.PlayStart);

    /// <summary>
    /// A readable multi-line report. Each figure says what it counts (plays are not play_start events, replays of a
    /// title are not replay events), and a share of nothing prints as "-" with the reason, never as NaN.
    /// </summary>
    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        string Share(double value, long of, string none) => of == 0 ? $"- ({none})" : value.ToString("P1", c);
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Simulated service: {Members:N0} members x {Titles:N0} titles x {Days} days, seed {Seed}");
        sb.AppendLine(c, $"Events: {TotalEvents:N0}; sessions {Sessions:N0}; hours watched {HoursWatched:N0} ({HoursPerMemberDay:0.00} h per member-day)");
        sb.AppendLine(c, $"Plays: {Plays:N0} (a member watching one title in one session, however many episodes; the {PlayStartEvents:N0} play_start events count each episode started, and a title replayed starts with a replay event instead)");
        sb.AppendLine("Events by kind:");
        foreach (var (kind, count) in EventsByKind) sb.AppendLine(c, $"  {kind.WireName(),-13} {count,12:N0}");
        sb.AppendLine(c, $"Events per member: mean {EventsPerMember["mean"]:0.0}, p10 {EventsPerMember["p10"]:0}, p50 {EventsPerMember["p50"]:0}, p90 {EventsPerMember["p90"]:0}, p99 {EventsPerMember["p99"]:0}, max {EventsPerMember["max"]:0}");
        sb.AppendLine(c, $"Popularity (viewers per title): top 1% of titles get {PlayShareTop1Percent:P1} of viewers, top 10% {PlayShareTop10Percent:P1}, top 20% {PlayShareTop20Percent:P1}; {TitlesNeverPlayed:N0} titles never watched");
        sb.AppendLine(c, $"  viewers of the 10 most watched titles: {string.Join(", ", PlaysPerTitleTop)}");
        sb.AppendLine("Completion rate by true utility (share of plays that reach the credits):");
        float lower = float.NegativeInfinity;
        for (int b = 0; b < CompletionByUtility.Count; b++)
        {
            float upper = SimulationReportSink.UtilityBands[b];
            string band = float.IsNegativeInfinity(lower) ? $"u < {upper}" : float.IsPositiveInfinity(upper) ? $"u >= {lower}" : $"{lower} <= u < {upper}";
            sb.AppendLine(PlaysByUtility[b] == 0
                ? string.Create(c, $"  {band,-16} - (no plays)")
                : string.Create(c, $"  {band,-16} {CompletionByUtility[b],7:P1} of {PlaysByUtility[b],10:N0} plays"));
            lower = upper;
        }
        sb.AppendLine("Devices (share of sessions / share of viewing hours):");
        foreach (var d in SimMembers.Devices)
            sb.AppendLine(c, $"  {d,-8} {SessionShareByDevice[d],7:P1} {HoursShareByDevice[d],7:P1}");
        sb.AppendLine(c, $"Plays from recommendations {Share(ShareFromRecommendations, Plays, "no plays")} (Continue Watching {Share(ShareFromContinueWatching, Plays, "no plays")}), from search {Share(ShareFromSearch, Plays, "no plays")}");
        sb.Append(c, $"Abandoned sessions (no play): {Share(AbandonedSessionShare, Sessions, "no sessions")}; ");
        sb.AppendLine(SessionsAbandonedOnHomepage == 0 ? "nobody gave up on the homepage"
            : string.Create(c, $"the {SessionsAbandonedOnHomepage:N0} sessions given up on the homepage ended after {AbandonedBrowseSeconds:0} s and {AbandonedTitlesLookedAt:0.0} titles on average"));
        sb.Append(c, $"Binge: of the {SeriesPlays:N0} series plays, {Share(BingeShareOfSeriesPlays, SeriesPlays, "no series plays")} run 3+ episodes and {Share(LikedShareOfSeriesPlays, SeriesPlays, "no series plays")} are of liked series; ");
        sb.AppendLine(c, $"of the {SeriesPlaysSkippingCredits:N0} that skipped the credits, {Share(LikedShareOfSkipCredits, SeriesPlaysSkippingCredits, "none")} are of liked series");
        sb.AppendLine(c, $"Searches (search events): {Searches:N0}; {Share(AbsentTitleSearchShare, Searches, "no searches")} for titles the service lacks; {Share(SearchPlayRate, Searches, "no searches")} lead to a play");
        sb.Append(c, $"Replays: {Replays:N0} plays of a title already finished ({(Replays == 0 ? "-" : LovedShareOfReplays.ToString("P1", c))} of them of titles the member truly likes); ");
        sb.Append(c, $"{ReplayEvents:N0} replay events: those {Replays:N0} and {SceneReplayEvents:N0} scene replays (a seek back to watch a scene again)");
        return sb.ToString();
    }
}
