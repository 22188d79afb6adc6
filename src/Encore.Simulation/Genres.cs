namespace Encore.Simulation;

/// <summary>The fixed genre list of the simulated catalogue, with the traits that shape titles of each genre.</summary>
public static class Genres
{
    public static readonly IReadOnlyList<string> Names =
    [
        "Drama", "Comedy", "Action", "Thriller", "Crime", "Romance", "Documentary", "Animation", "Family", "Kids",
        "Horror", "Sci-Fi", "Fantasy", "Mystery", "Adventure", "Reality", "Anime", "Music", "War", "Western",
    ];

    public const int Count = 20;
    public const int Drama = 0, Comedy = 1, Action = 2, Thriller = 3, Crime = 4, Romance = 5, Documentary = 6,
        Animation = 7, Family = 8, Kids = 9, Horror = 10, SciFi = 11, Fantasy = 12, Mystery = 13, Adventure = 14,
        Reality = 15, Anime = 16, Music = 17, War = 18, Western = 19;

    /// <summary>How often each genre is a title's main genre (drama and comedy are the most common).</summary>
    internal static readonly float[] MainGenreWeights =
        [10f, 9f, 6f, 5f, 4f, 4f, 4f, 3.5f, 3f, 2.5f, 3f, 3f, 2.5f, 2.5f, 3f, 2f, 1.5f, 1f, 1f, 0.7f];

    /// <summary>Titles for young viewers (watched on tablets in households with children).</summary>
    public static bool IsChildren(uint mask) => (mask & ((1u << Animation) | (1u << Family) | (1u << Kids))) != 0;

    public static bool Has(uint mask, int genre) => (mask & (1u << genre)) != 0;

    /// <summary>Lower-case identifier used in row names ("genre:sci-fi").</summary>
    public static string Slug(int genre) => Names[genre].ToLowerInvariant();

    /// <summary>Typical episode runtime range in minutes for a series whose main genre is <paramref name="genre"/>.</summary>
    internal static (int Min, int Max) EpisodeMinutes(int genre) => genre switch
    {
        Comedy or Animation or Kids or Family or Anime => (21, 30),
        Reality or Documentary => (38, 50),
        _ => (42, 62),
    };

    /// <summary>Typical film runtime range in minutes for a film whose main genre is <paramref name="genre"/>.</summary>
    internal static (int Min, int Max) FilmMinutes(int genre) => genre switch
    {
        Animation or Kids or Family => (78, 102),
        Documentary or Music => (75, 115),
        Comedy or Horror or Romance => (85, 118),
        _ => (95, 155),
    };
}
