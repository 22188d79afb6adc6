using System.Runtime.CompilerServices;
using Encore.Simulation;

namespace Encore.Evaluation.Campaigns;

/// <summary>
/// A homepage policy or campaign of the campaign lab, as a score per (member, title): a weight on the title's log
/// popularity, a weight on the member's true utility (a personalized policy as good as the simulator's truth allows),
/// boosts for a genre, for recent releases and for series; and a temperature. Each slot shows a title drawn from the
/// softmax of score/temperature over the row's candidates not yet on the page.
/// </summary>
public sealed record CampaignSpec(string Name)
{
    public double PopularityWeight { get; init; } = 1;
    public double UtilityWeight { get; init; }
    /// <summary>Genre index boosted (see <see cref="Genres"/>), or -1.</summary>
    public int Genre { get; init; } = -1;
    public double GenreBoost { get; init; }
    /// <summary>Boost of titles released in the two years before the simulation starts.</summary>
    public double RecentBoost { get; init; }
    public double SeriesBoost { get; init; }
    public double Temperature { get; init; } = 1;

    /// <summary>The score of <paramref name="title"/> for <paramref name="member"/> given the day's log popularity.</summary>
    public double Score(SimulatedService service, bool[] recent, int member, int title, float logPopularity)
    {
        double s = PopularityWeight * logPopularity;
        if (UtilityWeight != 0) s += UtilityWeight * service.Truth.Utility(member, title);
        if (Genre >= 0 && Genres.Has(service.Catalogue.GenreMasks[title], Genre)) s += GenreBoost;
        if (RecentBoost != 0 && recent[title]) s += RecentBoost;
        if (SeriesBoost != 0 && service.Catalogue.IsSeries(title)) s += SeriesBoost;
        return s / Temperature;
    }

    /// <summary>Writes π(a | candidates) for every candidate into <paramref name="probabilities"/> (softmax of the scores).</summary>
    public void Distribution(SimulatedService service, bool[] recent, int member, ReadOnlySpan<int> candidates, ReadOnlySpan<float> logPopularity, Span<double> probabilities)
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < candidates.Length; k++)
        {
            probabilities[k] = Score(service, recent, member, candidates[k], logPopularity[candidates[k]]);
            max = Math.Max(max, probabilities[k]);
        }
        double sum = 0;
        for (int k = 0; k < candidates.Length; k++) sum += probabilities[k] = Math.Exp(probabilities[k] - max);
        for (int k = 0; k < candidates.Length; k++) probabilities[k] /= sum;
    }
}

/// <summary>
/// The lab's page: a top-picks row and three genre rows (the genres the member watched most, else the most popular),
/// <see cref="RowLength"/> slots each, every slot drawn from the softmax of the <see cref="CampaignSpec"/> over the
/// row's <see cref="PoolSize"/> most popular available titles not yet on the page; each slot's propensity is exact given
/// the slots before it. With a <see cref="PageRecorder"/> it records every slot's candidates, so that any other
/// spec's probability of what was shown can be computed afterwards (what a logging policy must keep).
/// </summary>
internal sealed class CampaignPagePolicy : IHomepagePolicy
{
    public const int RowLength = 10;
    public const int PoolSize = 30;
    private const int GenreRows = 3;
    private readonly SimulatedService _service;
    private readonly bool[] _recent;
    private readonly PageRecorder? _recorder;
    private readonly ThreadLocal<Buffers> _buffers;
    private readonly string[] _genreRowNames;
    private ServiceView? _view;
    private int[] _byPopularity = [];
    private float[] _logPopularity = [];
    private int[] _genreOrder = [];

    public CampaignPagePolicy(SimulatedService service, CampaignSpec spec, PageRecorder? recorder = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(spec);
        if (!(spec.Temperature > 0)) throw new ArgumentOutOfRangeException(nameof(spec), spec.Temperature, $"campaign '{spec.Name}': the temperature must be positive");
        _service = service;
        Spec = spec;
        _recorder = recorder;
        _recent = RecentTitles(service);
        _buffers = new ThreadLocal<Buffers>(() => new Buffers());
        _genreRowNames = new string[Genres.Count];
        for (int g = 0; g < Genres.Count; g++) _genreRowNames[g] = "genre:" + Genres.Slug(g);
    }

