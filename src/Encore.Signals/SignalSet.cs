using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Encore.Core;
using Encore.Storage;

namespace Encore.Signals;

/// <summary>
/// The signals of every member: their events grouped into viewing sessions (per device, a new one after
/// <see cref="SignalOptions.SessionGap"/> of silence) and folded, per member and title (and per episode for a
/// series), into <see cref="TitleSignals"/>; plus each member's recent searches and the searches that led
/// nowhere. One fold serves both uses: <see cref="LoadAsync"/> streams the store's log through
/// <see cref="Apply(in InteractionRow)"/>, and the real-time path calls the same method with each new event, so
/// an update costs a few dictionary lookups and never rereads the member's history.
/// </summary>
/// <remarks>
/// The fold expects each member's events in time order, as the store returns them. An event older than the
/// member's latest on that device is still counted, but it cannot reopen a session that has ended: a late
/// event's session-based features (sessions, binges) may then differ from a rebuild until the next one.
/// Not safe for concurrent writers; readers must not run beside <see cref="Apply(in InteractionRow)"/>.
/// </remarks>
public sealed class SignalSet
{
    private const int DeviceCount = 5;

    private readonly Dictionary<long, int> _pairIndex = [];
    private TitleSignals[] _pairs = new TitleSignals[1024];
    private long[] _pairKeys = new long[1024];
    private int _pairCount;
    private readonly Dictionary<long, UnitState> _units = [];
    private MemberState?[] _members;
    private readonly List<UnmatchedSearch> _unmatched = [];
    private readonly long _sessionGapMs, _bingeMs, _sceneMergeMs;
    private readonly double _activityHalfLifeMs;

    /// <param name="catalogue">The titles, episodes and genres.</param>
    /// <param name="memberIds">The members known so far (an event from another member adds it).</param>
    /// <param name="options">How events are grouped and read.</param>
    /// <param name="resolver">
    /// Names the title a search query asks for, so that a search that played nothing (or another title) counts as the
    /// member's intent for the title named (<see cref="TitleSignals.SearchIntent"/>); null: searches count only for the
    /// title they played.
    /// </param>
    public SignalSet(SignalCatalogue catalogue, IdMap memberIds, SignalOptions? options = null, IQueryResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(memberIds);
        Options = options ?? SignalOptions.Default;
        Options.Validate();
        Catalogue = catalogue;
        MemberIds = memberIds;
        QueryResolver = resolver;
        _members = new MemberState?[Math.Max(16, memberIds.Count)];
        Trends = new TitleTrends(catalogue.Titles);
        _sessionGapMs = (long)Options.SessionGap.TotalMilliseconds;
        _bingeMs = (long)Options.BingeWindow.TotalMilliseconds;
        _sceneMergeMs = (long)Options.SceneReplayMerge.TotalMilliseconds;
        _activityHalfLifeMs = Options.ActivityHalfLife.TotalMilliseconds;
    }

    /// <summary>The catalogue the events are folded against (replaced by <see cref="Rebase"/>).</summary>
    public SignalCatalogue Catalogue { get; private set; }

    /// <summary>
    /// Moves the signals onto a newer catalogue of the same store: titles and episodes added since (or with changed
    /// metadata) are known to the events folded from now on. Dense indices never move, so every pair keeps its meaning;
    /// what was folded before stays as it was folded (a changed runtime applies to later events).
    /// </summary>
    /// <exception cref="ArgumentException">The new catalogue does not extend this one (an index moved).</exception>
    public void Rebase(SignalCatalogue catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        if (catalogue.Titles < Catalogue.Titles || catalogue.EpisodeIds.Count < Catalogue.EpisodeIds.Count)
            throw new ArgumentException($"the new catalogue holds {catalogue.Titles} titles and {catalogue.EpisodeIds.Count} episodes, fewer than the {Catalogue.Titles} and {Catalogue.EpisodeIds.Count} folded so far");
        for (int t = 0; t < Catalogue.Titles; t++)
            if (!string.Equals(catalogue.TitleIds[t], Catalogue.TitleIds[t], StringComparison.Ordinal))
                throw new ArgumentException($"title index {t} is '{UnicodeText.Clip(catalogue.TitleIds[t])}' in the new catalogue and '{UnicodeText.Clip(Catalogue.TitleIds[t])}' in the signals");
        for (int e = 0; e < Catalogue.EpisodeIds.Count; e++)
            if (!string.Equals(catalogue.EpisodeIds[e], Catalogue.EpisodeIds[e], StringComparison.Ordinal))
                throw new ArgumentException($"episode index {e} moved in the new catalogue");
        Catalogue = catalogue;
    }
    /// <summary>The members with signals, by dense index.</summary>
    public IdMap MemberIds { get; }
    /// <summary>The options the signals are folded with.</summary>
    public SignalOptions Options { get; }

