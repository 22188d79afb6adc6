using Encore.Core;

namespace Encore.Storage;

/// <summary>
/// One event in the compact form that training reads by the million: dense indices instead of string ids,
/// no allocation per row. <see cref="Member"/> and <see cref="Title"/> index the maps returned by
/// <see cref="IEventStore.ReadMemberIdsAsync"/> and <see cref="IEventStore.ReadTitleIdsAsync"/>.
/// </summary>
/// <param name="Member">Dense member index.</param>
/// <param name="Title">Dense title index, or -1 for a search that chose no title.</param>
/// <param name="Episode">Dense episode index (see <see cref="IEventStore.ReadEpisodeIdsAsync"/>), or -1 where the event names no episode.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Device">Where.</param>
/// <param name="UnixMilliseconds">When (UTC), in milliseconds since 1970.</param>
/// <param name="Position">Position in the title in seconds, NaN where the event has none.</param>
/// <param name="Value">
/// The kind's own number, NaN where it has none: the rating of a <see cref="EventKind.Rating"/>, the pause
/// length of a <see cref="EventKind.Pause"/>, the origin of a <see cref="EventKind.Seek"/>, the propensity
/// of an <see cref="EventKind.Impression"/>.
/// </param>
/// <param name="Query">The text of a <see cref="EventKind.Search"/> as typed, null for every other kind (the one string a row carries).</param>
public readonly record struct InteractionRow(
    int Member,
    int Title,
    int Episode,
    EventKind Kind,
    DeviceKind Device,
    long UnixMilliseconds,
    float Position,
    float Value,
    string? Query = null)
{
    /// <summary>Unix seconds (floor), the unit of <see cref="InteractionMatrix.Timestamps"/>.</summary>
    public long UnixSeconds => Math.DivRem(UnixMilliseconds, 1000L, out var rem) - (rem < 0 ? 1 : 0);

    /// <summary>The rating of a rating event, NaN otherwise.</summary>
    public float Rating => Kind == EventKind.Rating ? Value : float.NaN;
}
