using Encore.Signals;
using Encore.Storage;

namespace Encore.Ranking.Search;

/// <summary>
/// Names the title a search query asks for, through the <see cref="SearchIndex"/> (text alone, typos folded): the
/// best match among the titles available at the search's time, when its text score is at least <see cref="MinText"/>
/// (every word of the query and of the title's name matched) and it leads the next match by at least
/// <see cref="MinMargin"/>. What <see cref="SignalSet"/> folds into <see cref="TitleSignals.SearchIntent"/>: a search
/// that played nothing, or another title, still says which title the member looked for.
/// </summary>
/// <remarks>
/// The thresholds are set for precision, measured on searches whose title is known: on the training days of the
/// default simulated service, the title a search played was this resolver's answer for 98% of the searches it
/// answered (`signal-diagnostics` in bench/Encore.Bench prints the figure for any simulated store). Queries that name
/// an absent title, or only part of a name that several titles share, are left unresolved. Resolving a query borrows
/// the index's scratch buffers and allocates nothing.
/// </remarks>
public sealed class SearchIntentResolver : IQueryResolver
{
    private const int Candidates = 4;
    private static readonly SearchRequest TextOnly = new() { Count = Candidates, AsOfUtc = DateTime.MaxValue }; // availability is checked here, at the search's time
    private readonly SearchIndex _index;
    private readonly int[] _toCatalogue; // index title -> signal catalogue title, -1 where the catalogue lacks it
    private readonly long[] _availableFromMs;

    /// <param name="index">The search index over the store's titles.</param>
    /// <param name="catalogue">The catalogue of the <see cref="SignalSet"/> the answers are for.</param>
    /// <param name="minText">The lowest text score (in [0, 1]) of a clear match.</param>
    /// <param name="minMargin">How far the match must lead the next one.</param>
    public SearchIntentResolver(SearchIndex index, SignalCatalogue catalogue, float minText = 0.99f, float minMargin = 0.1f)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(catalogue);
        if (!(minText >= 0 && minText <= 1)) throw new ArgumentOutOfRangeException(nameof(minText), minText, "the text threshold must be in [0, 1]");
        if (!(minMargin >= 0 && minMargin <= 1)) throw new ArgumentOutOfRangeException(nameof(minMargin), minMargin, "the margin must be in [0, 1]");
        _index = index;
        MinText = minText;
        MinMargin = minMargin;
        _toCatalogue = new int[index.Count];
        _availableFromMs = new long[index.Count];
        for (int t = 0; t < index.Count; t++)
        {
            _toCatalogue[t] = catalogue.TitleIds.IndexOf(index.TitleIds[t]);
            _availableFromMs[t] = index[t].AvailableFromUtc is { } from
                ? (DateTime.SpecifyKind(from, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond
                : long.MinValue;
        }
    }

    public float MinText { get; }
    public float MinMargin { get; }

    /// <summary>
    /// A resolver over the store's titles, for signals over the store's catalogue (every <see cref="SignalCatalogue"/>
    /// read from the same store numbers the titles alike).
    /// </summary>
    public static async Task<SearchIntentResolver> LoadAsync(IEventStore store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var catalogue = await SignalCatalogue.LoadAsync(store, ct).ConfigureAwait(false);
        return new SearchIntentResolver(await SearchIndex.LoadAsync(store, ct).ConfigureAwait(false), catalogue);
    }

    /// <inheritdoc/>
    public int Resolve(string query, long unixMilliseconds)
    {
        if (string.IsNullOrWhiteSpace(query)) return -1;
        Span<int> titles = stackalloc int[Candidates];
        Span<float> scores = stackalloc float[Candidates];
        int n = _index.Search(query, TextOnly, default, titles, scores);
        int best = -1;
        float bestScore = 0, next = 0;
        for (int i = 0; i < n; i++)
        {
            if (_availableFromMs[titles[i]] > unixMilliseconds) continue;
            if (best < 0) (best, bestScore) = (titles[i], scores[i]);
            else { next = scores[i]; break; }
        }
        if (best < 0 || bestScore < MinText || bestScore - next < MinMargin) return -1;
        return _toCatalogue[best];
    }
}
