using System.Globalization;
using Encore.Core;
using Encore.Models;
using Encore.Signals;

namespace Encore.Ranking.Pages;

/// <summary>
/// Builds a member's homepage the way a large streaming service does: candidates per row from the model, the signals
/// and the service's trends; filtering (maturity, availability, titles already begun or finished, negative evidence);
/// ranking within each row; choosing and ordering the rows for the member and the device; no title twice above the
/// fold; a short evidence text per row. Deterministic for the same state (ties go to the lower title index). Safe to
/// call concurrently as long as the <see cref="SignalSet"/> is not being written meanwhile.
/// </summary>
public sealed class HomepageBuilder
{
    private readonly RankingCatalogue _catalogue;
    private readonly TrainedModel _model;
    private readonly PageOptions _options;
    private readonly int[] _fromModel;   // model title index -> catalogue index (-1: not in the catalogue)
    private readonly int[] _toModel;     // catalogue index -> model title index (-1: the model cannot score it)
    private readonly int[] _toSimilar;   // catalogue index -> similar-titles model index
    private readonly int[] _fromSimilar;
    private readonly int[] _coldTitles;  // catalogue titles the model cannot score: scored by their metadata

    public HomepageBuilder(RankingCatalogue catalogue, TrainedModel model, PageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(model);
        _catalogue = catalogue;
        _model = model;
        _options = options ?? PageOptions.Default;
        _options.Validate();
        (_fromModel, _toModel) = Map(model.Recommender.TitleIds, catalogue.Signals.TitleIds);
        // A title no one gave positive evidence in training is one the model knows only by name: scored by metadata.
        for (int m = 0; m < _fromModel.Length; m++)
            if (model.TitleSupport[m] == 0 && _fromModel[m] >= 0) { _toModel[_fromModel[m]] = -1; _fromModel[m] = -1; }
        (_fromSimilar, _toSimilar) = Map(model.Similar.TitleIds, catalogue.Signals.TitleIds);
        var cold = new List<int>();
        for (int t = 0; t < _toModel.Length; t++) if (_toModel[t] < 0) cold.Add(t);
        _coldTitles = [.. cold];
        _scratch = new ThreadLocal<PageScratch>(() => new PageScratch(catalogue.Titles, model.Recommender.TitleIds.Count, model.Similar.TitleIds.Count));
    }

    /// <summary>
    /// The service-wide scores every page shares (popularity over the week, trend strength over the hour and the day
    /// against the longer windows), computed once per minute of page time and again once the signals have grown by 1%:
    /// a page costs no pass over the trends of the whole catalogue.
    /// </summary>
    /// <param name="Trend">Standardized trend strength; -inf for a title that is not rising (steadily popular or quiet).</param>
    /// <param name="HourLed">Whether a title's rise is mostly in the last hour (rather than the last day).</param>
    private sealed record ServiceScores(long Minute, long Events, float[] Popularity, float[] Trend, bool[] HourLed);

    private ServiceScores? _service;

    private ServiceScores ServiceScoresFor(SignalSet signals, long nowMs)
    {
        long minute = nowMs / 60_000;
        var cached = Volatile.Read(ref _service);
        if (cached is not null && cached.Minute == minute && signals.Events - cached.Events <= cached.Events / 100) return cached;
        int n = _catalogue.Titles;
        var popularity = new float[n];
        var trend = new float[n];
        var hourLed = new bool[n];
        for (int t = 0; t < n; t++)
        {
            var (strength, hour, week) = TrendScores.Rise(signals.Trends, t, nowMs);
            popularity[t] = (float)Math.Log(1 + week);
            trend[t] = strength > 0 ? (float)strength : float.NegativeInfinity;
            hourLed[t] = hour;
        }
        ScoreBlend.Standardize(trend);
        var fresh = new ServiceScores(minute, signals.Events, popularity, trend, hourLed);
        Volatile.Write(ref _service, fresh);
        return fresh;
    }

    /// <summary>Per-thread buffers over the catalogue, reused by every page a thread builds (a page keeps none of them).</summary>
    private sealed class PageScratch(int titles, int modelTitles, int similarTitles)
    {
        public readonly float[] Raw = new float[modelTitles], ModelScores = new float[titles], Personal = new float[titles],
            Metadata = new float[titles], SimilarRaw = new float[similarTitles], Similar = new float[titles], Order = new float[titles];
        public readonly bool[] Eligible = new bool[titles], Known = new bool[titles], Offerable = new bool[titles];
    }

