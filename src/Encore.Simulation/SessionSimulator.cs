using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Encore.Core;

namespace Encore.Simulation;

/// <summary>
/// Plays out one member's day: sessions opened on a device at their usual hours, a homepage browsed until
/// something appeals or patience runs out, searches (with typos, sometimes for titles the service lacks),
/// playback whose length follows the member's true enjoyment, with pauses, seeks, scene replays, skipped
/// intros and credits when bingeing, completions, stops to resume later, replays of loved titles and the
/// occasional rating. One instance per worker thread; every random draw comes from the (member, day) stream.
/// </summary>
internal sealed class SessionSimulator
{
    private const ulong Purpose = 0x5E55_10A5;
    private const int MaxSessionsPerDay = 6;
    private const int MaxChoicesPerSession = 4;
    private const string ContinueWatchingRow = "continue-watching";
    private const string WatchAgainRow = "watch-again";
    /// <summary>Chance that a member opens the service meaning to watch a favourite again.</summary>
    private const double RewatchIntent = 0.04;

    private readonly SimulatedService _service;
    private readonly SimCatalogue _catalogue;
    private readonly SimMembers _members;
    private readonly GroundTruth _truth;
    private readonly CalibrationSettings _cal;
    private readonly IHomepagePolicy _policy;
    private readonly Homepage _page;
    private readonly SearchEngine _search;
    private readonly List<Incident> _incidents = new(32);
    private readonly List<int> _continueWatching = new(16);

    // Per-session state (one session at a time per worker).
    private SimulationBatch _out = null!;
    private int _member, _session, _sequence, _day;
    private DeviceKind _device;
    private long _now;