    /// <summary>What names the title of a search query (null: none; searches then count only for the title they played).</summary>
    public IQueryResolver? QueryResolver { get; }

    /// <summary>Every title's plays and impressions over the service, decayed over an hour, a day and a week.</summary>
    public TitleTrends Trends { get; }

    /// <summary>Events folded so far.</summary>
    public long Events { get; private set; }

    /// <summary>Time of the latest event folded (Unix ms), or <see cref="long.MinValue"/> before the first.</summary>
    public long LastEventMs { get; private set; } = long.MinValue;

    /// <summary>
    /// Moves <see cref="LastEventMs"/> forward to <paramref name="unixMilliseconds"/> when it is later (never back): a set
    /// that holds some members' events (a member's own, on a node of a cluster) reads time as the whole service does.
    /// </summary>
    public void ObserveTime(long unixMilliseconds)
    {
        if (unixMilliseconds > LastEventMs) LastEventMs = unixMilliseconds;
    }

    /// <summary>(member, title) pairs with any signal.</summary>
    public int Pairs => _pairCount;

    /// <summary>Searches that chose no title, in the order they were folded: what members look for and do not find.</summary>
    public IReadOnlyList<UnmatchedSearch> UnmatchedSearches => _unmatched;

    /// <summary>Reads <paramref name="store"/>'s catalogue and the events matching <paramref name="query"/> (all by default) once, and folds them.</summary>
    /// <param name="store">The store to read.</param>
    /// <param name="options">How the events are folded (<see cref="SignalOptions.Default"/> where null).</param>
    /// <param name="query">Which events to fold (all where null).</param>
    /// <param name="ct">Cancels the read.</param>
    /// <param name="resolver">Names the title each search asked for (see the constructor); built over the same catalogue.</param>
    public static async Task<SignalSet> LoadAsync(IEventStore store, SignalOptions? options = null, EventQuery? query = null,
        CancellationToken ct = default, IQueryResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var catalogue = await SignalCatalogue.LoadAsync(store, ct).ConfigureAwait(false);
        var members = await store.ReadMemberIdsAsync(ct).ConfigureAwait(false);
        var set = new SignalSet(catalogue, members, options, resolver);
        await foreach (var row in store.ReadInteractionsAsync(query ?? EventQuery.All, ct).ConfigureAwait(false)) set.Apply(row);
        return set;
    }

    /// <summary>The signals of one pair, or <see cref="TitleSignals.Empty"/> when the member never touched the title.</summary>
    public TitleSignals Get(int member, int title)
        => _pairIndex.TryGetValue(Key(member, title), out int slot) ? _pairs[slot] : TitleSignals.Empty;

    /// <summary>The titles one member has signals for, in the order first touched.</summary>
    public IReadOnlyList<int> TitlesOf(int member)
    {
        var state = (uint)member < (uint)_members.Length ? _members[member] : null;
        if (state is null) return [];
        var titles = new int[state.Pairs.Count];
        for (int i = 0; i < titles.Length; i++) titles[i] = (int)(_pairKeys[state.Pairs[i]] & 0xFFFFFFFF);
        return titles;
    }

    /// <summary>Every pair: (member, title, signals), in the order first touched.</summary>
    public IEnumerable<(int Member, int Title, TitleSignals Signals)> AllPairs()
    {
        for (int i = 0; i < _pairCount; i++)
        {
            long key = _pairKeys[i];
            yield return ((int)(key >> 32), (int)(key & 0xFFFFFFFF), _pairs[i]);
        }
    }

    /// <summary>Viewing sessions a member has had (on all devices).</summary>
    public int SessionsOf(int member) => (uint)member < (uint)_members.Length ? _members[member]?.Sessions ?? 0 : 0;

