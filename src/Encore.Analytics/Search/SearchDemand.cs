using System.Globalization;
using Encore.Core;
using Encore.Ranking.Search;
using Encore.Storage;

namespace Encore.Analytics.Search;

/// <summary>What a group of searches was after, as the catalogue answers it.</summary>
public enum DemandKind
{
    /// <summary>No title carries every word of it: something the service does not have.</summary>
    Absent,
    /// <summary>A title the catalogue has (by its name).</summary>
    Title,
    /// <summary>A person of the catalogue (cast or director).</summary>
    Person,
    /// <summary>A kind of title: a genre.</summary>
    Genre,
}

/// <summary>One way members typed a group's query, and how often.</summary>
public sealed record DemandSpelling(string Query, int Searches);

/// <summary>
/// A group of searches for one thing: its canonical text (a title's, person's or genre's name, or the most common spelling
/// of something absent), the spellings folded into it, how many searches and members, how many of those played nothing
/// from the results ("unmet"), how engaged those members are, and the demand that makes.
/// </summary>
/// <param name="Target">The title, person or genre matched (for <see cref="DemandKind.Absent"/>: null).</param>
/// <param name="Engagement">The mean viewing sessions of the members whose searches went unmet.</param>
/// <param name="Demand">Unmet members weighted by how engaged they are: Σ over them of log2(2 + sessions).</param>
public sealed record DemandGroup(DemandKind Kind, string Query, string? Target, IReadOnlyList<DemandSpelling> Spellings, int Searches, int Members,
    int Unmet, int UnmetMembers, double Engagement, double Demand);

/// <summary>What members searched for over a period, grouped and ranked by unmet demand.</summary>
public sealed record SearchDemandReport(DateTime? FromUtc, DateTime? ToUtc, long Searches, long UnmetSearches, int DistinctQueries, IReadOnlyList<DemandGroup> Groups)
{
    public IEnumerable<DemandGroup> Of(DemandKind kind) => Groups.Where(g => g.Kind == kind);
}

/// <summary>The settings of <see cref="SearchDemand.Analyze"/>.</summary>
public sealed record SearchDemandOptions
{
    public DateTime? FromUtc { get; init; }
    public DateTime? ToUtc { get; init; }
    /// <summary>Groups with fewer members than this are left out of the report (noise).</summary>
    public int MinMembers { get; init; } = 2;
}

/// <summary>
/// What members search for and cannot find or do not play. Every search is normalized as the search index normalizes
/// it (case, diacritics, punctuation) and looked up in the catalogue: a query whose every word some title carries (in
/// its name, cast, directors or genres, typos folded as search folds them) is about that title, person or genre, and is
/// grouped under it; a query no title covers is about something absent, and absent queries are folded together when they
/// are the same words with typos (the most common spelling names the group). Groups are ranked by unmet demand:
/// the members whose searches played nothing, each weighted by how engaged they are.
/// </summary>
public static class SearchDemand
{
    /// <summary>Reads the searches in the period from <paramref name="store"/> (one pass over the search events) and the members' engagement.</summary>
    public static async Task<SearchDemandReport> AnalyzeAsync(IEventStore store, SearchIndex index, Func<string, int> sessionsOf,
        SearchDemandOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new SearchDemandOptions();
        var searches = new List<(string Member, string Query, bool Played)>();
        await foreach (var e in store.ReadEventsAsync(new EventQuery { Kinds = [EventKind.Search], FromUtc = options.FromUtc, ToUtc = options.ToUtc }, ct).ConfigureAwait(false))
            if (!string.IsNullOrWhiteSpace(e.Query)) searches.Add((e.MemberId, e.Query, e.TitleId is not null));
        return Analyze(searches, index, sessionsOf, options);
    }

