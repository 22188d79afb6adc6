using Encore.Core;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Ranking.Tests;

/// <summary>A small catalogue (two films, a four-episode series, a two-season series) and a way to write a member's events as store rows.</summary>
internal static class Fixtures
{
    public const int Heat = 0, Stranger = 1, Cats = 2, Seasons = 3;
    public const int E1 = 0, E2 = 1, E3 = 2, E4 = 3, S1E1 = 4, S2E1 = 5;
    public const int FilmRuntime = 6_000, EpisodeRuntime = 3_000;
    public static readonly DateTime T0 = new(2025, 3, 3, 20, 0, 0, DateTimeKind.Utc);

    public static SignalCatalogue Catalogue()
    {
        Title[] titles =
        [
            new() { Id = "heat", Name = "Heat", RuntimeSeconds = FilmRuntime, Genres = ["Crime"] },
            new()
            {
                Id = "stranger", Name = "Stranger Things", Kind = TitleKind.Series, RuntimeSeconds = EpisodeRuntime, Genres = ["Drama"],
                Seasons = [new Season(1, [
                    new Episode("st1", 1, 1, "One", EpisodeRuntime), new Episode("st2", 1, 2, "Two", EpisodeRuntime),
                    new Episode("st3", 1, 3, "Three", EpisodeRuntime), new Episode("st4", 1, 4, "Four", EpisodeRuntime)])],
            },
            new() { Id = "cats", Name = "Cats", RuntimeSeconds = FilmRuntime, Genres = ["Musical"] },
            new()
            {
                Id = "seasons", Name = "Two Seasons", Kind = TitleKind.Series, RuntimeSeconds = EpisodeRuntime, Genres = ["Comedy"],
                Seasons = [new Season(1, [new Episode("a1", 1, 1, "A", EpisodeRuntime)]), new Season(2, [new Episode("b1", 2, 1, "B", EpisodeRuntime)])],
            },
        ];
        return SignalCatalogue.Build(new IdMap(titles.Select(t => t.Id)), new IdMap(titles.SelectMany(t => t.Episodes).Select(e => e.Id)), titles);
    }

    public static InteractionRow Row(EventKind kind, int title, double minutes, float position = float.NaN, int episode = -1,
        DeviceKind device = DeviceKind.Tv, int member = 0, float value = float.NaN)
        => new(member, title, episode, kind, device, Ms(minutes), position, value);

    public static long Ms(double minutes) => new DateTimeOffset(T0).ToUnixTimeMilliseconds() + (long)(minutes * 60_000);

    public static long Days(double days) => Ms(days * 24 * 60);

    public static SignalSet Fold(IEnumerable<InteractionRow> rows)
    {
        var set = new SignalSet(Catalogue(), new IdMap(["m0", "m1"]));
        foreach (var row in rows) set.Apply(row);
        return set;
    }

    /// <summary>A member watches whole episodes <paramref name="from"/>..<paramref name="to"/> of Stranger Things, one after another from <paramref name="startMinutes"/>.</summary>
    public static IEnumerable<InteractionRow> Episodes(int from, int to, double startMinutes, int member = 0)
    {
        double t = startMinutes;
        for (int e = from; e <= to; e++)
        {
            yield return Row(EventKind.PlayStart, Stranger, t, position: 0, episode: e, member: member);
            yield return Row(EventKind.Completion, Stranger, t + 50, position: EpisodeRuntime, episode: e, member: member);
            t += 51;
        }
    }
}

/// <summary>A folder under the temp directory, removed afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "encore-ranking-tests-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