    /// <summary>
    /// How active a member is lately: their sessions counted with a decay of half per <see cref="SignalOptions.ActivityHalfLife"/>
    /// (a week) as of <paramref name="asOfMs"/>, so a member with one session a day for weeks has about 10 (Continue Watching
    /// reads whether the member will be back).
    /// </summary>
    public double RecentSessionsOf(int member, long asOfMs)
    {
        var state = (uint)member < (uint)_members.Length ? _members[member] : null;
        if (state is null || state.Sessions == 0) return 0;
        return state.RecentSessions * Math.Pow(0.5, Math.Max(0, (double)(asOfMs - state.RecentSessionMs)) / _activityHalfLifeMs);
    }

    /// <summary>A member's latest searches, newest last (at most <see cref="SignalOptions.RecentQueries"/>).</summary>
    public IReadOnlyList<MemberSearch> RecentSearchesOf(int member)
        => (uint)member < (uint)_members.Length && _members[member]?.Searches is { } s ? s : [];

    /// <summary>
    /// What models train on: every pair's <see cref="PreferenceModel"/> value as of <paramref name="asOfMs"/> (a
    /// positive confidence, or a negative one for negative evidence; pairs with neither are left out), with the time
    /// of the pair's last event. Rows are <see cref="MemberIds"/>, columns the catalogue's titles.
    /// </summary>
    public InteractionMatrix ToMatrix(PreferenceOptions preferences, long asOfMs)
    {
        ArgumentNullException.ThrowIfNull(preferences);
        preferences.Validate();
        // The members as they are now: a model keeps the matrix's ids, and members the signals meet later are not its own.
        var builder = new InteractionMatrixBuilder(MemberIds.Copy(), Catalogue.TitleIds);
        for (int i = 0; i < _pairCount; i++)
        {
            var w = PreferenceModel.Weigh(_pairs[i], preferences, asOfMs);
            if (w.Evidence == Evidence.None) continue;
            long key = _pairKeys[i];
            builder.Add((int)(key >> 32), (int)(key & 0xFFFFFFFF), w.Value, null, UnixSeconds(_pairs[i].LastMs));
        }
        return builder.Build();
    }

    /// <summary>The titles <paramref name="member"/>'s signals are negative evidence for (as of <paramref name="asOfMs"/>): what a list leaves out.</summary>
    public IReadOnlyList<int> NegativeTitles(int member, PreferenceOptions preferences, long asOfMs)
    {
        ArgumentNullException.ThrowIfNull(preferences);
        var state = (uint)member < (uint)_members.Length ? _members[member] : null;
        if (state is null) return [];
        List<int>? negative = null;
        foreach (int slot in state.Pairs)
        {
            if (PreferenceModel.Weigh(_pairs[slot], preferences, asOfMs).Evidence == Evidence.Negative)
                (negative ??= []).Add((int)(_pairKeys[slot] & 0xFFFFFFFF));
        }
        return negative ?? (IReadOnlyList<int>)[];
    }

    /// <summary>The titles each member began playing (weight 1 each): what a top-N list never offers back.</summary>
    public InteractionMatrix PlayedMatrix()
    {
        var builder = new InteractionMatrixBuilder(MemberIds, Catalogue.TitleIds);
        for (int i = 0; i < _pairCount; i++)
        {
            if (!_pairs[i].Played) continue;
            long key = _pairKeys[i];
            builder.Add((int)(key >> 32), (int)(key & 0xFFFFFFFF), 1f, null, UnixSeconds(_pairs[i].LastPlayMs));
        }
        return builder.Build();
    }

    /// <summary>The explicit ratings (latest per pair), for the rating models; pairs never rated are left out.</summary>
    public InteractionMatrix RatingMatrix()
    {
        var builder = new InteractionMatrixBuilder(MemberIds.Copy(), Catalogue.TitleIds);
        for (int i = 0; i < _pairCount; i++)
        {
            if (float.IsNaN(_pairs[i].Rating)) continue;
            long key = _pairKeys[i];
            builder.Add((int)(key >> 32), (int)(key & 0xFFFFFFFF), 1f, _pairs[i].Rating, UnixSeconds(_pairs[i].RatedMs));
        }
        return builder.Build();
    }

