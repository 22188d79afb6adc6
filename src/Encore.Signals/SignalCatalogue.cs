using Encore.Core;
using Encore.Storage;

namespace Encore.Signals;

/// <summary>How a title is watched, for context affinities: a film, a series, or a series of short episodes.</summary>
public enum TitleFormat : byte
{
    /// <summary>A film, or any title without episodes.</summary>
    Film = 0,
    /// <summary>A series of episodes longer than <see cref="SignalCatalogue.ShortEpisodeSeconds"/>.</summary>
    Series = 1,
    /// <summary>A series whose episodes run at most <see cref="SignalCatalogue.ShortEpisodeSeconds"/>.</summary>
    ShortEpisodes = 2,
}

/// <summary>
/// What signals need to know of the catalogue, in arrays indexed like the store's dense title and episode
/// indices: each title's kind, runtime, format and genres, and each episode's title, position in the series and
/// runtime. Built once from <see cref="IEventStore.ReadTitlesAsync"/>; titles the store registered without
/// metadata get a runtime of 0 (their watch fractions are then unknown, and only counts are used).
/// </summary>
public sealed class SignalCatalogue
{
    /// <summary>An episode at most this long (30 minutes and a minute of slack) makes a series "short episodes".</summary>
    public const int ShortEpisodeSeconds = 31 * 60;

    private SignalCatalogue(IdMap titles, IdMap episodes, IdMap genres, TitleKind[] kinds, int[] runtimes, TitleFormat[] formats,
        int[][] titleGenres, int[] episodeTitle, int[] episodeOrdinal, int[] episodeRuntime, int[] episodeCount, string[] names,
        int[] nextEpisode, int[] episodeSeason, int[] episodeNumber, int[] seasonCount)
    {
        TitleIds = titles;
        EpisodeIds = episodes;
        Genres = genres;
        Kinds = kinds;
        Runtimes = runtimes;
        Formats = formats;
        TitleGenres = titleGenres;
        EpisodeTitle = episodeTitle;
        EpisodeOrdinal = episodeOrdinal;
        EpisodeRuntime = episodeRuntime;
        EpisodeCount = episodeCount;
        Names = names;
        NextEpisode = nextEpisode;
        EpisodeSeason = episodeSeason;
        EpisodeNumber = episodeNumber;
        SeasonCount = seasonCount;
    }

    /// <summary>The store's titles, by dense index.</summary>
    public IdMap TitleIds { get; }
    /// <summary>The store's episodes, by dense index.</summary>
    public IdMap EpisodeIds { get; }
    /// <summary>Every genre the catalogue names, in order of first appearance.</summary>
    public IdMap Genres { get; }
    /// <summary>Each title's kind: film or series.</summary>
    public TitleKind[] Kinds { get; }
    /// <summary>Runtime in seconds: a film's length, a series' typical episode length (0 when unknown).</summary>
    public int[] Runtimes { get; }
    /// <summary>Each title's format for context affinities: film, series or short episodes.</summary>
    public TitleFormat[] Formats { get; }
    /// <summary>Genre indices of each title.</summary>
    public int[][] TitleGenres { get; }
    /// <summary>The title (series) of each episode.</summary>
    public int[] EpisodeTitle { get; }
    /// <summary>0-based position of each episode in its series (season by season, in episode order).</summary>
    public int[] EpisodeOrdinal { get; }
    /// <summary>Each episode's runtime in seconds (0 when unknown).</summary>
    public int[] EpisodeRuntime { get; }
    /// <summary>Episodes of each title (0 for a film).</summary>
    public int[] EpisodeCount { get; }
    /// <summary>Each title's name (its id where the catalogue has none).</summary>
    public string[] Names { get; }
    /// <summary>The episode after each episode in its series (the next by <see cref="EpisodeOrdinal"/>), -1 after the last: what Continue Watching offers once an episode is finished.</summary>
    public int[] NextEpisode { get; }
    /// <summary>Each episode's season and its number in the season, as the catalogue numbers them (0 when unknown).</summary>
    public int[] EpisodeSeason { get; }
    /// <summary>Each episode's number in its season, as the catalogue numbers it (0 when unknown).</summary>
    public int[] EpisodeNumber { get; }
    /// <summary>Seasons of each title (0 for a film).</summary>
    public int[] SeasonCount { get; }

    /// <summary>How many titles the catalogue holds.</summary>
    public int Titles => TitleIds.Count;

    /// <summary>Reads the catalogue and the dense index maps of <paramref name="store"/>.</summary>
    public static async Task<SignalCatalogue> LoadAsync(IEventStore store, CancellationToken ct = default)
    {
        var (titleIds, episodeIds, titles) = await ReadAsync(store, ct).ConfigureAwait(false);
        return Build(titleIds, episodeIds, titles);
    }

