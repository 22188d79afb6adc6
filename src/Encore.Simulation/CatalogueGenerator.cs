using Encore.Core;

namespace Encore.Simulation;

/// <summary>
/// Builds the catalogue of a simulated service from its options: genres, people with their own latent
/// style, titles whose hidden position mixes their genres, director and cast, series with seasons and
/// episodes, release dates spread over time and titles arriving during the simulation.
/// </summary>
internal static class CatalogueGenerator
{
    private const ulong Purpose = 0xCA7A1061;

    private static readonly (string Code, float Weight)[] Languages =
    [
        ("en", 0.62f), ("es", 0.08f), ("ko", 0.06f), ("fr", 0.05f), ("hi", 0.05f), ("ja", 0.04f), ("de", 0.03f),
        ("it", 0.03f), ("pt", 0.02f), ("sv", 0.02f),
    ];

    public static SimCatalogue Generate(SimulationOptions options)
    {
        int n = options.Titles, d = options.LatentDimensions;
        var cal = options.Calibration;
        var rng = SimRandom.Create(options.Seed, Purpose);

        // Genres have a direction in taste space; related genres (family/kids/animation, crime/thriller) share one.
        var genreDirection = new float[Genres.Count * d];
        for (int g = 0; g < Genres.Count; g++) FillGaussian(ref rng, genreDirection.AsSpan(g * d, d), 1.0 / Math.Sqrt(d));
        BlendGenres(genreDirection, d, Genres.Kids, Genres.Family, 0.6f);
        BlendGenres(genreDirection, d, Genres.Animation, Genres.Family, 0.4f);
        BlendGenres(genreDirection, d, Genres.Thriller, Genres.Crime, 0.5f);
        BlendGenres(genreDirection, d, Genres.Mystery, Genres.Crime, 0.4f);
        BlendGenres(genreDirection, d, Genres.Fantasy, Genres.Adventure, 0.4f);
        BlendGenres(genreDirection, d, Genres.Anime, Genres.Animation, 0.4f);

        var people = new HashSet<string>(StringComparer.Ordinal);
        int directors = Math.Max(4, n / 6);
        var directorNames = new string[directors];
        var directorGenre = new int[directors];
        var directorStyle = new float[directors * d];
        var directorsByGenre = new List<int>[Genres.Count];
        for (int g = 0; g < Genres.Count; g++) directorsByGenre[g] = [];
        for (int i = 0; i < directors; i++)
        {
            directorNames[i] = TitleNames.NewPerson(ref rng, people);
            directorGenre[i] = rng.PickWeighted(Genres.MainGenreWeights);
            directorsByGenre[directorGenre[i]].Add(i);
            FillGaussian(ref rng, directorStyle.AsSpan(i * d, d), 1.0 / Math.Sqrt(d));
        }
        int actors = Math.Max(8, n / 2);
        var actorNames = new string[actors];
        var actorStyle = new float[actors * d];
        for (int i = 0; i < actors; i++)
        {
            actorNames[i] = TitleNames.NewPerson(ref rng, people);
            FillGaussian(ref rng, actorStyle.AsSpan(i * d, d), 1.0 / Math.Sqrt(d));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var ids = new string[n];
        var titleNames = new string[n];
        var kinds = new TitleKind[n];
        var runtime = new int[n];
        var masks = new uint[n];
        var mainGenre = new int[n];
        var latent = new float[n * d];
        var quality = new float[n];
        var director = new int[n];
        var cast = new int[n * SimCatalogue.CastPerTitle];
        var maturity = new string[n];
        var language = new string[n];
        var release = new DateOnly[n];
        var availableFrom = new int[n];
        var introStart = new short[n];
        var introLength = new short[n];
        var creditsLength = new short[n];
        var episodeStart = new int[n];
        var episodeCount = new int[n];
        var epRuntime = new List<int>(n * 4);
        var epSeason = new List<short>(n * 4);
        var epNumber = new List<short>(n * 4);
        var startDate = DateOnly.FromDateTime(options.StartUtc);
        Span<float> noise = stackalloc float[d];

        for (int t = 0; t < n; t++)
        {
            ids[t] = $"t{t + 1:D6}";
            titleNames[t] = TitleNames.NewTitle(ref rng, names);
            int g0 = rng.PickWeighted(Genres.MainGenreWeights);
            mainGenre[t] = g0;
            uint mask = 1u << g0;
            int extra = rng.NextDouble() switch { < 0.35 => 0, < 0.8 => 1, _ => 2 };
            for (int k = 0; k < extra; k++) mask |= 1u << rng.PickWeighted(Genres.MainGenreWeights);
            if (g0 == Genres.Kids) mask &= ~((1u << Genres.Horror) | (1u << Genres.War) | (1u << Genres.Crime));
            masks[t] = mask;

            bool series = g0 == Genres.Reality || rng.Chance(cal.SeriesShare);
            kinds[t] = series ? TitleKind.Series : TitleKind.Film;

            // Directors mostly work in their own genre; a few prolific ones make many titles.
            var own = directorsByGenre[g0];
            director[t] = own.Count > 0 && rng.Chance(0.75) ? own[rng.Zipf(own.Count, 1.1)] : rng.Zipf(directors, 1.05);
            int castSize = g0 == Genres.Documentary ? rng.NextInt(0, 1) : rng.NextInt(2, SimCatalogue.CastPerTitle);
            for (int k = 0; k < SimCatalogue.CastPerTitle; k++)
                cast[t * SimCatalogue.CastPerTitle + k] = k < castSize ? rng.Zipf(actors, 1.0) : -1;

            // The hidden position: genres, the director's style, the cast's styles and something of its own.
            var v = latent.AsSpan(t * d, d);
            int genreCount = System.Numerics.BitOperations.PopCount(mask);
            for (int g = 0; g < Genres.Count; g++)
                if (Genres.Has(mask, g)) Axpy(v, genreDirection.AsSpan(g * d, d), (g == g0 ? 0.7f : 0.4f) / MathF.Sqrt(genreCount));
            Axpy(v, directorStyle.AsSpan(director[t] * d, d), 0.45f);
            for (int k = 0; k < castSize; k++)
                Axpy(v, actorStyle.AsSpan(cast[t * SimCatalogue.CastPerTitle + k] * d, d), 0.25f / MathF.Sqrt(castSize));
            FillGaussian(ref rng, noise, 0.45 / Math.Sqrt(d));
            Axpy(v, noise, 1f);
            quality[t] = (float)rng.Normal(0, 0.2);

            language[t] = g0 == Genres.Anime ? "ja" : Languages[PickLanguage(ref rng)].Code;
            maturity[t] = Maturity(ref rng, mask, series);

            // Release dates spread over decades (more recent titles are more common); some arrive during the run.
            bool arrives = t >= 10 && rng.Chance(cal.NewTitleShare) && options.Days > 1;
            if (arrives)
            {
                availableFrom[t] = rng.NextInt(1, options.Days - 1);
                var arrival = startDate.AddDays(availableFrom[t]);
                release[t] = rng.Chance(0.7) ? arrival : arrival.AddDays(-rng.NextInt(200, 9000));
            }
            else
            {
                int yearsBack = Math.Min(80, (int)rng.Exponential(7.0));
                release[t] = startDate.AddDays(-(yearsBack * 365 + rng.NextInt(1, 364)));
            }

            if (series)
            {
                var (lo, hi) = Genres.EpisodeMinutes(g0);
                int typical = rng.NextInt(lo, hi) * 60;
                runtime[t] = typical;
                int seasons = 1;
                while (seasons < 7 && rng.Chance(0.45)) seasons++;
                episodeStart[t] = epRuntime.Count;
                for (int s = 1; s <= seasons; s++)
                {
                    int episodes = g0 is Genres.Comedy or Genres.Animation or Genres.Kids ? rng.NextInt(8, 16) : rng.NextInt(6, 10);
                    for (int e = 1; e <= episodes; e++)
                    {
                        // Episodes run up to the typical length, never over it, so a position is always within the title's runtime.
                        epRuntime.Add((int)(typical * rng.Uniform(0.86, 1.0)));
                        epSeason.Add((short)s);
                        epNumber.Add((short)e);
                    }
                }
                episodeCount[t] = epRuntime.Count - episodeStart[t];
                bool hasIntro = rng.Chance(0.85);
                introStart[t] = (short)(hasIntro ? (rng.Chance(0.5) ? 0 : rng.NextInt(30, 240)) : 0);
                introLength[t] = (short)(hasIntro ? rng.NextInt(20, 90) : 0);
                creditsLength[t] = (short)rng.NextInt(25, 75);
            }
            else
            {
                var (lo, hi) = Genres.FilmMinutes(g0);
                runtime[t] = rng.NextInt(lo, hi) * 60 + rng.NextInt(0, 59);
                episodeStart[t] = epRuntime.Count;
                creditsLength[t] = (short)rng.NextInt(180, 540);
            }
        }

        int absent = Math.Max(30, n / 5);
        var absentNames = new string[absent];
        var absentMasks = new uint[absent];
        var absentLatent = new float[absent * d];
        for (int a = 0; a < absent; a++)
        {
            absentNames[a] = TitleNames.NewTitle(ref rng, names);
            int g0 = rng.PickWeighted(Genres.MainGenreWeights);
            absentMasks[a] = 1u << g0;
            var v = absentLatent.AsSpan(a * d, d);
            Axpy(v, genreDirection.AsSpan(g0 * d, d), 0.7f);
            FillGaussian(ref rng, noise, 0.6 / Math.Sqrt(d));
            Axpy(v, noise, 1f);
        }

        var index = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int t = 0; t < n; t++)
        {
            foreach (var word in TitleNames.Words(titleNames[t]))
            {
                if (!index.TryGetValue(word, out var list)) index[word] = list = [];
                if (list.Count == 0 || list[^1] != t) list.Add(t);
            }
        }
        var searchIndex = new Dictionary<string, int[]>(index.Count, StringComparer.Ordinal);
        foreach (var (word, list) in index) searchIndex[word] = [.. list];

        return new SimCatalogue(n, d)
        {
            Ids = ids, Names = titleNames, Kinds = kinds, RuntimeSeconds = runtime, GenreMasks = masks, MainGenre = mainGenre,
            Latent = latent, GenreDirection = genreDirection, Quality = quality, Director = director, Cast = cast, Maturity = maturity, Language = language,
            ReleaseDates = release, AvailableFromDay = availableFrom, IntroStart = introStart, IntroLength = introLength,
            CreditsLength = creditsLength, EpisodeStart = episodeStart, EpisodeCount = episodeCount,
            EpisodeRuntime = [.. epRuntime], EpisodeSeason = [.. epSeason], EpisodeNumber = [.. epNumber],
            DirectorNames = directorNames, DirectorStyle = directorStyle, ActorNames = actorNames, ActorStyle = actorStyle,
            AbsentNames = absentNames, AbsentGenreMasks = absentMasks, AbsentLatent = absentLatent, SearchIndex = searchIndex,
        };
    }

