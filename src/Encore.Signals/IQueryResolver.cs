namespace Encore.Signals;

/// <summary>
/// Names the catalogue title a search query asks for, when the query names one clearly: what lets a search that played
/// nothing (or played another title) still tell the member's profile which title the member looked for
/// (<see cref="TitleSignals.SearchIntent"/>). Encore.Ranking's search index implements it (<c>SearchIntentResolver</c>);
/// Signals itself knows no text matching.
/// </summary>
public interface IQueryResolver
{
    /// <summary>
    /// The catalogue index (<see cref="SignalCatalogue"/>) of the title <paramref name="query"/> clearly names among the
    /// titles available at <paramref name="unixMilliseconds"/>, or -1 when it names none or several about as well.
    /// Must be deterministic (the same query and time give the same title) and safe to call from several threads.
    /// </summary>
    int Resolve(string query, long unixMilliseconds);
}