    /// <summary>What a catalogue is built from: the store's dense title and episode maps and its title metadata.</summary>
    public static async Task<(IdMap TitleIds, IdMap EpisodeIds, List<Title> Titles)> ReadAsync(IEventStore store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var titleIds = await store.ReadTitleIdsAsync(ct).ConfigureAwait(false);
        var episodeIds = await store.ReadEpisodeIdsAsync(ct).ConfigureAwait(false);
        var titles = new List<Title>(titleIds.Count);
        await foreach (var title in store.ReadTitlesAsync(ct).ConfigureAwait(false)) titles.Add(title);
        return (titleIds, episodeIds, titles);
    }

    /// <summary>
    /// Builds the catalogue over fixed index maps (those of the store); titles missing from <paramref name="titles"/>
    /// keep empty metadata. Episodes not in <paramref name="episodeIds"/> are added after its entries.
    /// </summary>
    public static SignalCatalogue Build(IdMap titleIds, IdMap episodeIds, IEnumerable<Title> titles)
    {
        ArgumentNullException.ThrowIfNull(titleIds);
        ArgumentNullException.ThrowIfNull(episodeIds);
        ArgumentNullException.ThrowIfNull(titles);
        var byId = new Dictionary<string, Title>(StringComparer.Ordinal);
        foreach (var t in titles)
        {
            byId[t.Id] = t;
            titleIds.GetOrAdd(t.Id);
            foreach (var e in t.Episodes) episodeIds.GetOrAdd(e.Id);
        }
        int n = titleIds.Count;
        var genres = new IdMap();
        var kinds = new TitleKind[n];
        var runtimes = new int[n];
        var formats = new TitleFormat[n];
        var titleGenres = new int[n][];
        var episodeCount = new int[n];
        var names = new string[n];
        var episodeTitle = new int[episodeIds.Count];
        var episodeOrdinal = new int[episodeIds.Count];
        var episodeRuntime = new int[episodeIds.Count];
        var nextEpisode = new int[episodeIds.Count];
        var episodeSeason = new int[episodeIds.Count];
        var episodeNumber = new int[episodeIds.Count];
        var seasonCount = new int[n];
        Array.Fill(episodeTitle, -1);
        Array.Fill(nextEpisode, -1);
        for (int t = 0; t < n; t++)
        {
            if (!byId.TryGetValue(titleIds[t], out var title))
            {
                titleGenres[t] = [];
                names[t] = titleIds[t];
                continue;
            }
            names[t] = title.Name;
            kinds[t] = title.Kind;
            runtimes[t] = Math.Max(0, title.RuntimeSeconds);
            var g = new int[title.Genres.Count];
            for (int i = 0; i < g.Length; i++) g[i] = genres.GetOrAdd(title.Genres[i]);
            titleGenres[t] = g;
            int ordinal = 0, longest = 0, previous = -1;
            foreach (var season in title.Seasons.OrderBy(s => s.Number))
            {
                if (season.Episodes.Count > 0) seasonCount[t]++;
                foreach (var episode in season.Episodes.OrderBy(e => e.EpisodeNumber))
                {
                    int e = episodeIds.IndexOf(episode.Id);
                    episodeTitle[e] = t;
                    episodeOrdinal[e] = ordinal++;
                    episodeRuntime[e] = Math.Max(0, episode.RuntimeSeconds);
                    episodeSeason[e] = season.Number;
                    episodeNumber[e] = episode.EpisodeNumber;
                    if (previous >= 0) nextEpisode[previous] = e;
                    previous = e;
                    longest = Math.Max(longest, episode.RuntimeSeconds);
                }
            }
            episodeCount[t] = ordinal;
            formats[t] = title.Kind == TitleKind.Film ? TitleFormat.Film
                : (longest > 0 ? longest : title.RuntimeSeconds) is > 0 and <= ShortEpisodeSeconds ? TitleFormat.ShortEpisodes : TitleFormat.Series;
        }
        return new SignalCatalogue(titleIds, episodeIds, genres, kinds, runtimes, formats, titleGenres, episodeTitle, episodeOrdinal,
            episodeRuntime, episodeCount, names, nextEpisode, episodeSeason, episodeNumber, seasonCount);
    }

    /// <summary>The runtime of what a row plays: its episode's, else the title's (0 when unknown).</summary>
    public int PlayableRuntime(int title, int episode)
    {
        if ((uint)episode < (uint)EpisodeRuntime.Length && EpisodeRuntime[episode] > 0) return EpisodeRuntime[episode];
        return (uint)title < (uint)Runtimes.Length ? Runtimes[title] : 0;
    }
}