    private static int PickLanguage(ref SimRandom rng)
    {
        double x = rng.NextDouble();
        for (int i = 0; i < Languages.Length; i++)
        {
            x -= Languages[i].Weight;
            if (x < 0) return i;
        }
        return 0;
    }

    private static string Maturity(ref SimRandom rng, uint mask, bool series)
    {
        // 0 = all ages, 1 = guidance, 2 = teens, 3 = adults.
        int level;
        if (Genres.Has(mask, Genres.Kids)) level = 0;
        else if (Genres.Has(mask, Genres.Family) || Genres.Has(mask, Genres.Animation)) level = rng.Chance(0.7) ? 1 : 0;
        else if (Genres.Has(mask, Genres.Horror) || Genres.Has(mask, Genres.Crime) || Genres.Has(mask, Genres.War))
            level = rng.Chance(0.75) ? 3 : 2;
        else level = rng.NextDouble() switch { < 0.15 => 1, < 0.7 => 2, _ => 3 };
        return series
            ? level switch { 0 => "TV-Y", 1 => "TV-PG", 2 => "TV-14", _ => "TV-MA" }
            : level switch { 0 => "G", 1 => "PG", 2 => "PG-13", _ => "R" };
    }

    internal static void FillGaussian(ref SimRandom rng, Span<float> target, double sd)
    {
        for (int i = 0; i < target.Length; i++) target[i] = (float)(rng.Normal() * sd);
    }

    internal static void Axpy(Span<float> y, ReadOnlySpan<float> x, float a)
    {
        for (int i = 0; i < y.Length; i++) y[i] += a * x[i];
    }

    private static void BlendGenres(float[] directions, int d, int genre, int toward, float share)
    {
        var g = directions.AsSpan(genre * d, d);
        var other = directions.AsSpan(toward * d, d);
        for (int i = 0; i < d; i++) g[i] = (1 - share) * g[i] + share * other[i];
    }
}