    public CampaignSpec Spec { get; }
    public string Name => "campaign:" + Spec.Name;

    /// <summary>Titles released in the two years before day 0.</summary>
    public static bool[] RecentTitles(SimulatedService service)
    {
        var cutoff = DateOnly.FromDateTime(service.Options.StartUtc).AddYears(-2);
        var recent = new bool[service.Catalogue.Count];
        for (int t = 0; t < recent.Length; t++) recent[t] = service.Catalogue.ReleaseDates[t] >= cutoff;
        return recent;
    }

    public void PrepareDay(ServiceView service)
    {
        _view = service;
        var log = new float[service.Catalogue.Count];
        for (int t = 0; t < log.Length; t++) log[t] = MathF.Log(1f + service.Popularity[t]);
        var order = (int[])service.Available.Clone();
        Array.Sort(order, (a, b) => log[b] != log[a] ? log[b].CompareTo(log[a]) : a.CompareTo(b));
        var total = new float[Genres.Count];
        foreach (int t in service.Available)
            for (int g = 0; g < Genres.Count; g++) if (Genres.Has(service.Catalogue.GenreMasks[t], g)) total[g] += service.Popularity[t];
        var genres = new int[Genres.Count];
        for (int g = 0; g < genres.Length; g++) genres[g] = g;
        Array.Sort(genres, (a, b) => total[b] != total[a] ? total[b].CompareTo(total[a]) : a.CompareTo(b));
        _logPopularity = log;
        _byPopularity = order;
        _genreOrder = genres;
        _recorder?.KeepDay(service.Day, log);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void BuildPage(scoped in PageRequest request, ref SimRandom rng, Homepage page)
    {
        if (_view is null) throw new InvalidOperationException("PrepareDay must be called before BuildPage");
        var b = _buffers.Value!;
        var catalogue = _service.Catalogue;
        foreach (ref readonly var entry in request.History)
            if (entry.State == ViewingState.Finished) page.Exclude(entry.Title);
        var record = _recorder?.BeginPage(request.Member, request.Day, page.RowCount);

        Span<float> watched = stackalloc float[Genres.Count];
        foreach (ref readonly var entry in request.History)
            for (int g = 0; g < Genres.Count; g++) if (Genres.Has(catalogue.GenreMasks[entry.Title], g)) watched[g] += entry.Weight;
        Span<bool> used = stackalloc bool[Genres.Count];
        for (int row = 0; row <= GenreRows; row++)
        {
            int genre = -1;
            if (row > 0)
            {
                for (int g = 0; g < Genres.Count; g++) if (!used[g] && watched[g] > 0 && (genre < 0 || watched[g] > watched[genre])) genre = g;
                if (genre < 0) foreach (int g in _genreOrder) if (!used[g]) { genre = g; break; }
                if (genre < 0) break;
                used[genre] = true;
            }
            int n = 0;
            foreach (int t in _byPopularity)
            {
                if (n == PoolSize) break;
                if (page.Contains(t) || (genre >= 0 && !Genres.Has(catalogue.GenreMasks[t], genre))) continue;
                b.Pool[n++] = t;
            }
            if (n == 0) continue;
            page.BeginRow(genre < 0 ? "top-picks" : _genreRowNames[genre]);
            int policyRow = page.RowCount - 1;
            for (int slot = 0; slot < RowLength; slot++)
            {
                int m = 0;
                for (int k = 0; k < n; k++) if (!page.Contains(b.Pool[k])) b.Remaining[m++] = b.Pool[k];
                if (m == 0) break;
                var remaining = b.Remaining.AsSpan(0, m);
                var probabilities = b.Probabilities.AsSpan(0, m);
                Spec.Distribution(_service, _recent, request.Member, remaining, _logPopularity, probabilities);
                double u = rng.NextDouble(), acc = 0;
                int chosen = m - 1;
                for (int k = 0; k < m; k++)
                {
                    acc += probabilities[k];
                    if (u < acc) { chosen = k; break; }
                }
                page.Add(remaining[chosen], (float)probabilities[chosen]);
                record?.AddSlot(policyRow, slot, remaining, remaining[chosen], probabilities[chosen]);
            }
            page.DropEmptyLastRow();
        }
    }

    private sealed class Buffers
    {
        public readonly int[] Pool = new int[PoolSize];
        public readonly int[] Remaining = new int[PoolSize];
        public readonly double[] Probabilities = new double[PoolSize];
    }
}

/// <summary>
/// What a logging policy keeps of every page it builds: per slot, the candidates it drew from, what it showed and the
/// probability; per page, the member, the day and which of the member's sessions that day it was (pages of one member's
/// day are built in order on one thread). The simulated days' log popularity is kept too, so that other specs can be
/// scored afterwards exactly as they would have scored then.
/// </summary>
internal sealed class PageRecorder
{
    private readonly ThreadLocal<Part> _parts = new(() => new Part(), trackAllValues: true);
    private readonly Dictionary<int, float[]> _days = [];