    private readonly ThreadLocal<PageScratch>? _scratch;

    private PageScratch Scratch => _scratch!.Value!;

    public TrainedModel Model => _model;
    public RankingCatalogue Catalogue => _catalogue;
    public PageOptions Options => _options;

    private static (int[] From, int[] To) Map(IdMap model, IdMap catalogue)
    {
        var from = new int[model.Count];
        var to = new int[catalogue.Count];
        Array.Fill(to, -1);
        for (int t = 0; t < from.Length; t++)
        {
            from[t] = catalogue.IndexOf(model[t]);
            if (from[t] >= 0) to[from[t]] = t;
        }
        return (from, to);
    }

    /// <exception cref="ArgumentException">The signals are over another catalogue.</exception>
    public Homepage Build(SignalSet signals, PageRequest request) => Build(signals, request, signals);

    /// <summary>
    /// Builds a page from a member's signals held apart from the service's (a cluster keeps each member's signals where
    /// the member lives): the member's rows from <paramref name="member"/>, the service-wide trends, popularity and
    /// genre habits from <paramref name="service"/>. With the same events in both, the page is the one
    /// <see cref="Build(SignalSet, PageRequest)"/> gives.
    /// </summary>
    /// <exception cref="ArgumentException">Either set is over another catalogue.</exception>
    public Homepage Build(SignalSet member, PageRequest request, SignalSet service)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(request);
        if (member.Catalogue.Titles != _catalogue.Titles)
            throw new ArgumentException($"the signals hold {member.Catalogue.Titles} titles; the catalogue {_catalogue.Titles}", nameof(member));
        if (service.Catalogue.Titles != _catalogue.Titles)
            throw new ArgumentException($"the service's signals hold {service.Catalogue.Titles} titles; the catalogue {_catalogue.Titles}", nameof(service));
        var state = new MemberPage(this, member, service, request);
        return state.Build();
    }

    /// <summary>Everything one page build needs about the member, computed once.</summary>
    private sealed class MemberPage
    {
        private readonly HomepageBuilder _b;
        private readonly SignalSet _signals;
        private readonly SignalSet _serviceSignals;  // the service-wide trends and habits (the member's own set on one node)
        private readonly PageRequest _request;
        private readonly RankingCatalogue _catalogue;
        private readonly SignalCatalogue _titles;
        private readonly long _now;
        private readonly int _member;
        private readonly float[] _personal;   // standardized member score per catalogue title, -inf where not allowed
        private readonly float[] _model;      // the model's part of it, for explanations (NaN: metadata only)
        private readonly bool[] _known;       // begun, rated or negative evidence: not offered as new
        private readonly bool[] _eligible;    // available now and within the maturity limit
        private readonly float[] _popularity; // log(1 + plays over the last week), decayed
        private readonly ServiceScores _shared;
        private readonly int _rowCount, _perRow;
        private readonly PageScratch _scratch;
        private int[]? _personalOrder, _popularOrder; // offerable titles, best first (selected once per page)

        public MemberPage(HomepageBuilder builder, SignalSet signals, SignalSet service, PageRequest request)
        {
            _b = builder;
            _signals = signals;
            _serviceSignals = service;
            _request = request;
            _catalogue = builder._catalogue;
            _titles = _catalogue.Signals;
            _now = new DateTimeOffset(DateTime.SpecifyKind(request.AtUtc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
            _member = signals.MemberIds.IndexOf(request.MemberId);
            var layout = builder._options.LayoutFor(request.Device);
            _rowCount = Math.Max(1, request.Rows ?? layout.Rows);
            _perRow = Math.Max(1, request.TitlesPerRow ?? layout.TitlesPerRow);
            int n = _titles.Titles;
            _scratch = builder.Scratch;
            _eligible = _scratch.Eligible;
            for (int t = 0; t < n; t++)
                _eligible[t] = _catalogue.IsAvailable(t, _now) && (request.MaturityLimit is not { } limit || _catalogue.MaturityAge[t] <= limit);
            _known = _scratch.Known;
            Array.Clear(_known);
            var preferences = builder._model.Preferences;
            if (_member >= 0)
            {
                foreach (var t in signals.TitlesOf(_member))
                {
                    var s = signals.Get(_member, t);
                    if (s.Played || PreferenceModel.Weigh(s, preferences, _now).Evidence != Evidence.None) _known[t] = true;
                }
            }
            _shared = builder.ServiceScoresFor(service, _now);
            _popularity = _shared.Popularity;
            (_personal, _model) = PersonalScores();
            ComputeOfferable();
        }

        /// <summary>
        /// The member's scores over the catalogue, standardized: the model's (its row for a member it was trained on with
        /// no newer events, else a fold-in of the member's history as the signals weigh it now), and for titles the model
        /// cannot score (no one had played them), the member's affinity to their genres, cast and director.
        /// </summary>
        private (float[] Personal, float[] Model) PersonalScores()
        {
            var raw = _scratch.Raw;
            MemberRanking.Score(_b._model, _signals, _request.MemberId, raw);

            int n = _titles.Titles;
            var modelScores = _scratch.ModelScores;
            Array.Fill(modelScores, float.NaN);
            var fromModel = _b._fromModel;
            for (int m = 0; m < raw.Length; m++)
                if (fromModel[m] >= 0 && float.IsFinite(raw[m])) modelScores[fromModel[m]] = raw[m];
            var personal = _scratch.Personal;
            for (int t = 0; t < n; t++) personal[t] = float.IsFinite(modelScores[t]) ? modelScores[t] : float.NegativeInfinity;
            ScoreBlend.Standardize(personal);

            // Titles the model cannot score reach the member through their metadata.
            if (_b._coldTitles.Length > 0 && _b._options.MetadataWeight > 0)
            {
                var metadata = MetadataScores();
                foreach (int t in _b._coldTitles)
                    if (float.IsFinite(metadata[t])) personal[t] = _b._options.MetadataWeight * metadata[t];
            }
            return (personal, modelScores);
        }

        /// <summary>
        /// The member's affinity to the genres and people (directors, cast) of each title the model cannot score, from the
        /// titles the member liked, standardized over those titles (every other title keeps 0).
        /// </summary>
        private float[] MetadataScores()
        {
            int n = _titles.Titles;
            var genre = new float[_titles.Genres.Count];
            var people = new float[_catalogue.PeopleIds.Count];
            float total = 0;
            if (_member >= 0)
            {
                foreach (var t in _signals.TitlesOf(_member))
                {
                    var w = PreferenceModel.Weigh(_signals.Get(_member, t), _b._model.Preferences, _now);
                    if (w.Evidence != Evidence.Positive) continue;
                    total += w.Weight;
                    var titleGenres = _titles.TitleGenres[t];
                    foreach (var g in titleGenres) genre[g] += w.Weight / titleGenres.Length;
                    foreach (var p in _catalogue.People[t]) people[p] += w.Weight;
                }
            }
            float scale = 1f / Math.Max(total, 1);
            var scores = _scratch.Metadata;
            Array.Fill(scores, float.NegativeInfinity);
            foreach (int t in _b._coldTitles)
            {
                float sum = 0;
                var genres = _titles.TitleGenres[t];
                foreach (var g in genres) sum += genre[g];
                if (genres.Length > 0) sum /= genres.Length;
                foreach (var p in _catalogue.People[t]) sum += 0.5f * people[p];
                scores[t] = sum * scale;
            }
            ScoreBlend.Standardize(scores);
            return scores;
        }

        public Homepage Build()
        {
            var candidates = new List<CandidateRow>();
            candidates.Add(ContinueWatching());
            candidates.Add(TopPicks());
            candidates.AddRange(BecauseYouWatched());
            candidates.Add(Trending());
            candidates.AddRange(GenreRows());
            candidates.Add(NewOnService());
            candidates.Add(WatchAgain());
            candidates.Add(Popular());

            // Continue Watching and Top Picks lead; the other rows follow in the order the member is likeliest to
            // care about them (their best titles' scores, with a small prior per kind).
            var fixedRows = candidates.Where(c => c.Kind is RowKind.ContinueWatching or RowKind.TopPicks && c.Titles.Count >= MinTitles(c)).ToList();
            var others = candidates.Where(c => c.Kind is not (RowKind.ContinueWatching or RowKind.TopPicks) && c.Titles.Count >= _b._options.MinTitlesPerRow);
            var rest = _b._options.FixedRowOrder
                ? others.OrderBy(c => Template(c.Kind)).ThenBy(c => c.TemplateOrder).ToList()
                : others.OrderByDescending(c => c.Relevance).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
            var ordered = fixedRows.Concat(rest).ToList();

            // Fill the rows in page order; no title twice in the first N slots of the first M rows.
            var aboveFold = new HashSet<int>();
            var rows = new List<PageRow>();
            int foldRows = _b._options.AboveFoldRows, foldTitles = _b._options.AboveFoldTitles;
            foreach (var candidate in ordered)
            {
                if (rows.Count == _rowCount) break;
                bool above = rows.Count < foldRows;
                var entries = new List<PageEntry>(Math.Min(_perRow, candidate.Titles.Count));
                var placed = new List<int>();
                foreach (var c in candidate.Titles)
                {
                    if (entries.Count == _perRow) break;
                    if (above && entries.Count < foldTitles && aboveFold.Contains(c.Title)) continue;
                    entries.Add(Entry(c));
                    if (above && entries.Count <= foldTitles) placed.Add(c.Title);
                }
                if (entries.Count < MinTitles(candidate)) continue;
                foreach (var t in placed) aboveFold.Add(t);
                rows.Add(new PageRow(candidate.Kind, candidate.Key, candidate.Label, candidate.Evidence, entries));
            }
            return new Homepage(_request.MemberId, _request.Device, DateTime.SpecifyKind(_request.AtUtc, DateTimeKind.Utc),
                _b._model.Info.Model + " trained " + _b._model.Info.TrainedAtUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), rows);
        }

        /// <summary>The place of a row kind in the fixed template.</summary>
        private static int Template(RowKind kind) => kind switch
        {
            RowKind.Popular => 0, RowKind.Trending => 1, RowKind.New => 2, RowKind.BecauseYouWatched => 3, RowKind.Genre => 4, _ => 5,
        };

        private int MinTitles(CandidateRow row) => row.Kind == RowKind.ContinueWatching ? 1 : Math.Min(_b._options.MinTitlesPerRow, _perRow);

        private PageEntry Entry(Candidate c)
        {
            Dictionary<string, float>? scores = null;
            if (_request.Explain)
            {
                scores = new Dictionary<string, float>(StringComparer.Ordinal) { ["row"] = c.Score, ["member"] = _personal[c.Title] };
                if (float.IsFinite(_model[c.Title])) scores["model"] = _model[c.Title];
                else scores["metadata"] = _personal[c.Title];
                scores["popularity"] = _popularity[c.Title];
            }
            string? episode = c.Episode >= 0 ? _titles.EpisodeIds[c.Episode] : null;
            return new PageEntry(_titles.TitleIds[c.Title], _titles.Names[c.Title], episode, c.Score, c.Reason, scores);
        }

        private bool Offerable(int t) => _offerable[t];

        /// <summary>Which titles may be offered on this page (available, within the limit, not begun, scored): computed once.</summary>
        private bool[] _offerable = [];

        private void ComputeOfferable()
        {
            int n = _titles.Titles;
            _offerable = _scratch.Offerable;
            for (int t = 0; t < n; t++) _offerable[t] = _eligible[t] && !_known[t] && float.IsFinite(_personal[t]);
        }

        // ---- rows ----

        private CandidateRow ContinueWatching()
        {
            var row = new CandidateRow(RowKind.ContinueWatching, "continue-watching", "Continue Watching", "Pick up where you left off", 10f);
            if (_member < 0) return row;
            if (_b._model.Resume is { } resume)
            {
                // Ordered by the learned chance of resuming; titles predicted abandoned are left out.
                foreach (var entry in global::Encore.Ranking.ContinueWatching.ContinueWatchingRow.Build(_signals, _member, _now, resume, _perRow))
                    if (_eligible[entry.Title]) row.Titles.Add(new Candidate(entry.Title, entry.Probability, entry.Reason, entry.Episode ?? -1));
                return row;
            }
            var entries = new List<(long Last, Candidate Candidate)>();
            foreach (var t in _signals.TitlesOf(_member))
            {
                var s = _signals.Get(_member, t);
                if (!s.Played || !_eligible[t]) continue;
                if (PreferenceModel.Weigh(s, _b._model.Preferences, _now).Evidence == Evidence.Negative) continue;
                var (episode, reason) = NextUp(t, s);
                if (reason is null) continue;
                entries.Add((s.LastPlayMs, new Candidate(t, 0, reason, episode)));
            }
            entries.Sort((a, b) => b.Last != a.Last ? b.Last.CompareTo(a.Last) : a.Candidate.Title.CompareTo(b.Candidate.Title));
            for (int i = 0; i < entries.Count; i++) row.Titles.Add(entries[i].Candidate with { Score = entries.Count - i });
            return row;
        }

        /// <summary>What playing the title again would play: the unfinished episode (or film), the next episode, or nothing when it is finished.</summary>
        private (int Episode, string? Reason) NextUp(int title, in TitleSignals s)
        {
            if (_titles.Kinds[title] == TitleKind.Film || s.LastEpisode < 0)
            {
                if (s.Completed && s.LastEpisodeCompleted) return (-1, null);
                return (-1, string.Create(CultureInfo.InvariantCulture, $"resume at {TimeSpan.FromSeconds(s.LastPosition):h\\:mm\\:ss}"));
            }
            int ordinal = _titles.EpisodeOrdinal[s.LastEpisode];
            if (!s.LastEpisodeCompleted)
                return (s.LastEpisode, string.Create(CultureInfo.InvariantCulture, $"resume episode {ordinal + 1} at {TimeSpan.FromSeconds(s.LastPosition):h\\:mm\\:ss}"));
            if (ordinal + 1 >= _titles.EpisodeCount[title]) return (-1, null);
            for (int e = 0; e < _titles.EpisodeTitle.Length; e++)
                if (_titles.EpisodeTitle[e] == title && _titles.EpisodeOrdinal[e] == ordinal + 1)
                    return (e, string.Create(CultureInfo.InvariantCulture, $"next: episode {ordinal + 2}"));
            return (-1, null);
        }

        private CandidateRow TopPicks()
        {
            var row = new CandidateRow(RowKind.TopPicks, "top-picks", "Top Picks for You",
                _member < 0 ? "Popular picks while we learn what you like" : "Picked for you from everything you have watched", 9f);
            _personalOrder ??= PersonalOrder(_perRow * 2);
            _popularOrder ??= PopularOrder(_perRow * 4);
            FillPersonal(row, _personalOrder, _popularOrder.Take(_perRow).ToList(), "top pick");
            return row;
        }

        private CandidateRow Popular()
        {
            var row = new CandidateRow(RowKind.Popular, "popular", "Popular on Encore", "Most watched this week", 0f);
            _popularOrder ??= PopularOrder(_perRow * 4);
            foreach (var t in _popularOrder.Take(_perRow * 2)) row.Titles.Add(new Candidate(t, _popularity[t], "popular this week"));
            row.Relevance = RelevanceOf(row) - 0.1f;
            return row;
        }

        private CandidateRow Trending()
        {
            var strength = _shared.Trend;
            float w = _b._options.TrendWeight;
            var row = new CandidateRow(RowKind.Trending, "trending", "Trending Now", "Trending in the last 24 hours", 0f);
            var keys = Keys();
            for (int t = 0; t < keys.Length; t++) keys[t] = _offerable[t] && float.IsFinite(strength[t]) ? w * strength[t] + (1 - w) * _personal[t] : float.NegativeInfinity;
            var order = Select(_perRow * 2);
            int hourLed = 0;
            foreach (var t in order)
            {
                bool hour = _shared.HourLed[t];
                if (row.Titles.Count < 6 && hour) hourLed++;
                row.Titles.Add(new Candidate(t, w * strength[t] + (1 - w) * _personal[t], hour ? "rising in the last hour" : "rising over the last day"));
            }
            // The evidence names the window most of the row's first titles rose in.
            if (hourLed * 2 > Math.Min(6, row.Titles.Count)) row.Evidence = "Rising in the last hour";
            row.Relevance = RelevanceOf(row) + 0.2f;
            return row;
        }

        private IEnumerable<CandidateRow> BecauseYouWatched()
        {
            if (_member < 0 || _b._options.MaxBecauseYouWatched == 0) yield break;
            // Which X is personal: titles played in the last days, best liked and most recent first.
            long since = _now - _b._options.BecauseYouWatchedDays * 86_400_000L;
            var anchors = new List<(float Weight, long Last, int Title)>();
            foreach (var t in _signals.TitlesOf(_member))
            {
                var s = _signals.Get(_member, t);
                if (!s.Played || s.LastPlayMs < since || _b._toSimilar[t] < 0) continue;
                var w = PreferenceModel.Weigh(s, _b._model.Preferences, _now);
                if (w.Evidence != Evidence.Positive || !(s.Completed || s.WatchShare >= 0.5f || s.Rating >= 4)) continue;
                anchors.Add((w.Weight, s.LastPlayMs, t));
            }
            anchors.Sort((a, b) => b.Last != a.Last ? b.Last.CompareTo(a.Last) : b.Weight != a.Weight ? b.Weight.CompareTo(a.Weight) : a.Title.CompareTo(b.Title));
            var similar = _b._model.Similar;
            var raw = _scratch.SimilarRaw;
            int rank = 0;
            foreach (var (_, _, anchor) in anchors.Take(_b._options.MaxBecauseYouWatched))
            {
                similar.SimilarTitles(_b._toSimilar[anchor], raw);
                var scores = _scratch.Similar;
                Array.Fill(scores, float.NegativeInfinity);
                for (int m = 0; m < raw.Length; m++)
                    if (_b._fromSimilar[m] >= 0 && float.IsFinite(raw[m])) scores[_b._fromSimilar[m]] = raw[m];
                scores[anchor] = float.NegativeInfinity;
                var name = _titles.Names[anchor];
                var row = new CandidateRow(RowKind.BecauseYouWatched, "byw:" + _titles.TitleIds[anchor], $"Because You Watched {name}", $"Because you watched {name}", 0f);
                var keys = Keys();
                for (int t = 0; t < keys.Length; t++) keys[t] = _offerable[t] && float.IsFinite(scores[t]) ? scores[t] : float.NegativeInfinity;
                foreach (var t in Select(_perRow * 2))
                    row.Titles.Add(new Candidate(t, scores[t], $"like {name}"));
                row.TemplateOrder = rank;
                row.Relevance = RelevanceOf(row) + 0.3f - 0.05f * rank++;
                yield return row;
            }
        }

        private IEnumerable<CandidateRow> GenreRows()
        {
            int genres = _titles.Genres.Count;
            if (genres == 0) yield break;
            var affinity = new float[genres];
            var context = ContextModel.With(_signals, _b._model.ContextShares.Genres == genres ? _b._model.ContextShares : ContextShares.Of(_serviceSignals));
            int hour = _request.AtUtc.Hour;
            context.GenreAffinities(Math.Max(_member, 0), _request.Device, hour, affinity);
            if (_member < 0)
            {
                // A member with no plays gets the service's habits on this device at this time.
                var empty = new SignalSet(_signals.Catalogue, new IdMap(["cold"]));
                ContextModel.With(empty, context.Shares).GenreAffinities(0, _request.Device, hour, affinity);
            }
            if (_b._options.FixedRowOrder)
            {
                // The template: the genres the whole service plays most, the same for every member and device.
                var service = new SignalSet(_signals.Catalogue, new IdMap(["template"]));
                ContextModel.With(service, context.Shares).GenreAffinities(0, DeviceKind.Tv, 20, affinity);
            }
            var order = Enumerable.Range(0, genres).OrderByDescending(g => affinity[g]).ThenBy(g => g).Take(Math.Max(1, _rowCount)).ToList();
            var device = _request.Device.ToString().ToLowerInvariant();
            var (personalByGenre, popularByGenre) = GenreTops(order);
            foreach (var g in order)
            {
                var name = _titles.Genres[g];
                var row = new CandidateRow(RowKind.Genre, "genre:" + name, name, _member < 0 ? $"{name}, popular on {device}" : $"{name} for you", 0f);
                FillPersonal(row, personalByGenre[g], popularByGenre[g], name.ToLowerInvariant());
                // The genre's place on the page: the member's taste for it here, and how good its best titles are.
                row.Relevance = 0.5f * affinity[g] + RelevanceOf(row) + 0.1f;
                row.TemplateOrder = order.IndexOf(g);
                yield return row;
            }
        }

        private CandidateRow NewOnService()
        {
            long since = _now - _b._options.NewDays * 86_400_000L;
            var row = new CandidateRow(RowKind.New, "new", "New on Encore", $"Added in the last {_b._options.NewDays} days", 0f);
            var keys = Keys();
            var from = _catalogue.AvailableFromMs;
            for (int t = 0; t < keys.Length; t++) keys[t] = _offerable[t] && from[t] > since ? _personal[t] : float.NegativeInfinity;
            foreach (var t in Select(_perRow * 2))
                row.Titles.Add(new Candidate(t, _personal[t], "new on the service"));
            row.Relevance = RelevanceOf(row);
            return row;
        }

        private CandidateRow WatchAgain()
        {
            var row = new CandidateRow(RowKind.WatchAgain, "watch-again", "Watch Again", "Titles you loved", 0f);
            if (_member < 0) return row;
            var loved = new List<(float Score, int Title, string Reason)>();
            foreach (var t in _signals.TitlesOf(_member))
            {
                var s = _signals.Get(_member, t);
                if (!s.Completed || !_eligible[t] || !(s.TitleReplays > 0 || s.SceneReplays > 0 || s.Rating >= 4.5f)) continue;
                var w = PreferenceModel.Weigh(s, _b._model.Preferences, _now);
                if (w.Evidence != Evidence.Positive) continue;
                string reason = s.TitleReplays > 0 ? "you watched it again" : s.SceneReplays > 0 ? "you replayed scenes of it"
                    : string.Create(CultureInfo.InvariantCulture, $"you rated it {s.Rating:0.#}");
                loved.Add((w.Weight + s.TitleReplays + 0.25f * s.SceneReplays, t, reason));
            }
            loved.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Title.CompareTo(b.Title));
            foreach (var (score, t, reason) in loved.Take(_perRow * 2)) row.Titles.Add(new Candidate(t, score, reason));
            row.Relevance = row.Titles.Count == 0 ? float.NegativeInfinity : -0.2f;
            return row;
        }

        /// <summary>
        /// The member's own order (<paramref name="personal"/>) over the titles the row allows, with popular titles mixed into every
        /// 1/share-th slot (deterministically), as a row's candidates.
        /// </summary>
        private void FillPersonal(CandidateRow row, IReadOnlyList<int> personal, IReadOnlyList<int> popular, string reason)
        {
            float share = _b._options.PopularShare;
            int every = share <= 0 ? int.MaxValue : Math.Max(2, (int)MathF.Round(1 / share));
            var used = new HashSet<int>();
            int p = 0, q = 0;
            for (int slot = 0; row.Titles.Count < personal.Count + popular.Count && slot < _perRow * 2; slot++)
            {
                bool popularSlot = (slot + 1) % every == 0;
                int title = -1;
                string why = reason;
                if (popularSlot)
                {
                    while (q < popular.Count && used.Contains(popular[q])) q++;
                    if (q < popular.Count) { title = popular[q++]; why = "popular on the service"; }
                }
                if (title < 0)
                {
                    while (p < personal.Count && used.Contains(personal[p])) p++;
                    if (p < personal.Count) title = personal[p++];
                }
                if (title < 0) break;
                used.Add(title);
                row.Titles.Add(new Candidate(title, _personal[title], why));
            }
            row.Relevance = RelevanceOf(row) + row.Relevance;
        }

        /// <summary>
        /// For each of <paramref name="genres"/>, its best offerable titles by the member's score and by popularity, best
        /// first, in one pass over the catalogue (a bounded heap per genre; ties go to the lower index).
        /// </summary>
        private (List<int>[] Personal, List<int>[] Popular) GenreTops(IReadOnlyList<int> genres)
        {
            int count = _titles.Genres.Count, personalSize = _perRow * 2, popularSize = _perRow;
            var personal = new PriorityQueue<int, (float, int)>?[count];
            var popular = new PriorityQueue<int, (float, int)>?[count];
            foreach (var g in genres)
            {
                personal[g] = new PriorityQueue<int, (float, int)>(personalSize + 1);
                popular[g] = new PriorityQueue<int, (float, int)>(popularSize + 1);
            }
            // Each full heap's worst score: most titles fall below it and are passed over without touching the heap.
            var personalFloor = new float[count];
            var popularFloor = new float[count];
            Array.Fill(personalFloor, float.NegativeInfinity);
            Array.Fill(popularFloor, float.NegativeInfinity);
            for (int t = 0; t < _titles.Titles; t++)
            {
                if (!Offerable(t)) continue;
                float score = _personal[t], popularity = _popularity[t];
                foreach (var g in _titles.TitleGenres[t])
                {
                    if (personal[g] is not { } heap) continue;
                    if (!(score < personalFloor[g])) personalFloor[g] = Offer(heap, t, score, personalSize);
                    if (popularity > 0 && !(popularity < popularFloor[g])) popularFloor[g] = Offer(popular[g]!, t, popularity, popularSize);
                }
            }
            var personalLists = new List<int>[count];
            var popularLists = new List<int>[count];
            foreach (var g in genres)
            {
                personalLists[g] = Drain(personal[g]!);
                popularLists[g] = Drain(popular[g]!);
            }
            return (personalLists, popularLists);

            // Keeps the title when it beats the heap's worst; answers the score below which nothing can enter now.
            static float Offer(PriorityQueue<int, (float, int)> heap, int title, float score, int size)
            {
                // The heap's top is the worst kept: the lowest score, and among equal scores the highest index.
                var key = (score, -title);
                if (heap.Count < size) heap.Enqueue(title, key);
                else if (heap.TryPeek(out _, out var worst) && key.CompareTo(worst) > 0) heap.DequeueEnqueue(title, key);
                return heap.Count < size || !heap.TryPeek(out _, out var floor) || float.IsNaN(floor.Item1) ? float.NegativeInfinity : floor.Item1;
            }

            static List<int> Drain(PriorityQueue<int, (float, int)> heap)
            {
                var list = new List<int>(heap.Count);
                while (heap.Count > 0) list.Add(heap.Dequeue());
                list.Reverse();
                return list;
            }
        }

        private float RelevanceOf(CandidateRow row)
        {
            if (row.Titles.Count == 0) return float.NegativeInfinity;
            float sum = 0;
            int n = Math.Min(6, row.Titles.Count);
            for (int i = 0; i < n; i++) sum += float.IsFinite(_personal[row.Titles[i].Title]) ? _personal[row.Titles[i].Title] : 0f;
            return sum / n;
        }

        /// <summary>The page's sort keys over the catalogue (a row fills them, then <see cref="Select"/> takes its best).</summary>
        private Span<float> Keys() => _scratch.Order.AsSpan(0, _titles.Titles);

        /// <summary>
        /// The best <paramref name="count"/> titles by the keys a row filled in (-inf: not a candidate), best first (ties:
        /// lower index), by a partial selection: the catalogue is never sorted whole.
        /// </summary>
        private int[] Select(int count)
        {
            var keys = Keys();
            var result = new int[Math.Min(count, keys.Length)];
            int found = TopN.Select(keys, result.Length, result);
            return found == result.Length ? result : result[..found];
        }

        private int[] PersonalOrder(int count)
        {
            var keys = Keys();
            for (int t = 0; t < keys.Length; t++) keys[t] = _offerable[t] ? _personal[t] : float.NegativeInfinity;
            return Select(count);
        }

        private int[] PopularOrder(int count)
        {
            var keys = Keys();
            for (int t = 0; t < keys.Length; t++) keys[t] = _offerable[t] && _popularity[t] > 0 ? _popularity[t] : float.NegativeInfinity;
            return Select(count);
        }
    }

    private readonly record struct Candidate(int Title, float Score, string Reason, int Episode = -1);

    private sealed class CandidateRow(RowKind kind, string key, string label, string evidence, float relevance)
    {
        public RowKind Kind { get; } = kind;
        public string Key { get; } = key;
        public string Label { get; } = label;
        public string Evidence { get; set; } = evidence;
        public float Relevance { get; set; } = relevance;
        /// <summary>The row's place among rows of its kind in the fixed template (genres by the service's plays, anchors by recency).</summary>
        public int TemplateOrder { get; set; }
        public List<Candidate> Titles { get; } = [];
    }
}