    private static long UnixSeconds(long ms) => Math.DivRem(ms, 1000L, out long rest) - (rest < 0 ? 1 : 0);

    /// <summary>Folds one event (a real-time update), translating its ids; unknown titles and episodes are ignored, unknown members added.</summary>
    public void Apply(ViewingEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        int member = MemberIds.GetOrAdd(e.MemberId);
        int title = e.TitleId is null ? -1 : Catalogue.TitleIds.IndexOf(e.TitleId);
        if (e.TitleId is not null && title < 0 && e.Kind != EventKind.Search) return;
        int episode = e.EpisodeId is null ? -1 : Catalogue.EpisodeIds.IndexOf(e.EpisodeId);
        float value = e.Kind switch
        {
            EventKind.Rating => (float)(e.Rating ?? double.NaN),
            EventKind.Pause => (float)(e.PauseSeconds ?? double.NaN),
            EventKind.Seek => (float)(e.SeekFromSeconds ?? double.NaN),
            EventKind.Impression => (float)(e.Propensity ?? double.NaN),
            _ => float.NaN,
        };
        var utc = e.TimestampUtc.Kind == DateTimeKind.Local ? e.TimestampUtc.ToUniversalTime() : e.TimestampUtc;
        long ms = (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
        Apply(new InteractionRow(member, title, episode, e.Kind, e.Device, ms, (float)(e.PositionSeconds ?? double.NaN), value, e.Query));
    }

    /// <summary>Folds one event given as a store row.</summary>
    public void Apply(in InteractionRow row)
    {
        if (row.Member < 0) return;
        Events++;
        if (row.UnixMilliseconds > LastEventMs) LastEventMs = row.UnixMilliseconds;
        var member = MemberFor(row.Member);
        int d = (int)row.Device < DeviceCount ? (int)row.Device : 0;
        ref var device = ref member.Devices[d];
        long ms = row.UnixMilliseconds;
        // The unit played: the episode for a series, the title itself for a film.
        int episode = (uint)row.Title < (uint)Catalogue.Titles && (uint)row.Episode < (uint)Catalogue.EpisodeTitle.Length
            && Catalogue.EpisodeTitle[row.Episode] == row.Title ? row.Episode : -1;
        if (!device.Seen || Idle(device, row, episode) > _sessionGapMs)
        {
            // A new session on this device: whatever was playing there ended unseen.
            device.Session = ++member.Sessions;
            if (member.Sessions == 1)
            {
                member.RecentSessions = 1;
                member.RecentSessionMs = ms;
            }
            else if (ms > member.RecentSessionMs)
            {
                member.RecentSessions = member.RecentSessions * Math.Pow(0.5, (double)(ms - member.RecentSessionMs) / _activityHalfLifeMs) + 1;
                member.RecentSessionMs = ms;
            }
            else member.RecentSessions += 1; // a late event's session counts as of the latest
            device.OpenTitle = -1;
            device.EndTitle = -1;
            device.Seen = true;
        }
        if (ms > device.LastMs) device.LastMs = ms;

        switch (row.Kind)
        {
            case EventKind.Search:
                Search(row, member);
                return;
            case EventKind.Impression:
                if ((uint)row.Title < (uint)Catalogue.Titles)
                {
                    ref var shown = ref Pair(row.Member, row.Title, member);
                    shown.Impressions++;
                    shown.ImpressionsSincePlay++;
                    Trends.Impression(row.Title, ms);
                }
                return;
        }
        if ((uint)row.Title >= (uint)Catalogue.Titles) return;
        ref var p = ref Pair(row.Member, row.Title, member);
        if (p.FirstMs == 0 || ms < p.FirstMs) p.FirstMs = ms;
        if (ms > p.LastMs) p.LastMs = ms;
        if (row.Kind == EventKind.Rating)
        {
            if (!float.IsNaN(row.Value) && ms >= p.RatedMs)
            {
                p.Rating = row.Value;
                p.RatedMs = ms;
            }
            return;
        }

        long unitKey = UnitKey(row.Member, row.Title, episode);
        ref var unit = ref CollectionsMarshal.GetValueRefOrAddDefault(_units, unitKey, out _);
        float runtime = Catalogue.PlayableRuntime(row.Title, episode);
        float position = Clamp(row.Position, runtime);
        if (p.LastSession != device.Session)
        {
            p.Sessions++;
            p.LastSession = device.Session;
        }
        if (ms >= p.LastPlayMs)
        {
            p.LastPlayMs = ms;
            p.ImpressionsSincePlay = 0;
            if (p.LastEpisode != episode || row.Kind is EventKind.PlayStart or EventKind.Replay) p.LastEpisodeCompleted = false;
            p.LastEpisode = episode;
            if (!float.IsNaN(position)) p.LastPosition = position;
            p.LastDevice = (byte)d;
            p.LastHour = (byte)(((ms % 86_400_000) + 86_400_000) % 86_400_000 / 3_600_000);
        }
        bool open = device.OpenTitle == row.Title && device.OpenEpisode == episode && !float.IsNaN(device.SegmentStart);

        switch (row.Kind)
        {
            case EventKind.PlayStart:
            case EventKind.Replay when float.IsNaN(position) || position < 1:
            {
                bool wholeReplay = row.Kind == EventKind.Replay || (unit.Completed && (float.IsNaN(position) || position < 1));
                p.Starts++;
                Trends.Play(row.Title, ms);
                if (wholeReplay) p.TitleReplays++;
                if (episode >= 0 && device.EndTitle == row.Title && Catalogue.EpisodeOrdinal[episode] == device.EndOrdinal + 1
                    && ms - device.EndMs <= _bingeMs)
                    p.NextEpisodeFollowed++;
                if (!unit.Started)
                {
                    unit.Started = true;
                    p.EpisodesStarted++;
                }
                p.Devices |= (byte)(1 << d);
                p.DayParts |= (byte)(1 << Dayparts.OfUnixMs(ms));
                Open(ref device, row.Title, episode, float.IsNaN(position) ? 0 : position);
                device.EndTitle = -1;
                break;
            }
            case EventKind.Replay:
                // A scene: the same one as a backward seek just before it, or one of its own.
                if (!(device.SceneMs != 0 && ms - device.SceneMs <= _sceneMergeMs && Math.Abs(device.ScenePosition - position) < 1))
                    p.SceneReplays++;
                Open(ref device, row.Title, episode, position);
                break;
            case EventKind.Pause:
                if (open) Watch(ref p, ref unit, runtime, position - device.SegmentStart, device.SegmentStart);
                Reach(ref p, ref unit, runtime, position);
                p.Pauses++;
                if (row.Value > 0 && float.IsFinite(row.Value))
                {
                    p.PauseSeconds += row.Value;
                    if (row.Value > p.LongestPauseSeconds) p.LongestPauseSeconds = row.Value;
                }
                Open(ref device, row.Title, episode, position);
                break;
            case EventKind.Resume:
                Open(ref device, row.Title, episode, position);
                break;
            case EventKind.Seek:
            {
                float from = Clamp(row.Value, runtime);
                if (open && !float.IsNaN(from)) Watch(ref p, ref unit, runtime, from - device.SegmentStart, device.SegmentStart);
                Reach(ref p, ref unit, runtime, from);
                if (!float.IsNaN(from) && !float.IsNaN(position))
                {
                    if (position < from - Options.MinSceneReplaySeconds && position >= unit.SeenFrom && position < unit.Furthest)
                    {
                        p.SceneReplays++;
                        device.SceneMs = ms;
                        device.ScenePosition = position;
                    }
                    else if (position > from)
                    {
                        p.ForwardSeeks++;
                        p.SkippedSeconds += position - from;
                    }
                }
                Open(ref device, row.Title, episode, position);
                break;
            }
            case EventKind.SkipIntro:
                if (open) Watch(ref p, ref unit, runtime, position - device.SegmentStart, device.SegmentStart);
                Reach(ref p, ref unit, runtime, position);
                p.SkippedIntros++;
                Open(ref device, row.Title, episode, position);
                break;
            case EventKind.SkipCredits:
                p.SkippedCredits++;
                if (episode >= 0 && device.OpenTitle == row.Title && device.OpenEpisode >= 0 && device.OpenEpisode != episode)
                {
                    // Named by the episode it skips to: the one playing has ended, and the next is about to start.
                    End(ref device, row.Title, Catalogue.EpisodeOrdinal[episode] - 1, ms);
                }
                else
                {
                    if (open) Watch(ref p, ref unit, runtime, position - device.SegmentStart, device.SegmentStart);
                    Reach(ref p, ref unit, runtime, position);
                    End(ref device, row.Title, episode >= 0 ? Catalogue.EpisodeOrdinal[episode] : 0, ms);
                }
                break;
            case EventKind.Stop:
            case EventKind.Completion:
            {
                if (open) Watch(ref p, ref unit, runtime, position - device.SegmentStart, device.SegmentStart);
                Reach(ref p, ref unit, runtime, position);
                bool completed = row.Kind == EventKind.Completion
                    || (runtime > 0 && !float.IsNaN(position) && position >= Options.CompletionShare * runtime);
                if (completed)
                {
                    if (ms >= p.LastPlayMs) p.LastEpisodeCompleted = true;
                    p.Completions++;
                    if (!unit.Completed)
                    {
                        unit.Completed = true;
                        p.EpisodesCompleted++;
                    }
                    End(ref device, row.Title, episode >= 0 ? Catalogue.EpisodeOrdinal[episode] : 0, ms);
                }
                else device.OpenTitle = -1;
                break;
            }
        }
    }

    /// <summary>
    /// Milliseconds the device was idle before <paramref name="row"/>: the wall time since its last event, less the
    /// playback that filled it (a film watched without a pause sends no event for an hour). Progress is read from
    /// the row's position in the open unit, or, for any other event, assumed to have run to the end of the unit.
    /// </summary>
    private long Idle(in DeviceState device, in InteractionRow row, int episode)
    {
        long idle = row.UnixMilliseconds - device.LastMs;
        if (device.OpenTitle < 0) return idle;
        float at = row.Kind == EventKind.Seek ? row.Value : row.Position;
        float progress;
        if (row.Title == device.OpenTitle && episode == device.OpenEpisode && !float.IsNaN(at)) progress = at - device.SegmentStart;
        else progress = Catalogue.PlayableRuntime(device.OpenTitle, device.OpenEpisode) - device.SegmentStart;
        return progress > 0 ? idle - (long)(progress * 1000) : idle;
    }

    private void Search(in InteractionRow row, MemberState member)
    {
        // The title the query names, when it names one clearly and the search did not play it: the member looked for it.
        int named = -1;
        if (QueryResolver is not null && !string.IsNullOrWhiteSpace(row.Query))
        {
            named = QueryResolver.Resolve(row.Query, row.UnixMilliseconds);
            if ((uint)named >= (uint)Catalogue.Titles || named == row.Title) named = -1;
        }
        if (Options.RecentQueries > 0)
        {
            var searches = member.Searches ??= [];
            if (searches.Count == Options.RecentQueries) searches.RemoveAt(0);
            searches.Add(new MemberSearch(row.Query ?? "", row.UnixMilliseconds, row.Title, named));
        }
        if (named >= 0)
        {
            ref var q = ref Pair(row.Member, named, member);
            q.SearchIntent++;
            if (q.FirstMs == 0 || row.UnixMilliseconds < q.FirstMs) q.FirstMs = row.UnixMilliseconds;
            if (row.UnixMilliseconds > q.LastMs) q.LastMs = row.UnixMilliseconds;
        }
        if ((uint)row.Title < (uint)Catalogue.Titles)
        {
            ref var p = ref Pair(row.Member, row.Title, member);
            p.SearchLed++;
            if (p.FirstMs == 0 || row.UnixMilliseconds < p.FirstMs) p.FirstMs = row.UnixMilliseconds;
            if (row.UnixMilliseconds > p.LastMs) p.LastMs = row.UnixMilliseconds;
        }
        else if (!string.IsNullOrWhiteSpace(row.Query))
        {
            _unmatched.Add(new UnmatchedSearch(row.Member, row.Query, row.UnixMilliseconds));
        }
    }

    private static void Open(ref DeviceState device, int title, int episode, float position)
    {
        device.OpenTitle = title;
        device.OpenEpisode = episode;
        device.SegmentStart = float.IsNaN(position) ? 0 : position;
    }

    private static void End(ref DeviceState device, int title, int ordinal, long ms)
    {
        device.OpenTitle = -1;
        device.EndTitle = title;
        device.EndOrdinal = ordinal;
        device.EndMs = ms;
    }

    /// <summary>Adds watched seconds to a unit and its title, keeping the title's sum of per-unit shares.</summary>
    private static void Watch(ref TitleSignals p, ref UnitState unit, float runtime, float seconds, float from)
    {
        if (!(seconds > 0)) return;
        if (!unit.Watching || from < unit.SeenFrom)
        {
            unit.SeenFrom = from;
            unit.Watching = true;
        }
        float before = unit.Watched;
        unit.Watched += seconds;
        p.WatchedSeconds += seconds;
        if (runtime > 0) p.EpisodeShareSum += Math.Min(1f, unit.Watched / runtime) - Math.Min(1f, before / runtime);
    }

    /// <summary>Records that playback reached <paramref name="position"/> of the unit.</summary>
    private static void Reach(ref TitleSignals p, ref UnitState unit, float runtime, float position)
    {
        if (float.IsNaN(position) || position <= unit.Furthest) return;
        unit.Furthest = position;
        if (runtime > 0) p.FurthestShare = Math.Max(p.FurthestShare, Math.Min(1f, position / runtime));
    }

    private static float Clamp(float position, float runtime)
    {
        if (float.IsNaN(position)) return position;
        if (position < 0) return 0;
        return runtime > 0 && position > runtime ? runtime : position;
    }

    private MemberState MemberFor(int member)
    {
        if (member >= _members.Length) Array.Resize(ref _members, Math.Max(member + 1, _members.Length * 2));
        return _members[member] ??= new MemberState();
    }

    private ref TitleSignals Pair(int member, int title, MemberState state)
    {
        long key = Key(member, title);
        ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairIndex, key, out bool exists);
        if (!exists)
        {
            if (_pairCount == _pairs.Length)
            {
                Array.Resize(ref _pairs, _pairs.Length * 2);
                Array.Resize(ref _pairKeys, _pairKeys.Length * 2);
            }
            slot = _pairCount++;
            _pairs[slot] = TitleSignals.Empty;
            _pairKeys[slot] = key;
            state.Pairs.Add(slot);
        }
        return ref _pairs[slot];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Key(int member, int title) => ((long)member << 32) | (uint)title;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long UnitKey(int member, int title, int episode)
        => ((long)member << 32) | (episode >= 0 ? 0x8000_0000u | (uint)episode : (uint)title);

    /// <summary>What is known of one episode (or film) of one member.</summary>
    private struct UnitState
    {
        public float Watched;
        public float Furthest;
        /// <summary>The lowest position watched from (with <see cref="Furthest"/>: the part already seen), once <see cref="Watching"/>.</summary>
        public float SeenFrom;
        public bool Watching;
        public bool Started;
        public bool Completed;
    }

    /// <summary>One member's devices (open playback, session) and searches.</summary>
    private sealed class MemberState
    {
        public readonly DeviceState[] Devices = new DeviceState[DeviceCount];
        public readonly List<int> Pairs = [];
        public int Sessions;
        /// <summary>Sessions decayed by <see cref="SignalOptions.ActivityHalfLife"/>, as of <see cref="RecentSessionMs"/> (the latest session's start).</summary>
        public double RecentSessions;
        public long RecentSessionMs;
        public List<MemberSearch>? Searches;
    }

    private struct DeviceState
    {
        public bool Seen;
        public long LastMs;
        public int Session;
        /// <summary>What is playing (title -1: nothing), and the position the current watched segment began.</summary>
        public int OpenTitle;
        public int OpenEpisode;
        public float SegmentStart;
        /// <summary>The last backward seek over seen parts: when, and to where.</summary>
        public long SceneMs;
        public float ScenePosition;
        /// <summary>The last episode that ended (or whose credits were skipped), for binge continuations.</summary>
        public int EndTitle;
        public int EndOrdinal;
        public long EndMs;
    }
}

/// <summary>
/// A search of one member: what was typed, when, the title it led to (-1: none), and the title the query named when it
/// named one clearly and that was not the one played (-1: none, or no <see cref="IQueryResolver"/>).
/// </summary>
public readonly record struct MemberSearch(string Query, long UnixMilliseconds, int Title, int Named = -1);

/// <summary>A search that chose no title: kept for search-demand analytics.</summary>
public readonly record struct UnmatchedSearch(int Member, string Query, long UnixMilliseconds);
