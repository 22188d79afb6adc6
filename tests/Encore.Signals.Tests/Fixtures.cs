using Encore.Core;
using Encore.Storage;

namespace Encore.Signals.Tests;

/// <summary>A small catalogue (a film, a series of three short episodes, a long series) and a way to write events as store rows.</summary>
internal static class Fixtures
{
    public const int Film = 0, Series = 1, Drama = 2;
    public const int S1E1 = 0, S1E2 = 1, S1E3 = 2;
    public const int FilmRuntime = 6_000, EpisodeRuntime = 1_500;
    public static readonly DateTime T0 = new(2025, 3, 3, 20, 0, 0, DateTimeKind.Utc);

    public static SignalCatalogue Catalogue()
    {
        var titles = Titles();
        return SignalCatalogue.Build(new IdMap(titles.Select(t => t.Id)), new IdMap(titles.SelectMany(t => t.Episodes).Select(e => e.Id)), titles);
    }

    /// <summary>The catalogue's titles, as a store holds them.</summary>
    public static Title[] Titles()
    {
        Title[] titles =
        [
            new() { Id = "film", Name = "Heat", RuntimeSeconds = FilmRuntime, Genres = ["Crime", "Thriller"] },
            new()
            {
                Id = "series", Name = "Short Stories", Kind = TitleKind.Series, RuntimeSeconds = EpisodeRuntime, Genres = ["Comedy"],
                Seasons = [new Season(1, [
                    new Episode("s1e1", 1, 1, "One", EpisodeRuntime),
                    new Episode("s1e2", 1, 2, "Two", EpisodeRuntime),
                    new Episode("s1e3", 1, 3, "Three", EpisodeRuntime)])],
            },
            new()
            {
                Id = "drama", Name = "Long Drama", Kind = TitleKind.Series, RuntimeSeconds = 3_300, Genres = ["Drama", "Crime"],
                Seasons = [new Season(1, [new Episode("d1e1", 1, 1, "Pilot", 3_300)])],
            },
        ];
        return titles;
    }

    public static InteractionRow Row(EventKind kind, int title, double minutes, float position = float.NaN, float value = float.NaN,
        int episode = -1, DeviceKind device = DeviceKind.Tv, int member = 0, string? query = null)
        => new(member, title, episode, kind, device, Ms(minutes), position, value, query);

    public static long Ms(double minutes) => new DateTimeOffset(T0).ToUnixTimeMilliseconds() + (long)(minutes * 60_000);

    public static SignalSet Fold(IEnumerable<InteractionRow> rows, SignalOptions? options = null)
    {
        var set = new SignalSet(Catalogue(), new IdMap(["m0", "m1", "m2"]), options);
        foreach (var row in rows) set.Apply(row);
        return set;
    }
}