    public SessionSimulator(SimulatedService service, IHomepagePolicy policy)
    {
        _service = service;
        _catalogue = service.Catalogue;
        _members = service.Members;
        _truth = service.Truth;
        _cal = service.Options.Calibration;
        _policy = policy;
        _page = new Homepage(_catalogue.Count);
        _search = new SearchEngine(_catalogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SimulateDay(int member, int day, MemberState state, SimulationBatch output)
    {
        if (!_members.IsActive(member, day)) return;
        if (day >= state.LeftOnDay) return;
        var rng = SimRandom.Create(_service.Options.Seed, Purpose, (ulong)member, (ulong)day);
        // Members poorly served leave more often than the baseline churn (which is drawn up front).
        double unhappy = Math.Max(0, 0.9 - state.Satisfaction);
        if (unhappy > 0 && rng.Chance(_cal.MonthlyChurn / 30.0 * 6.0 * unhappy))
        {
            state.LeftOnDay = day;
            return;
        }
        var weekday = (DayOfWeek)(((int)_service.Options.StartUtc.DayOfWeek + day) % 7);
        bool weekend = weekday is DayOfWeek.Saturday or DayOfWeek.Sunday;
        // Well-served members come back more often; poorly served ones drift away.
        double engagement = Math.Clamp(Math.Exp(0.7 * (state.Satisfaction - 1.0)), 0.35, 1.8);
        double rate = _members.SessionsPerDay[member] * engagement * (weekend ? _members.WeekendBoost[member] : 1.0);
        int sessions = Math.Min(MaxSessionsPerDay, rng.Poisson(rate));
        if (sessions == 0) return;

        Span<double> hours = stackalloc double[sessions];
        for (int i = 0; i < sessions; i++)
        {
            hours[i] = rng.Chance(weekend ? 0.6 : 0.75)
                ? rng.Normal(_members.PeakHour[member], 1.4)
                : rng.Uniform(7, weekend ? 20 : 18);
            hours[i] = Math.Clamp(hours[i], 0, 25.5);
        }
        hours.Sort();
        long dayStart = _service.Options.DayStartUnixMs(day);
        long cursor = day == _members.JoinDay[member] && day > 0
            ? new DateTimeOffset(_members.JoinedUtc[member]).ToUnixTimeMilliseconds()
            : dayStart;
        foreach (double hour in hours)
        {
            long start = Math.Max(dayStart + (long)(hour * 3_600_000), cursor);
            if (start >= dayStart + 26 * 3_600_000L) break;
            long end = RunSession(member, day, state, start, ref rng, output);
            cursor = end + (long)rng.Uniform(5, 60) * 60_000;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long RunSession(int member, int day, MemberState state, long startMs, ref SimRandom rng, SimulationBatch output)
    {
        _out = output;
        _member = member;
        _day = day;
        _session = ++state.Sessions;
        _sequence = 0;
        _now = startMs;
        double hourOfDay = (startMs / 3_600_000.0) % 24.0;
        _device = PickDevice(member, hourOfDay, ref rng);
        double budget = rng.LogNormal(_cal.MinutesMedian(_device) * 60.0, 0.55);

        bool rewatch = rng.Chance(RewatchIntent);
        BuildPage(member, day, state, rewatch, ref rng);

        var browse = new BrowseCursor();
        int lookedAt = 0, plays = 0, episodes = 0;
        double browseSeconds = 0, watched = 0;
        bool searched = false, absent = false;
        int patienceTitles = _members.PatienceTitles[member];
        double patienceSeconds = _members.PatienceSeconds[member];

        for (int choice = 0; choice < MaxChoicesPerSession; choice++)
        {
            int title = -1;
            var source = PlaySource.Homepage;
            bool replay = false;
            if (choice == 0 && rng.Chance(_cal.SearchFirstProbability))
            {
                searched = true;
                title = Search(member, state, ref rng, ref absent);
                source = PlaySource.Search;
            }
            if (title < 0 && !(choice == 0 && searched))
            {
                // After a play, the member comes back with less patience for the page.
                double seconds = choice == 0 ? patienceSeconds : patienceSeconds * 0.5;
                int titles = choice == 0 ? patienceTitles : Math.Max(3, patienceTitles / 2);
                title = Browse(member, state, ref rng, ref browse, titles, seconds, ref lookedAt, ref browseSeconds, out source, out replay);
                if (title < 0 && choice == 0 && !searched && rng.Chance(_cal.SearchAfterBrowseProbability))
                {
                    searched = true;
                    title = Search(member, state, ref rng, ref absent);
                    source = PlaySource.Search;
                }
            }
            if (title < 0)
            {
                if (choice == 0) state.Satisfaction = 0.85f * state.Satisfaction + 0.15f * -0.5f;
                break;
            }

            var result = Watch(member, state, title, source, replay, ref budget, ref rng);
            plays++;
            episodes += result.Episodes;
            watched += result.WatchSeconds;
            state.Satisfaction = 0.85f * state.Satisfaction + 0.15f * Math.Clamp(result.Utility, -1f, 2.5f);
            // A title that disappointed often ends the session; one that pleased leaves room for another.
            double more = 0.6 / (1.0 + Math.Exp(-2.0 * (result.Utility - 0.8)));
            if (budget < 15 * 60 || !rng.Chance(more)) break;
            _now += (long)rng.Uniform(5, 40) * 1000;
        }

        output.SessionList.Add(new SessionRecord(member, _session, day, startMs, _device, lookedAt, (float)browseSeconds,
            searched, absent, plays, episodes, (float)watched));
        return _now;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private DeviceKind PickDevice(int member, double hour, ref SimRandom rng)
    {
        Span<float> w = stackalloc float[5];
        for (int k = 0; k < 5; k++) w[k] = _members.DeviceWeights[member * 5 + k];
        if (hour is >= 6 and < 9 or >= 12 and < 14) { w[1] *= 2.2f; w[0] *= 0.35f; w[3] *= 1.3f; }
        else if (hour is >= 9 and < 18) { w[3] *= 1.5f; w[0] *= 0.6f; w[1] *= 1.3f; }
        else if (hour is >= 18 or < 2) { w[0] *= 1.3f; w[4] *= 1.3f; }
        else { w[1] *= 1.5f; w[0] *= 0.7f; }
        if (_members.KidsHousehold[member] && hour is >= 7 and < 19) w[2] *= 1.6f;
        return SimMembers.Devices[rng.PickWeighted(w)];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BuildPage(int member, int day, MemberState state, bool rewatch, ref SimRandom rng)
    {
        _page.Clear();
        // The service's Continue Watching row: titles in progress, most recently played first.
        _continueWatching.Clear();
        var history = CollectionsMarshal.AsSpan(state.History);
        for (int i = 0; i < history.Length; i++) if (history[i].State == ViewingState.InProgress) _continueWatching.Add(i);
        if (_continueWatching.Count > 0)
        {
            var list = state.History;
            _continueWatching.Sort((a, b) => list[b].LastDay != list[a].LastDay ? list[b].LastDay.CompareTo(list[a].LastDay) : b.CompareTo(a));
            _page.BeginRow(ContinueWatchingRow);
            for (int k = 0; k < Math.Min(10, _continueWatching.Count); k++) _page.Add(list[_continueWatching[k]].Title, 1f);
        }
        // "Watch it again": finished titles the member watched most. A member who came to rewatch goes there first.
        if (rewatch)
        {
            _continueWatching.Clear();
            for (int i = 0; i < history.Length; i++) if (history[i].State == ViewingState.Finished) _continueWatching.Add(i);
            if (_continueWatching.Count > 0)
            {
                var list = state.History;
                _continueWatching.Sort((a, b) => list[b].Weight != list[a].Weight ? list[b].Weight.CompareTo(list[a].Weight) : a.CompareTo(b));
                _page.BeginRow(WatchAgainRow);
                for (int k = 0; k < Math.Min(10, _continueWatching.Count); k++) _page.Add(list[_continueWatching[k]].Title, 1f);
            }
        }
        _policy.BuildPage(new PageRequest(member, _members.Ids[member], day, _device, history), ref rng, _page);
    }

    private struct BrowseCursor
    {
        public int Row;
        public int Slot;
        public int Depth;
    }

    /// <summary>Scans the page row by row (a few titles into each row) and returns the title chosen, or -1 on giving up.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Browse(int member, MemberState state, ref SimRandom rng, ref BrowseCursor cursor, int patienceTitles,
        double patienceSeconds, ref int lookedAt, ref double browseSeconds, out PlaySource source, out bool replay)
    {
        source = PlaySource.Homepage;
        replay = false;
        int looked = 0;
        double seconds = 0;
        float choosiness = _members.Choosiness[member];
        while (cursor.Row < _page.RowCount)
        {
            int rowLength = _page.RowLength(cursor.Row);
            string rowName = _page.RowName(cursor.Row);
            bool continueRow = ReferenceEquals(rowName, ContinueWatchingRow);
            bool againRow = ReferenceEquals(rowName, WatchAgainRow);
            if (cursor.Slot == 0)
            {
                // Members scroll past some rows without looking, and look a few titles into the others.
                if (!continueRow && !againRow && rng.Chance(0.3))
                {
                    cursor.Row++;
                    continue;
                }
                cursor.Depth = continueRow ? Math.Min(rowLength, 4) : againRow ? Math.Min(rowLength, 6) : rng.NextInt(3, 7);
            }
            if (cursor.Slot >= Math.Min(rowLength, cursor.Depth))
            {
                cursor.Row++;
                cursor.Slot = 0;
                continue;
            }
            if (looked >= patienceTitles || seconds >= patienceSeconds) return -1;
            int slot = _page.RowStart(cursor.Row) + cursor.Slot;
            int title = _page.Title(slot);
            double look = rng.Uniform(_cal.SecondsPerTitle.Min, _cal.SecondsPerTitle.Max);
            seconds += look;
            browseSeconds += look;
            looked++;
            lookedAt++;
            _now += (long)(look * 1000);
            Emit(EventKind.Impression, title, -1, float.NaN, _page.Propensity(slot), row: (short)cursor.Row, slot: (short)cursor.Slot, text: _page.RowName(cursor.Row));
            cursor.Slot++;

            float utility = _truth.Utility(member, title);
            float appeal = utility + Fit(member, title);
            int entry = state.Find(title);
            if (entry >= 0 && state.History[entry].State == ViewingState.InProgress)
            {
                // Something already started: commitment makes it easier to pick up, if it was enjoyed, and
                // the pull fades with the days since it was last played (titles dropped for good stay there).
                int idle = _day - state.History[entry].LastDay;
                if (appeal + 0.3 - 0.04 * Math.Min(idle, 30) + rng.Normal(0, 0.3) > choosiness)
                {
                    source = continueRow ? PlaySource.ContinueWatching : PlaySource.Homepage;
                    return title;
                }
                continue;
            }
            if (entry >= 0)
            {
                // Finished: only a loved title is watched again.
                if (utility > 1.3f && rng.Chance(againRow ? 0.5 : 0.05))
                {
                    replay = true;
                    return title;
                }
                continue;
            }
            if (appeal + FirstImpression(member, title) + rng.Normal(0, 0.25) > choosiness) return title;
        }
        return -1;
    }

    /// <summary>A search for a title the member has in mind; returns the title played from the results, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Search(int member, MemberState state, ref SimRandom rng, ref bool absentTarget)
    {
        var view = _service.View;
        string name;
        int target = -1;
        if (rng.Chance(_cal.AbsentTitleSearchShare))
        {
            // Something they heard of that the service does not carry.
            int best = rng.NextInt(_catalogue.AbsentNames.Length);
            float bestUtility = _truth.AbsentUtility(member, best);
            for (int k = 0; k < 5; k++)
            {
                int a = rng.NextInt(_catalogue.AbsentNames.Length);
                float u = _truth.AbsentUtility(member, a);
                if (u > bestUtility) { best = a; bestUtility = u; }
            }
            name = _catalogue.AbsentNames[best];
            absentTarget = true;
        }
        else
        {
            // Something they heard of that suits them: word of mouth favours popular titles.
            var available = view.Available;
            float bestScore = float.NegativeInfinity;
            for (int k = 0; k < 40; k++)
            {
                int t = available[rng.NextInt(available.Length)];
                int entry = state.Find(t);
                if (entry >= 0 && state.History[entry].State == ViewingState.Finished) continue;
                float score = _truth.Utility(member, t) + Fit(member, t) + 0.25f * MathF.Log(1f + view.Popularity[t]);
                if (score > bestScore) { bestScore = score; target = t; }
            }
            if (target < 0) target = available[rng.NextInt(available.Length)];
            name = _catalogue.Names[target];
        }
        string query = QueryTypist.Type(name, _cal.TypoPerLetter, ref rng);
        int[] results = _search.Search(query, view);
        _now += (long)((1.5 + query.Length * 0.25 + rng.Uniform(2, 10)) * 1000);

        int chosen = -1;
        if (target >= 0 && Array.IndexOf(results, target) >= 0 && rng.Chance(0.93)) chosen = target;
        else
        {
            // Not what they looked for: a glance at the first few results, and only a clearly good one is played.
            float choosiness = _members.Choosiness[member] + 0.5f;
            for (int k = 0; k < Math.Min(3, results.Length); k++)
            {
                int t = results[k];
                int entry = state.Find(t);
                if (entry >= 0 && state.History[entry].State == ViewingState.Finished) continue;
                if (_truth.Utility(member, t) + Fit(member, t) + FirstImpression(member, t) + rng.Normal(0, 0.25) > choosiness) { chosen = t; break; }
            }
        }
        Emit(EventKind.Search, chosen, -1, float.NaN, float.NaN, text: query, results: results);
        return chosen;
    }

    private readonly record struct WatchResult(int Episodes, double WatchSeconds, float Utility);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private WatchResult Watch(int member, MemberState state, int title, PlaySource source, bool replay, ref double budget, ref SimRandom rng)
    {
        int capacity = _service.Options.HistoryCapacity;
        bool firstTime = state.Find(title) < 0;
        int index = state.FindOrAdd(title, _day, capacity);
        var entries = CollectionsMarshal.AsSpan(state.History);
        ref var entry = ref entries[index];
        float utility = _truth.Utility(member, title);
        float enjoyment = utility + Fit(member, title);
        long playStart = _now;
        double watchedTotal = 0;
        float weight = 0;
        int episodesPlayed = 0;
        bool reachedCredits = false, skippedCredits = false;
        bool series = _catalogue.IsSeries(title);
        bool binge = rng.Chance(_members.BingePropensity[member]);

        if (replay)
        {
            entry.Episode = 0;
            entry.Position = 0;
        }
        int episode = series ? entry.Episode : 0;
        float position = entry.State == ViewingState.InProgress ? entry.Position : 0f;

        while (true)
        {
            int runtime = _catalogue.PlayableRuntime(title, episode);
            int episodeId = series ? episode : -1;
            float episodeEnjoyment = enjoyment + (float)rng.Normal(0, series ? 0.35 : 0.2);
            Emit(replay && episodesPlayed == 0 ? EventKind.Replay : EventKind.PlayStart, title, episodeId, position, float.NaN);
            bool bingeContext = series && (episodesPlayed > 0 || episode > 0);
            var outcome = PlayOnce(member, title, episodeId, runtime, position, episodeEnjoyment, bingeContext && binge, ref budget, ref rng);
            watchedTotal += outcome.Watched;
            weight += (float)(outcome.Watched / runtime);
            episodesPlayed++;
            reachedCredits |= outcome.ReachedCredits;

            if (!outcome.ReachedCredits)
            {
                entry.State = ViewingState.InProgress;
                entry.Episode = (short)episode;
                entry.Position = outcome.EndPosition;
                break;
            }
            if (!series || episode + 1 >= _catalogue.EpisodeCount[title])
            {
                entry.State = ViewingState.Finished;
                entry.Episode = 0;
                entry.Position = 0;
                break;
            }
            // Reached the credits of an episode: binge on (skipping the credits to the next one) or leave.
            double goOn = (binge ? 0.85 : 0.35) / (1.0 + Math.Exp(-2.5 * (episodeEnjoyment - 0.3)));
            bool next = budget > 4 * 60 && rng.Chance(goOn);
            float creditsAt = runtime - _catalogue.CreditsLength[title];
            if (next)
            {
                if (rng.Chance(0.55 + 0.4 * _members.BingePropensity[member]))
                {
                    // Named by the episode it skips to, at the position where that one starts playing.
                    Emit(EventKind.SkipCredits, title, episode + 1, 0f, float.NaN);
                    skippedCredits = true;
                }
                else _now += _catalogue.CreditsLength[title] * 1000L; // let the credits roll into the next episode
                episode++;
                position = 0;
                _now += 5_000;
                continue;
            }
            if (rng.Chance(0.15)) Emit(EventKind.SkipCredits, title, episode, creditsAt, float.NaN);
            entry.State = ViewingState.InProgress;
            entry.Episode = (short)(episode + 1);
            entry.Position = 0;
            break;
        }
        entry.Weight += weight;
        entry.LastDay = _day;

        if (!entry.Rated && rng.Chance(_members.RatingPropensity[member] * (reachedCredits ? 1.0 : 0.35)))
        {
            double stars = Math.Clamp(Math.Round(3.0 + 1.2 * utility + rng.Normal(0, 0.9)), 1, 5);
            _now += (long)rng.Uniform(2, 20) * 1000;
            Emit(EventKind.Rating, title, -1, float.NaN, (float)stars);
            entry.Rated = true;
        }
        _out.PlayList.Add(new PlayRecord(member, title, playStart, _device, source, replay, firstTime, weight, (float)watchedTotal,
            episodesPlayed, reachedCredits, skippedCredits, utility));
        return new WatchResult(episodesPlayed, watchedTotal, utility);
    }

    private enum IncidentKind : byte { Pause, SeekForward, SceneReplay, SkipIntro }

    private readonly record struct Incident(float Position, IncidentKind Kind, float Amount);

    private readonly record struct PlayOutcome(float EndPosition, bool ReachedCredits, double Watched);

    /// <summary>One film or episode from <paramref name="start"/>: how far the member gets, and what they do on the way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private PlayOutcome PlayOnce(int member, int title, int episode, int runtime, float start, float enjoyment, bool bingeing,
        ref double budget, ref SimRandom rng)
    {
        float creditsAt = runtime - _catalogue.CreditsLength[title];
        if (start >= creditsAt - 30) start = 0;
        // Enjoyment drives how far they get: liked titles are finished, disliked ones dropped early.
        double complete = 1.0 / (1.0 + Math.Exp(-2.6 * (enjoyment - 0.5)));
        bool toCredits = rng.Chance(complete);
        float target = toCredits
            ? creditsAt
            : start + (creditsAt - start) * (float)Math.Pow(rng.NextDouble(), 0.6 + 2.5 / (1.0 + Math.Exp(2.0 * enjoyment)));
        target = Math.Max(target, Math.Min(creditsAt, start + 20));
        // The session's time runs out: a member who is enjoying it overruns a little, otherwise stops.
        double allowance = budget * (enjoyment > 0.8 ? 1.3 : 1.0);
        if (target - start > allowance)
        {
            target = start + (float)Math.Max(60, allowance);
            toCredits = target >= creditsAt;
            target = Math.Min(target, creditsAt);
        }

        _incidents.Clear();
        double hours = (target - start) / 3600.0;
        if (bingeing && _catalogue.IntroLength[title] > 0 && start <= _catalogue.IntroStart[title]
            && target > _catalogue.IntroStart[title] + _catalogue.IntroLength[title]
            && rng.Chance(0.15 + 0.8 * _members.BingePropensity[member] / (1.0 + Math.Exp(-2.0 * enjoyment))))
            _incidents.Add(new Incident(_catalogue.IntroStart[title], IncidentKind.SkipIntro, _catalogue.IntroLength[title]));
        double pauseRate = _members.PausesPerHour[member] * (_device == DeviceKind.Phone ? 1.4 : 1.0);
        int pauses = rng.Poisson(pauseRate * hours);
        for (int k = 0; k < pauses; k++)
            _incidents.Add(new Incident(start + (float)rng.Uniform(1, Math.Max(2, target - start - 1)), IncidentKind.Pause,
                (float)Math.Clamp(rng.LogNormal(40, 1.2), 3, 5400)));
        int seeks = rng.Poisson(Math.Max(0, 0.3 - enjoyment) * 1.5 * hours);
        for (int k = 0; k < seeks; k++)
            _incidents.Add(new Incident(start + (float)rng.Uniform(1, Math.Max(2, target - start - 1)), IncidentKind.SeekForward, (float)rng.Uniform(30, 240)));
        if (enjoyment > 1.2f)
        {
            int scenes = rng.Poisson(0.25 * (Math.Min(enjoyment, 2.5f) - 1.2) * Math.Max(hours, 0.3));
            for (int k = 0; k < scenes; k++)
                _incidents.Add(new Incident(start + (float)rng.Uniform(60, Math.Max(61, target - start - 1)), IncidentKind.SceneReplay, (float)rng.Uniform(15, 150)));
        }
        _incidents.Sort((a, b) => a.Position.CompareTo(b.Position));

        float position = start;
        double watched = 0;
        foreach (var incident in _incidents)
        {
            if (incident.Position < position || incident.Position >= target) continue;
            Advance(ref position, incident.Position, ref watched);
            switch (incident.Kind)
            {
                case IncidentKind.Pause:
                    Emit(EventKind.Pause, title, episode, position, incident.Amount);
                    _now += (long)(incident.Amount * 1000);
                    Emit(EventKind.Resume, title, episode, position, float.NaN);
                    break;
                case IncidentKind.SeekForward:
                    float to = Math.Min(target - 1, position + incident.Amount);
                    if (to <= position) break;
                    _now += 1000;
                    Emit(EventKind.Seek, title, episode, to, position);
                    position = to;
                    break;
                case IncidentKind.SceneReplay:
                    float back = Math.Max(0, position - incident.Amount);
                    _now += 1000;
                    Emit(EventKind.Seek, title, episode, back, position);
                    Emit(EventKind.Replay, title, episode, back, float.NaN);
                    // Watches the scene again, and is back where they were.
                    watched += position - back;
                    _now += (long)((position - back) * 1000);
                    break;
                case IncidentKind.SkipIntro:
                    Emit(EventKind.SkipIntro, title, episode, position, float.NaN);
                    position = Math.Min(target, position + incident.Amount);
                    break;
            }
        }
        Advance(ref position, target, ref watched);
        Emit(toCredits ? EventKind.Completion : EventKind.Stop, title, episode, position, float.NaN);
        budget -= watched;
        return new PlayOutcome(position, toCredits, watched);
    }

    private void Advance(ref float position, float to, ref double watched)
    {
        if (to <= position) return;
        watched += to - position;
        _now += (long)((to - position) * 1000);
        position = to;
    }

    /// <summary>
    /// How a member misjudges a title from its artwork and synopsis: fixed per (member, title), so a title
    /// declined once is mostly declined again however often the homepage shows it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float FirstImpression(int member, int title)
    {
        var r = SimRandom.Create(_service.Options.Seed, 0xF1257, (ulong)member, (ulong)title);
        return (float)(0.6 * r.Normal());
    }

    /// <summary>How well a title suits the device in hand (habits: short episodes on the phone, films on the TV...).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float Fit(int member, int title)
    {
        float fit = 0;
        uint mask = _catalogue.GenreMasks[title];
        bool series = _catalogue.IsSeries(title);
        int runtime = _catalogue.RuntimeSeconds[title];
        switch (_device)
        {
            case DeviceKind.Phone:
                if (series && runtime <= 31 * 60) fit += 0.45f;
                if (!series && runtime > 100 * 60) fit -= 0.6f;
                break;
            case DeviceKind.Tablet:
                // In a household with children the tablet is often the children's screen.
                if (_members.KidsHousehold[member]) fit += Genres.IsChildren(mask) ? 0.9f : -0.4f;
                else if (Genres.IsChildren(mask)) fit += 0.1f;
                break;
            case DeviceKind.Tv:
                if (!series) fit += 0.2f;
                break;
            case DeviceKind.Console:
                if ((mask & ((1u << Genres.Action) | (1u << Genres.SciFi) | (1u << Genres.Anime) | (1u << Genres.Adventure))) != 0) fit += 0.2f;
                break;
        }
        int habit = _members.DeviceGenreHabit[member];
        if (habit / Genres.Count == (int)_device && Genres.Has(mask, habit % Genres.Count)) fit += 0.5f;
        return fit;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Emit(EventKind kind, int title, int episode, float position, float value,
        short row = -1, short slot = -1, string? text = null, int[]? results = null)
    {
        _out.EventList.Add(new SimEvent
        {
            TimestampMs = _now,
            Member = _member,
            Title = title,
            Episode = episode,
            Session = _session,
            Sequence = ++_sequence,
            Kind = kind,
            Device = _device,
            Position = position,
            Value = value,
            Row = row,
            Slot = slot,
            Text = text,
            Results = results,
        });
    }
}
