namespace Encore.Core;

/// <summary>
/// One thing a member did, as the service recorded it. One flat record for every kind keeps storage and
/// validation simple; the fields that apply to each <see cref="EventKind"/> are documented there, and the
/// rest stay null. Positions and durations are in seconds of the title (or episode) being played.
/// </summary>
public sealed record ViewingEvent
{
    /// <summary>Unique id chosen by the sender; the same id sent twice is stored once.</summary>
    public required string EventId { get; init; }
    /// <summary>What the member did; it decides which of the other fields apply.</summary>
    public required EventKind Kind { get; init; }
    /// <summary>The member who did it.</summary>
    public required string MemberId { get; init; }
    /// <summary>The title (film or series). Null only for a search that played nothing.</summary>
    public string? TitleId { get; init; }
    /// <summary>The episode of a series, where the event is about one.</summary>
    public string? EpisodeId { get; init; }
    /// <summary>The kind of screen it happened on.</summary>
    public required DeviceKind Device { get; init; }
    /// <summary>When it happened, in UTC.</summary>
    public required DateTime TimestampUtc { get; init; }
    /// <summary>The viewing session it belongs to (the sender's id; events of one sitting share it).</summary>
    public required string SessionId { get; init; }
    /// <summary>Playback position in seconds, where the kind has one.</summary>
    public double? PositionSeconds { get; init; }

    /// <summary>Rating value (stars 0.5..5 or thumbs 0/1 mapped to 1/5).</summary>
    public double? Rating { get; init; }
    /// <summary>Pause length in seconds.</summary>
    public double? PauseSeconds { get; init; }
    /// <summary>Seek origin in seconds; the destination is <see cref="PositionSeconds"/>.</summary>
    public double? SeekFromSeconds { get; init; }
    /// <summary>Search text as typed (typos included).</summary>
    public string? Query { get; init; }
    /// <summary>Titles a search showed, in order.</summary>
    public IReadOnlyList<string>? ResultsShown { get; init; }
    /// <summary>Homepage row of an impression (e.g. "top-picks", "genre:comedy").</summary>
    public string? Row { get; init; }
    /// <summary>Zero-based slot of an impression within its row.</summary>
    public int? RowPosition { get; init; }
    /// <summary>Probability with which the policy showed this title in this slot (for off-policy estimates).</summary>
    public double? Propensity { get; init; }
}