    /// <summary>Groups and ranks <paramref name="searches"/> (member, query as typed, whether a title was played from its results).</summary>
    public static SearchDemandReport Analyze(IReadOnlyList<(string Member, string Query, bool Played)> searches, SearchIndex index, Func<string, int> sessionsOf,
        SearchDemandOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(searches);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(sessionsOf);
        options ??= new SearchDemandOptions();
        if (options.MinMembers < 1) throw new ArgumentException($"MinMembers must be at least 1 (got {options.MinMembers})");

        // Each distinct normalized query once: what the catalogue makes of it.
        var byQuery = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < searches.Count; i++)
        {
            var key = SearchText.Normalize(searches[i].Query);
            if (key.Length == 0) continue;
            if (!byQuery.TryGetValue(key, out var list)) byQuery[key] = list = [];
            list.Add(i);
        }
        var request = new SearchRequest { Count = 1, AsOfUtc = DateTime.MaxValue.AddDays(-1) };
        var groups = new Dictionary<(DemandKind, string), Builder>();
        var absent = new List<(string Query, List<int> Searches)>();
        foreach (var (query, members) in byQuery)
        {
            var (kind, target, label) = Classify(index, query, request);
            if (kind == DemandKind.Absent) { absent.Add((query, members)); continue; }
            if (!groups.TryGetValue((kind, target!), out var group)) groups[(kind, target!)] = group = new Builder(kind, label!, target);
            group.Add(query, members);
        }
        // Absent queries: the most searched spelling first; a spelling within a few edits of a group joins it.
        absent.Sort((a, b) => b.Searches.Count != a.Searches.Count ? b.Searches.Count.CompareTo(a.Searches.Count) : string.CompareOrdinal(a.Query, b.Query));
        var absentGroups = new List<Builder>();
        foreach (var (query, members) in absent)
        {
            Builder? home = null;
            var tokens = query.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var g in absentGroups)
            {
                if (SameWords(g.Tokens, tokens)) { home = g; break; }
            }
            if (home is null) absentGroups.Add(home = new Builder(DemandKind.Absent, query, null) { Tokens = tokens });
            home.Add(query, members);
        }
        var report = new List<DemandGroup>();
        long unmetSearches = 0;
        foreach (var b in groups.Values.Concat(absentGroups))
        {
            var g = b.Finish(searches, sessionsOf);
            unmetSearches += g.Unmet;
            if (g.Members >= options.MinMembers) report.Add(g);
        }
        report.Sort((a, b) => b.Demand != a.Demand ? b.Demand.CompareTo(a.Demand) : b.Searches != a.Searches ? b.Searches.CompareTo(a.Searches) : string.CompareOrdinal(a.Query, b.Query));
        return new SearchDemandReport(options.FromUtc, options.ToUtc, searches.Count, unmetSearches, byQuery.Count, report);
    }

    /// <summary>
    /// Whether two spellings are the same words, typos folded as search folds them: as many words, each within one edit
    /// from four letters and two from eight (shorter words, and numbers, exactly): "midnight garae" is "midnight garage",
    /// "the engine 4" is not "the engine 5", "kira" is not "tara".
    /// </summary>
    private static bool SameWords(string[] a, string[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
        {
            if (string.Equals(a[i], b[i], StringComparison.Ordinal)) continue;
            int shorter = Math.Min(a[i].Length, b[i].Length);
            int edits = shorter >= 8 ? 2 : shorter >= 4 ? 1 : 0;
            if (edits == 0 || a[i].Any(char.IsDigit) || b[i].Any(char.IsDigit)) return false;
            if (Math.Abs(a[i].Length - b[i].Length) > edits || EditDistance.Bounded(a[i], b[i], edits) > edits) return false;
        }
        return true;
    }

    /// <summary>
    /// What a normalized query is about: the best title that carries every word of it, as a title (name words), a person or
    /// a genre (the field most of its words matched in); absent when no title carries them all.
    /// </summary>
    /// <summary>What a query is after; Label is the group's canonical text (a title's name, a person's, a genre's).</summary>
    private static (DemandKind Kind, string? Target, string? Label) Classify(SearchIndex index, string query, SearchRequest request)
    {
        var result = index.Search(query, request);
        if (result.Hits.Count == 0 || result.Tokens.Count == 0) return (DemandKind.Absent, null, null);
        var hit = result.Hits[0];
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in hit.Matches) covered.Add(m.Token);
        if (covered.Count < result.Tokens.Distinct().Count()) return (DemandKind.Absent, null, null);
        int name = 0, person = 0, genre = 0;
        string? personName = null, genreName = null;
        foreach (var m in hit.Matches)
        {
            switch (m.Field)
            {
                case SearchField.Name: name++; break;
                case SearchField.Cast or SearchField.Director: person++; personName ??= m.Value; break;
                default: genre++; genreName ??= m.Value; break;
            }
        }
        if (name >= person && name >= genre) return (DemandKind.Title, hit.TitleId, hit.Name);
        return person >= genre ? (DemandKind.Person, personName, personName) : (DemandKind.Genre, genreName, genreName);
    }

    private sealed class Builder(DemandKind kind, string text, string? target)
    {
        public DemandKind Kind { get; } = kind;
        public string Text { get; } = text;
        /// <summary>The words of the group's first spelling (absent groups fold spellings by them).</summary>
        public string[] Tokens { get; init; } = [];
        private readonly List<DemandSpelling> _spellings = [];
        private readonly List<int> _searches = [];

        public void Add(string query, List<int> searches)
        {
            _spellings.Add(new DemandSpelling(query, searches.Count));
            _searches.AddRange(searches);
        }

        public DemandGroup Finish(IReadOnlyList<(string Member, string Query, bool Played)> all, Func<string, int> sessionsOf)
        {
            var members = new HashSet<string>(StringComparer.Ordinal);
            var played = new HashSet<string>(StringComparer.Ordinal);
            var unmetMembers = new HashSet<string>(StringComparer.Ordinal);
            int unmet = 0;
            foreach (var i in _searches)
            {
                members.Add(all[i].Member);
                if (all[i].Played) played.Add(all[i].Member);
                else unmet++;
            }
            // A member is unmet when none of their searches for it played anything.
            foreach (var m in members) if (!played.Contains(m)) unmetMembers.Add(m);
            double demand = 0, sessions = 0;
            foreach (var m in unmetMembers)
            {
                int s = Math.Max(0, sessionsOf(m));
                sessions += s;
                demand += Math.Log2(2 + s);
            }
            _spellings.Sort((a, b) => b.Searches != a.Searches ? b.Searches.CompareTo(a.Searches) : string.CompareOrdinal(a.Query, b.Query));
            var canonical = Kind == DemandKind.Absent ? _spellings[0].Query : Text;
            return new DemandGroup(Kind, canonical, target, _spellings, _searches.Count, members.Count, unmet, unmetMembers.Count,
                unmetMembers.Count == 0 ? 0 : sessions / unmetMembers.Count, Math.Round(demand, 3));
        }
    }

    /// <summary>The report as lines of text: the groups of each kind, top <paramref name="top"/> each.</summary>
    public static IEnumerable<string> Describe(SearchDemandReport report, Func<string, string> titleName, int top = 10)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"{report.Searches:N0} searches ({report.DistinctQueries:N0} distinct), {report.UnmetSearches:N0} played nothing");
        foreach (var kind in Enum.GetValues<DemandKind>())
        {
            var groups = report.Of(kind).Take(top).ToList();
            if (groups.Count == 0) continue;
            yield return kind switch
            {
                DemandKind.Absent => "In demand and not in the catalogue:",
                DemandKind.Title => "Titles searched for (unmet: found but not played):",
                DemandKind.Person => "People searched for:",
                _ => "Kinds of titles searched for:",
            };
            foreach (var g in groups)
            {
                var name = g.Kind == DemandKind.Title ? $"{titleName(g.Target!)} ({g.Target})" : g.Query;
                var spellings = g.Spellings.Count > 1 ? $"; {g.Spellings.Count} spellings, e.g. \"{g.Spellings[Math.Min(1, g.Spellings.Count - 1)].Query}\"" : "";
                yield return string.Create(c, $"  {name}: {g.Members:N0} members, {g.UnmetMembers:N0} unmet (mean {g.Engagement:F1} sessions), demand {g.Demand:F1}{spellings}");
            }
        }
    }
}
