using Encore.Core;

namespace Encore.Simulation;

/// <summary>
/// One recorded event in compact form (dense indices, Unix milliseconds), so that tens of millions can be
/// generated without building a <see cref="ViewingEvent"/> each; <see cref="SimulatedService.ToViewingEvent"/>
/// turns one into the record the store takes. Which fields apply follows <see cref="EventKind"/>.
/// </summary>
public struct SimEvent
{
    public long TimestampMs;
    public int Member;
    /// <summary>Title index, or -1 (a search that played nothing).</summary>
    public int Title;
    /// <summary>Episode (0-based within the series), or -1 for films and non-playback events.</summary>
    public int Episode;
    /// <summary>The member's session number (sessions are numbered per member from 1).</summary>
    public int Session;
    /// <summary>Order of the event within its session (with member and session, the event id).</summary>
    public int Sequence;
    public EventKind Kind;
    public DeviceKind Device;
    /// <summary>Playback position in seconds (NaN where the kind has none).</summary>
    public float Position;
    /// <summary>Pause length, seek origin, rating or propensity, by kind (NaN where none).</summary>
    public float Value;
    /// <summary>Impression: row index on the page; search: unused.</summary>
    public short Row;
    /// <summary>Impression: slot within the row.</summary>
    public short Slot;
    /// <summary>Impression: row name; search: the query as typed.</summary>
    public string? Text;
    /// <summary>Search: the titles shown, in order.</summary>
    public int[]? Results;
}

/// <summary>How a play began.</summary>
public enum PlaySource : byte
{
    /// <summary>A title picked from a homepage row (recommendations).</summary>
    Homepage = 0,
    /// <summary>A title found by searching.</summary>
    Search = 1,
    /// <summary>Picked up again from the Continue Watching row.</summary>
    ContinueWatching = 2,
}

/// <summary>
/// One member's viewing of one title within a session, summarized. Carries the hidden enjoyment for reports
/// and tests; only (member, title, weight, time) leave the process, in the interactions export. FirstTime: the
/// member had never played the title before (a new viewer).
/// </summary>
public readonly record struct PlayRecord(
    int Member, int Title, long TimestampMs, DeviceKind Device, PlaySource Source, bool Replay, bool FirstTime,
    float Weight, float WatchSeconds, int Episodes, bool Completed, bool SkippedCredits, float Utility);

/// <summary>One session, summarized for reports and calibration checks.</summary>
public readonly record struct SessionRecord(
    int Member, int Session, int Day, long StartMs, DeviceKind Device, int TitlesLookedAt, float BrowseSeconds,
    bool Searched, bool SearchedAbsentTitle, int Plays, int Episodes, float WatchSeconds);
