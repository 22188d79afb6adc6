using System.Runtime.CompilerServices;
namespace Encore.Simulation;

/// <summary>
/// Base of policies that score every title for a member: a "top-picks" row of the best scores, then rows for
/// the genres the member has watched most, each ranked by the same scores, all with epsilon-greedy exploration.
/// Finished titles are left off the page.
/// </summary>
internal abstract class ScoredPolicy : IHomepagePolicy
{
    private const int RowLength = 18;
    private const int GenreRows = 5;
    private const int Shortlist = 400;
    private readonly double _epsilon;
    private readonly ThreadLocal<Buffers> _buffers;
    private readonly string[] _genreRowNames;
    private int[] _genreOrder = Enumerable.Range(0, Genres.Count).ToArray();

    protected ScoredPolicy(SimCatalogue catalogue, double exploration)
    {
        if (exploration is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(exploration), exploration, "exploration must be within 0..1");
        Catalogue = catalogue;
        _epsilon = exploration;
        _buffers = new ThreadLocal<Buffers>(() => new Buffers(catalogue.Count));
        _genreRowNames = new string[Genres.Count];
        for (int g = 0; g < Genres.Count; g++) _genreRowNames[g] = "genre:" + Genres.Slug(g);
    }

    public abstract string Name { get; }
    protected SimCatalogue Catalogue { get; }
    protected ServiceView? Service { get; private set; }

    public virtual void PrepareDay(ServiceView service)
    {
        Service = service;
        var total = new float[Genres.Count];
        foreach (int t in service.Available)
            for (int g = 0; g < Genres.Count; g++) if (Genres.Has(Catalogue.GenreMasks[t], g)) total[g] += service.Popularity[t];
        var order = Enumerable.Range(0, Genres.Count).ToArray();
        Array.Sort(order, (a, b) => total[b].CompareTo(total[a]) is var c && c != 0 ? c : a.CompareTo(b));
        _genreOrder = order;
    }

    /// <summary>Writes a score (higher is better) for every title of the catalogue.</summary>
    protected abstract void Score(scoped in PageRequest request, Span<float> scores);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void BuildPage(scoped in PageRequest request, ref SimRandom rng, Homepage page)
    {
        var service = Service ?? throw new InvalidOperationException("PrepareDay must be called before BuildPage");
        var buffers = _buffers.Value!;
        foreach (ref readonly var entry in request.History)
            if (entry.State == ViewingState.Finished) page.Exclude(entry.Title);

        var scores = buffers.Scores;
        Score(request, scores);
        int count = TopAvailable(service, page, scores, buffers.Shortlist);
        var shortlist = buffers.Shortlist.AsSpan(0, count);

        page.BeginRow("top-picks");
        RowFiller.Fill(page, shortlist, RowLength, _epsilon, service.Available, ref rng);
        page.DropEmptyLastRow();

        Span<float> watched = stackalloc float[Genres.Count];
        foreach (ref readonly var entry in request.History)
            for (int g = 0; g < Genres.Count; g++) if (Genres.Has(Catalogue.GenreMasks[entry.Title], g)) watched[g] += entry.Weight;
        Span<bool> used = stackalloc bool[Genres.Count];
        var genreList = buffers.GenreList;
        for (int row = 0; row < GenreRows; row++)
        {
            int best = -1;
            for (int g = 0; g < Genres.Count; g++)
                if (!used[g] && watched[g] > 0 && (best < 0 || watched[g] > watched[best])) best = g;
            if (best < 0) foreach (int g in _genreOrder) if (!used[g]) { best = g; break; }
            if (best < 0) break;
            used[best] = true;
            int n = 0;
            foreach (int t in shortlist) if (Genres.Has(Catalogue.GenreMasks[t], best)) genreList[n++] = t;
            page.BeginRow(_genreRowNames[best]);
            RowFiller.Fill(page, genreList.AsSpan(0, n), RowLength, _epsilon, service.Available, ref rng);
            page.DropEmptyLastRow();
        }
    }

    /// <summary>The best-scored available titles not excluded from the page, best first (ties by index).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int TopAvailable(ServiceView service, Homepage page, float[] scores, int[] result)
    {
        var heap = new PriorityQueue<int, (float Score, int NegIndex)>(Shortlist + 1);
        foreach (int t in service.Available)
        {
            if (page.Contains(t)) continue;
            var key = (scores[t], -t);
            if (heap.Count < Shortlist) heap.Enqueue(t, key);
            else if (heap.TryPeek(out _, out var worst) && (key.Item1 > worst.Score || (key.Item1 == worst.Score && key.Item2 > worst.NegIndex)))
                heap.DequeueEnqueue(t, key);
        }
        int count = heap.Count;
        for (int i = count - 1; i >= 0; i--) result[i] = heap.Dequeue();
        return count;
    }

    private sealed class Buffers(int titles)
    {
        public readonly float[] Scores = new float[titles];
        public readonly int[] Shortlist = new int[ScoredPolicy.Shortlist];
        public readonly int[] GenreList = new int[ScoredPolicy.Shortlist];
    }
}
