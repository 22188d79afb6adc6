using Encore.Core;

namespace Encore.Simulation;

/// <summary>
/// The simulated catalogue in struct-of-arrays form (titles are addressed by dense index), plus the people who
/// make the titles and the titles the service does not have (which members still search for). Built by
/// <see cref="CatalogueGenerator"/>; immutable afterwards.
/// </summary>
public sealed class SimCatalogue
{
    internal SimCatalogue(int count, int dimensions) { Count = count; Dimensions = dimensions; }

    public int Count { get; }
    public int Dimensions { get; }

    public required string[] Ids { get; init; }
    public required string[] Names { get; init; }
    public required TitleKind[] Kinds { get; init; }
    /// <summary>Film runtime, or the typical episode runtime of a series, in seconds.</summary>
    public required int[] RuntimeSeconds { get; init; }
    /// <summary>Bit g set when the title has genre g of <see cref="Genres"/>.</summary>
    public required uint[] GenreMasks { get; init; }
    public required int[] MainGenre { get; init; }
    /// <summary>Hidden latent position of each title (Count x Dimensions, row-major): truth, never exported.</summary>
    internal float[] Latent { get; init; } = null!;
    /// <summary>Hidden direction of each genre in taste space (Genres.Count x Dimensions): truth.</summary>
    internal float[] GenreDirection { get; init; } = null!;
    /// <summary>Hidden craft of each title, shared by every member's utility: truth, never exported.</summary>
    internal float[] Quality { get; init; } = null!;
    public required int[] Director { get; init; }
    /// <summary>Cast of each title: CastPerTitle actor indices per title, -1 where empty.</summary>
    public required int[] Cast { get; init; }
    public const int CastPerTitle = 4;
    public required string[] Maturity { get; init; }
    public required string[] Language { get; init; }
    public required DateOnly[] ReleaseDates { get; init; }
    /// <summary>First simulated day the title can be played (0 for titles there from the start).</summary>
    public required int[] AvailableFromDay { get; init; }
    /// <summary>Seconds at which the intro starts and its length (0 when none: films).</summary>
    public required short[] IntroStart { get; init; }
    public required short[] IntroLength { get; init; }
    /// <summary>Length of the end credits in seconds.</summary>
    public required short[] CreditsLength { get; init; }

    // Series: the episodes of title t are EpisodeStart[t] .. EpisodeStart[t] + EpisodeCount[t] - 1 (films: count 0).
    public required int[] EpisodeStart { get; init; }
    public required int[] EpisodeCount { get; init; }
    public required int[] EpisodeRuntime { get; init; }
    public required short[] EpisodeSeason { get; init; }
    public required short[] EpisodeNumber { get; init; }

    public required string[] DirectorNames { get; init; }
    internal float[] DirectorStyle { get; init; } = null!;
    public required string[] ActorNames { get; init; }
    internal float[] ActorStyle { get; init; } = null!;

    /// <summary>Titles members want that the service does not carry (searched for, never found).</summary>
    public required string[] AbsentNames { get; init; }
    internal uint[] AbsentGenreMasks { get; init; } = null!;
    internal float[] AbsentLatent { get; init; } = null!;

    /// <summary>The service's search index: lower-case word -> titles whose name holds it.</summary>
    internal Dictionary<string, int[]> SearchIndex { get; init; } = null!;

    public int IndexOf(string titleId) => Array.IndexOf(Ids, titleId);

    public bool IsSeries(int title) => Kinds[title] == TitleKind.Series;

    public bool IsAvailable(int title, int day) => AvailableFromDay[title] <= day;

    public ReadOnlySpan<float> LatentOf(int title) => Latent.AsSpan(title * Dimensions, Dimensions);

    /// <summary>Runtime in seconds of the episode-th episode (0-based) of a series, or of the film.</summary>
    public int PlayableRuntime(int title, int episode) =>
        EpisodeCount[title] == 0 ? RuntimeSeconds[title] : EpisodeRuntime[EpisodeStart[title] + episode];

    public string EpisodeId(int title, int episode)
    {
        int e = EpisodeStart[title] + episode;
        return $"{Ids[title]}-s{EpisodeSeason[e]:D2}e{EpisodeNumber[e]:D2}";
    }

    /// <summary>The title as the service's catalogue knows it (no hidden traits).</summary>
    public Title ToTitle(int t, DateTime simulationStartUtc)
    {
        var genres = new List<string>(3);
        for (int g = 0; g < Genres.Count; g++) if (Genres.Has(GenreMasks[t], g)) genres.Add(Genres.Names[g]);
        var cast = new List<string>(CastPerTitle);
        for (int k = 0; k < CastPerTitle; k++)
        {
            int a = Cast[t * CastPerTitle + k];
            if (a >= 0) cast.Add(ActorNames[a]);
        }
        var seasons = new List<Season>();
        if (EpisodeCount[t] > 0)
        {
            var episodes = new List<Episode>();
            int currentSeason = EpisodeSeason[EpisodeStart[t]];
            for (int k = 0; k < EpisodeCount[t]; k++)
            {
                int e = EpisodeStart[t] + k;
                if (EpisodeSeason[e] != currentSeason)
                {
                    seasons.Add(new Season(currentSeason, episodes));
                    episodes = [];
                    currentSeason = EpisodeSeason[e];
                }
                episodes.Add(new Episode(EpisodeId(t, k), EpisodeSeason[e], EpisodeNumber[e],
                    $"Episode {EpisodeNumber[e]}", EpisodeRuntime[e]));
            }
            seasons.Add(new Season(currentSeason, episodes));
        }
        return new Title
        {
            Id = Ids[t],
            Name = Names[t],
            Kind = Kinds[t],
            RuntimeSeconds = RuntimeSeconds[t],
            Genres = genres,
            Cast = cast,
            Directors = [DirectorNames[Director[t]]],
            MaturityRating = Maturity[t],
            Language = Language[t],
            ReleaseDate = ReleaseDates[t],
            AvailableFromUtc = AvailableFromDay[t] > 0 ? simulationStartUtc.AddDays(AvailableFromDay[t]) : null,
            Seasons = seasons,
        };
    }
}
