namespace Encore.Core;

/// <summary>Whether a title is watched in one sitting or in episodes. The numeric values are stored: never renumber.</summary>
public enum TitleKind : byte
{
    /// <summary>A film (or any single programme): one runtime, no episodes.</summary>
    Film = 0,
    /// <summary>A series: <see cref="Title.Seasons"/> hold its episodes.</summary>
    Series = 1,
}

/// <summary>One episode of a series.</summary>
public sealed record Episode(string Id, int SeasonNumber, int EpisodeNumber, string Name, int RuntimeSeconds);

/// <summary>A season of a series, with its episodes in order.</summary>
public sealed record Season(int Number, IReadOnlyList<Episode> Episodes)
{
    /// <summary>Episodes ordered by season (as a store reads them) grouped into their seasons, in that order.</summary>
    public static Season[] Group(List<Episode> episodes)
    {
        var seasons = new List<Season>();
        int start = 0;
        for (int i = 1; i <= episodes.Count; i++)
        {
            if (i < episodes.Count && episodes[i].SeasonNumber == episodes[start].SeasonNumber) continue;
            seasons.Add(new Season(episodes[start].SeasonNumber, episodes.GetRange(start, i - start).ToArray()));
            start = i;
        }
        return seasons.ToArray();
    }
}

/// <summary>
/// A title of the catalogue: a film, or a series with seasons and episodes. For a series,
/// <see cref="RuntimeSeconds"/> is the typical episode length.
/// </summary>
public sealed record Title
{
    /// <summary>The title's external id, unique in the catalogue.</summary>
    public required string Id { get; init; }
    /// <summary>The name shown to members.</summary>
    public required string Name { get; init; }
    /// <summary>A film or a series (film by default).</summary>
    public TitleKind Kind { get; init; } = TitleKind.Film;
    /// <summary>The running time in seconds (a series: the typical episode's); 0 where unknown.</summary>
    public int RuntimeSeconds { get; init; }
    /// <summary>The genres, as the catalogue names them (e.g. "Comedy"); empty where unknown.</summary>
    public IReadOnlyList<string> Genres { get; init; } = [];
    /// <summary>The cast, leading roles first; empty where unknown.</summary>
    public IReadOnlyList<string> Cast { get; init; } = [];
    /// <summary>The directors; empty where unknown.</summary>
    public IReadOnlyList<string> Directors { get; init; } = [];
    /// <summary>e.g. "G", "PG-13", "TV-MA"; null where unknown.</summary>
    public string? MaturityRating { get; init; }
    /// <summary>ISO 639-1 code, e.g. "en"; null where unknown.</summary>
    public string? Language { get; init; }
    /// <summary>The first release date; null where unknown.</summary>
    public DateOnly? ReleaseDate { get; init; }
    /// <summary>When the title became available on the service (null: always).</summary>
    public DateTime? AvailableFromUtc { get; init; }
    /// <summary>When the title leaves the service, exclusive (null: never): the end of its availability window.</summary>
    public DateTime? AvailableUntilUtc { get; init; }

    /// <summary>Whether members may watch the title at <paramref name="utc"/>: inside its availability window.</summary>
    public bool IsAvailableAt(DateTime utc) => (AvailableFromUtc is not { } from || from <= utc) && (AvailableUntilUtc is not { } until || utc < until);
    /// <summary>A series' seasons in order, each with its episodes; empty for a film.</summary>
    public IReadOnlyList<Season> Seasons { get; init; } = [];

    /// <summary>Every episode of every season, in order.</summary>
    public IEnumerable<Episode> Episodes => Seasons.SelectMany(s => s.Episodes);
}

/// <summary>A member (subscriber) of the service.</summary>
public sealed record Member
{
    /// <summary>The member's external id, unique among members.</summary>
    public required string Id { get; init; }
    /// <summary>When the member joined the service (UTC); null where unknown.</summary>
    public DateTime? JoinedUtc { get; init; }
    /// <summary>ISO 3166 country code where known.</summary>
    public string? Country { get; init; }
    /// <summary>
    /// The profile's maturity limit (a rating such as "PG-13" or "TV-14", or an age such as "12"), or null for none: the
    /// profile is never shown a title rated above it, nor one without a rating.
    /// </summary>
    public string? MaturityLimit { get; init; }
    /// <summary>Free-form attributes an importer found (e.g. MovieLens age, gender, occupation).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
}