    internal void KeepDay(int day, float[] logPopularity)
    {
        lock (_days) _days[day] = logPopularity;
    }

    /// <summary>The log popularity the policies used on <paramref name="day"/>.</summary>
    public float[] LogPopularity(int day) => _days[day];

    internal Part BeginPage(int member, int day, int rowOffset)
    {
        var part = _parts.Value!;
        if (part.LastMember == member && part.LastDay == day) part.Ordinal++;
        else { part.LastMember = member; part.LastDay = day; part.Ordinal = 0; }
        part.Pages.Add(new RecordedPage(member, day, part.Ordinal, rowOffset, part.Slots.Count));
        return part;
    }

    /// <summary>Every recorded page, keyed by (member, day, ordinal of the session that day), with its slots.</summary>
    public RecordedPages Collect()
    {
        var pages = new Dictionary<(int, int, int), (Part Part, int Page)>();
        foreach (var part in _parts.Values)
            for (int p = 0; p < part.Pages.Count; p++)
            {
                var page = part.Pages[p];
                pages[(page.Member, page.Day, page.Ordinal)] = (part, p);
            }
        return new RecordedPages(pages);
    }

    internal sealed class Part
    {
        public int LastMember = -1, LastDay = -1, Ordinal;
        public readonly List<RecordedPage> Pages = [];
        public readonly List<RecordedSlot> Slots = [];
        public readonly List<int> Candidates = [];

        public void AddSlot(int row, int slot, ReadOnlySpan<int> candidates, int shown, double propensity)
        {
            Slots.Add(new RecordedSlot(row, slot, Candidates.Count, candidates.Length, shown, propensity));
            foreach (int c in candidates) Candidates.Add(c);
        }
    }
}

internal readonly record struct RecordedPage(int Member, int Day, int Ordinal, int RowOffset, int FirstSlot);

/// <summary>One recorded slot: page row (counting the service's own rows), position, candidates (start, count) in its part, title shown, propensity.</summary>
internal readonly record struct RecordedSlot(int Row, int Position, int CandidateStart, int CandidateCount, int Shown, double Propensity);

/// <summary>The pages a <see cref="PageRecorder"/> kept, for looking up the slot behind an impression.</summary>
internal sealed class RecordedPages
{
    private readonly Dictionary<(int, int, int), (PageRecorder.Part Part, int Page)> _pages;

    internal RecordedPages(Dictionary<(int, int, int), (PageRecorder.Part Part, int Page)> pages) => _pages = pages;

    public int Count => _pages.Count;

    /// <summary>The candidates and propensity of the slot shown at (row, position) of the member's <paramref name="ordinal"/>-th page that day; false when not recorded.</summary>
    public bool TryGetSlot(int member, int day, int ordinal, int row, int position, out ReadOnlySpan<int> candidates, out int shown, out double propensity)
    {
        candidates = default;
        shown = -1;
        propensity = 0;
        if (!_pages.TryGetValue((member, day, ordinal), out var entry)) return false;
        var part = entry.Part;
        int end = entry.Page + 1 < part.Pages.Count ? part.Pages[entry.Page + 1].FirstSlot : part.Slots.Count;
        for (int s = part.Pages[entry.Page].FirstSlot; s < end; s++)
        {
            var slot = part.Slots[s];
            if (slot.Row != row || slot.Position != position) continue;
            candidates = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(part.Candidates).Slice(slot.CandidateStart, slot.CandidateCount);
            shown = slot.Shown;
            propensity = slot.Propensity;
            return true;
        }
        return false;
    }
}
