using System.Runtime.CompilerServices;
namespace Encore.Simulation;

/// <summary>
/// The default homepage: the most played titles (time-decayed) overall, new arrivals, and popular titles
/// within the genres the member has watched most (then the most watched genres overall), each slot with
/// epsilon-greedy exploration. Nothing in it knows the members' hidden tastes.
/// </summary>
public sealed class PopularityPolicy : IHomepagePolicy
{
    private const int RowLength = 18;
    private const int GenreRows = 5;
    private readonly double _epsilon;
    private ServiceView? _service;
    private int[] _ranked = [];
    private int[][] _rankedByGenre = [];
    private int[] _newArrivals = [];
    private int[] _genreOrder = [];
    private readonly string[] _genreRowNames;

    /// <summary>A policy whose every slot shows a random available title instead of the ranked one with probability <paramref name="exploration"/> (0..1; epsilon-greedy).</summary>
    public PopularityPolicy(double exploration = 0.10)
    {
        if (exploration is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(exploration), exploration, "exploration must be within 0..1");
        _epsilon = exploration;
        _genreRowNames = new string[Genres.Count];
        for (int g = 0; g < Genres.Count; g++) _genreRowNames[g] = "genre:" + Genres.Slug(g);
    }

    /// <inheritdoc />
    public string Name => "popularity";

    /// <inheritdoc />
    public void PrepareDay(ServiceView service)
    {
        _service = service;
        var popularity = service.Popularity;
        var available = service.Available;
        var order = (int[])available.Clone();
        var keys = new float[order.Length];
        for (int i = 0; i < order.Length; i++) keys[i] = -popularity[order[i]];
        Array.Sort(keys, order); // unstable for ties, so break them by index below
        StableTies(order, popularity);
        _ranked = order;

        var byGenre = new List<int>[Genres.Count];
        var genreTotal = new float[Genres.Count];
        for (int g = 0; g < Genres.Count; g++) byGenre[g] = [];
        var catalogue = service.Catalogue;
        foreach (int t in order)
        {
            uint mask = catalogue.GenreMasks[t];
            for (int g = 0; g < Genres.Count; g++)
            {
                if (!Genres.Has(mask, g)) continue;
                genreTotal[g] += popularity[t];
                if (byGenre[g].Count < 200) byGenre[g].Add(t);
            }
        }
        _rankedByGenre = new int[Genres.Count][];
        for (int g = 0; g < Genres.Count; g++) _rankedByGenre[g] = [.. byGenre[g]];
        _genreOrder = new int[Genres.Count];
        for (int g = 0; g < Genres.Count; g++) _genreOrder[g] = g;
        Array.Sort(_genreOrder, (a, b) => genreTotal[b].CompareTo(genreTotal[a]) is var c && c != 0 ? c : a.CompareTo(b));

        var newArrivals = new List<int>(64);
        var today = DateOnly.FromDateTime(service.StartUtc).AddDays(service.Day);
        foreach (int t in order)
        {
            bool arrived = catalogue.AvailableFromDay[t] > 0 && catalogue.AvailableFromDay[t] > service.Day - 30;
            bool recent = catalogue.ReleaseDates[t] > today.AddDays(-120);
            if (arrived || recent) newArrivals.Add(t);
            if (newArrivals.Count == 60) break;
        }
        _newArrivals = [.. newArrivals];
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void BuildPage(scoped in PageRequest request, ref SimRandom rng, Homepage page)
    {
        var service = _service ?? throw new InvalidOperationException("PrepareDay must be called before BuildPage");
        foreach (ref readonly var entry in request.History)
            if (entry.State == ViewingState.Finished) page.Exclude(entry.Title);

        // Rows: the member's most watched genre (as the service observed it), popular, the next genre, new
        // arrivals, then more genres; genres the member has not watched follow in order of popularity.
        Span<float> watched = stackalloc float[Genres.Count];
        foreach (ref readonly var entry in request.History)
        {
            uint mask = service.Catalogue.GenreMasks[entry.Title];
            for (int g = 0; g < Genres.Count; g++) if (Genres.Has(mask, g)) watched[g] += entry.Weight;
        }
        Span<bool> used = stackalloc bool[Genres.Count];
        for (int row = 0; row < GenreRows; row++)
        {
            if (row == 1)
            {
                page.BeginRow("popular");
                RowFiller.Fill(page, _ranked, RowLength, _epsilon, service.Available, ref rng);
            }
            else if (row == 2)
            {
                page.BeginRow("new");
                RowFiller.Fill(page, _newArrivals, RowLength, _epsilon, service.Available, ref rng);
                page.DropEmptyLastRow();
            }
            int best = -1;
            for (int g = 0; g < Genres.Count; g++)
                if (!used[g] && watched[g] > 0 && (best < 0 || watched[g] > watched[best])) best = g;
            if (best < 0)
                foreach (int g in _genreOrder) if (!used[g]) { best = g; break; }
            if (best < 0) break;
            used[best] = true;
            page.BeginRow(_genreRowNames[best]);
            RowFiller.Fill(page, _rankedByGenre[best], RowLength, _epsilon, service.Available, ref rng);
            page.DropEmptyLastRow();
        }
    }

    /// <summary>Orders equal popularity by title index so that the ranking does not depend on the sort's tie handling.</summary>
    internal static void StableTies(int[] order, float[] popularity)
    {
        int start = 0;
        for (int i = 1; i <= order.Length; i++)
        {
            if (i < order.Length && popularity[order[i]] == popularity[order[start]]) continue;
            if (i - start > 1) Array.Sort(order, start, i - start);
            start = i;
        }
    }
}
