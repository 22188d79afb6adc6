namespace Encore.Core;

/// <summary>Every kind of behaviour the service records. The numeric values are stored: never renumber.</summary>
public enum EventKind : byte
{
    /// <summary>An explicit rating of a title (<see cref="ViewingEvent.Rating"/>).</summary>
    Rating = 0,
    /// <summary>A search: <see cref="ViewingEvent.Query"/>, <see cref="ViewingEvent.ResultsShown"/>, and the title chosen (<see cref="ViewingEvent.TitleId"/>) or none.</summary>
    Search = 1,
    /// <summary>Playback of a title (or of <see cref="ViewingEvent.EpisodeId"/>) started at <see cref="ViewingEvent.PositionSeconds"/>.</summary>
    PlayStart = 2,
    /// <summary>A pause at <see cref="ViewingEvent.PositionSeconds"/> that lasted <see cref="ViewingEvent.PauseSeconds"/>.</summary>
    Pause = 3,
    /// <summary>Playback resumed at <see cref="ViewingEvent.PositionSeconds"/> after a pause.</summary>
    Resume = 4,
    /// <summary>A seek from <see cref="ViewingEvent.SeekFromSeconds"/> to <see cref="ViewingEvent.PositionSeconds"/>.</summary>
    Seek = 5,
    /// <summary>Playback stopped at <see cref="ViewingEvent.PositionSeconds"/>.</summary>
    Stop = 6,
    /// <summary>The title (or episode) was watched to its end; <see cref="ViewingEvent.PositionSeconds"/> is where playback ended.</summary>
    Completion = 7,
    /// <summary>Starting again a title or scene already seen.</summary>
    Replay = 8,
    /// <summary>Skipped the opening titles, at <see cref="ViewingEvent.PositionSeconds"/>.</summary>
    SkipIntro = 9,
    /// <summary>Skipped credits: to the next episode (<see cref="ViewingEvent.EpisodeId"/> set to the next one) or leaving.</summary>
    SkipCredits = 10,
    /// <summary>A title shown in a row (<see cref="ViewingEvent.Row"/>, <see cref="ViewingEvent.RowPosition"/>) with the policy's <see cref="ViewingEvent.Propensity"/>.</summary>
    Impression = 11,
}

/// <summary>What each <see cref="EventKind"/> requires, and its name in files and on the wire.</summary>
public static class EventKinds
{
    /// <summary>Every event kind, in numeric order.</summary>
    public static readonly EventKind[] All = Enum.GetValues<EventKind>();

    /// <summary>Whether events of this kind are about one title (and so must name it).</summary>
    public static bool RequiresTitle(this EventKind kind) => kind != EventKind.Search;

    /// <summary>Whether events of this kind carry a position in the title.</summary>
    public static bool RequiresPosition(this EventKind kind) => kind is EventKind.Pause or EventKind.Resume
        or EventKind.Seek or EventKind.Stop or EventKind.Completion or EventKind.SkipIntro or EventKind.SkipCredits;

    /// <summary>The stable lower-case name used in files and on the wire (e.g. "play_start").</summary>
    public static string WireName(this EventKind kind) => kind switch
    {
        EventKind.Rating => "rating",
        EventKind.Search => "search",
        EventKind.PlayStart => "play_start",
        EventKind.Pause => "pause",
        EventKind.Resume => "resume",
        EventKind.Seek => "seek",
        EventKind.Stop => "stop",
        EventKind.Completion => "completion",
        EventKind.Replay => "replay",
        EventKind.SkipIntro => "skip_intro",
        EventKind.SkipCredits => "skip_credits",
        EventKind.Impression => "impression",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown event kind"),
    };

    /// <summary>
    /// Reads an event kind from its wire name (e.g. "play_start") or its enum name (e.g. "PlayStart"), ignoring case.
    /// </summary>
    /// <param name="text">The name to read; null is no kind.</param>
    /// <param name="kind">The kind named, or the default when the name is unknown.</param>
    /// <returns>Whether <paramref name="text"/> names a kind.</returns>
    public static bool TryParseWireName(string? text, out EventKind kind)
    {
        foreach (var k in All)
        {
            if (string.Equals(k.WireName(), text, StringComparison.OrdinalIgnoreCase)
                || string.Equals(k.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
