using Encore.Core;

namespace Encore.Storage.Tests;

/// <summary>A small catalogue and one event of every kind, with every field each kind carries.</summary>
internal static class StoreSamples
{
    public static readonly DateTime T0 = new(2024, 3, 1, 20, 0, 0, 123, DateTimeKind.Utc);

    public static Title Film => new()
    {
        Id = "film-1",
        Name = "Amélie à Montmartre",
        Kind = TitleKind.Film,
        RuntimeSeconds = 7_200,
        Genres = ["Comedy", "Romance"],
        Cast = ["Audrey Tautou", "Mathieu Kassovitz"],
        Directors = ["Jean-Pierre Jeunet"],
        MaturityRating = "PG-13",
        Language = "fr",
        ReleaseDate = new DateOnly(2001, 4, 25),
        AvailableFromUtc = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc),
    };

    public static Title Series => new()
    {
        Id = "series-1",
        Name = "The Long Night",
        Kind = TitleKind.Series,
        RuntimeSeconds = 2_700,
        Genres = ["Drama"],
        Seasons =
        [
            new Season(1, [new Episode("s1e1", 1, 1, "Pilot", 3_000), new Episode("s1e2", 1, 2, "Second", 2_600)]),
            new Season(2, [new Episode("s2e1", 2, 1, "Return", 2_900)]),
        ],
    };

    public static Title Bare(string id) => new() { Id = id, Name = id };

    public static ViewingEvent Event(string id, EventKind kind, string member = "m1", string? title = "film-1", DateTime? at = null) => new()
    {
        EventId = id,
        Kind = kind,
        MemberId = member,
        TitleId = title,
        Device = DeviceKind.Tv,
        TimestampUtc = at ?? T0,
        SessionId = "session-" + member,
    };

    /// <summary>One event of each kind, a second apart, each with its own fields filled.</summary>
    public static IReadOnlyList<ViewingEvent> OneOfEachKind()
    {
        var events = new List<ViewingEvent>();
        int n = 0;
        ViewingEvent At(EventKind kind) => Event($"k-{kind}", kind, at: T0.AddSeconds(n++));
        events.Add(At(EventKind.Rating) with { Rating = 4.5 });
        events.Add(At(EventKind.Search) with { TitleId = null, Query = "amelei", ResultsShown = ["film-1", "series-1"], Device = DeviceKind.Phone });
        events.Add(At(EventKind.PlayStart) with { PositionSeconds = 0, Device = DeviceKind.Tablet });
        events.Add(At(EventKind.Pause) with { PositionSeconds = 600.25, PauseSeconds = 45.5 });
        events.Add(At(EventKind.Resume) with { PositionSeconds = 600.25 });
        events.Add(At(EventKind.Seek) with { SeekFromSeconds = 600.25, PositionSeconds = 1_200, Device = DeviceKind.Web });
        events.Add(At(EventKind.Stop) with { PositionSeconds = 1_500 });
        events.Add(At(EventKind.Completion) with { PositionSeconds = 7_150, Device = DeviceKind.Console });
        events.Add(At(EventKind.Replay) with { PositionSeconds = 30 });
        events.Add(At(EventKind.SkipIntro) with { TitleId = "series-1", EpisodeId = "s1e1", PositionSeconds = 45 });
        events.Add(At(EventKind.SkipCredits) with { TitleId = "series-1", EpisodeId = "s1e2", PositionSeconds = 2_550 });
        events.Add(At(EventKind.Impression) with { Row = "genre:comedy", RowPosition = 3, Propensity = 0.125 });
        return events;
    }
}
