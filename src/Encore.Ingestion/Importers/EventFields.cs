using System.Globalization;
using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// The field names of a <see cref="ViewingEvent"/> in event files (JSON Lines keys and CSV header columns),
/// snake_case as on the wire, and the conversions from their text. Each failure names the field.
/// </summary>
public static class EventFields
{
    /// <summary>The field of <see cref="ViewingEvent.EventId"/>.</summary>
    public const string EventId = "event_id";
    /// <summary>The field of <see cref="ViewingEvent.Kind"/>, by its wire name (e.g. "play_start").</summary>
    public const string Kind = "kind";
    /// <summary>The field of <see cref="ViewingEvent.MemberId"/>.</summary>
    public const string MemberId = "member_id";
    /// <summary>The field of <see cref="ViewingEvent.TitleId"/>.</summary>
    public const string TitleId = "title_id";
    /// <summary>The field of <see cref="ViewingEvent.EpisodeId"/>.</summary>
    public const string EpisodeId = "episode_id";
    /// <summary>The field of <see cref="ViewingEvent.Device"/>, by its name (e.g. "tv").</summary>
    public const string Device = "device";
    /// <summary>ISO 8601 (an offset or Z; none means UTC) or Unix seconds.</summary>
    public const string Timestamp = "timestamp";
    /// <summary>The field of <see cref="ViewingEvent.SessionId"/>.</summary>
    public const string SessionId = "session_id";
    /// <summary>The field of <see cref="ViewingEvent.PositionSeconds"/>, in seconds.</summary>
    public const string Position = "position";
    /// <summary>The field of <see cref="ViewingEvent.Rating"/>.</summary>
    public const string Rating = "rating";
    /// <summary>The field of <see cref="ViewingEvent.PauseSeconds"/>.</summary>
    public const string PauseSeconds = "pause_seconds";
    /// <summary>The field of <see cref="ViewingEvent.SeekFromSeconds"/>, in seconds.</summary>
    public const string SeekFrom = "seek_from";
    /// <summary>The field of <see cref="ViewingEvent.Query"/>.</summary>
    public const string Query = "query";
    /// <summary>A JSON array of title ids; in CSV, ids separated by '|'.</summary>
    public const string ResultsShown = "results_shown";
    /// <summary>The field of <see cref="ViewingEvent.Row"/>.</summary>
    public const string Row = "row";
    /// <summary>The field of <see cref="ViewingEvent.RowPosition"/>.</summary>
    public const string RowPosition = "row_position";
    /// <summary>The field of <see cref="ViewingEvent.Propensity"/>.</summary>
    public const string Propensity = "propensity";

    /// <summary>Every column, in the order an exporter writes them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        EventId, Kind, MemberId, TitleId, EpisodeId, Device, Timestamp, SessionId, Position, Rating, PauseSeconds,
        SeekFrom, Query, ResultsShown, Row, RowPosition, Propensity,
    ];

    /// <summary>The fields every event must have.</summary>
    public static readonly IReadOnlyList<string> Required = [EventId, Kind, MemberId, Device, Timestamp, SessionId];

    /// <summary>The file name of a <see cref="ViewingEvent"/> property (validation names properties), e.g. PositionSeconds: position.</summary>
    public static string FromPropertyName(string property) => property switch
    {
        nameof(ViewingEvent.EventId) => EventId,
        nameof(ViewingEvent.Kind) => Kind,
        nameof(ViewingEvent.MemberId) => MemberId,
        nameof(ViewingEvent.TitleId) => TitleId,
        nameof(ViewingEvent.EpisodeId) => EpisodeId,
        nameof(ViewingEvent.Device) => Device,
        nameof(ViewingEvent.TimestampUtc) => Timestamp,
        nameof(ViewingEvent.SessionId) => SessionId,
        nameof(ViewingEvent.PositionSeconds) => Position,
        nameof(ViewingEvent.Rating) => Rating,
        nameof(ViewingEvent.PauseSeconds) => PauseSeconds,
        nameof(ViewingEvent.SeekFromSeconds) => SeekFrom,
        nameof(ViewingEvent.Query) => Query,
        nameof(ViewingEvent.ResultsShown) => ResultsShown,
        nameof(ViewingEvent.Row) => Row,
        nameof(ViewingEvent.RowPosition) => RowPosition,
        nameof(ViewingEvent.Propensity) => Propensity,
        _ => property,
    };

    // Names precomputed once: Enum.ToString per field per line would dominate the parse.
    private static readonly (string Wire, string Enum, EventKind Kind)[] KindNames =
        [.. EventKinds.All.Select(k => (k.WireName(), k.ToString(), k))];

    private static readonly (string Name, DeviceKind Device)[] DeviceNames =
        [.. Enum.GetValues<DeviceKind>().Select(d => (d.ToString(), d))];

    internal static EventKind ParseKind(ReadOnlySpan<char> text)
    {
        foreach (var (wire, name, kind) in KindNames)
        {
            if (text.Equals(wire, StringComparison.OrdinalIgnoreCase) || text.Equals(name, StringComparison.OrdinalIgnoreCase))
                return kind;
        }
        throw new MalformedLineException($"{Kind}: {UnicodeText.Quote(text)} is not an event kind (expected one of {string.Join(", ", KindNames.Select(k => k.Wire))})");
    }

    internal static DeviceKind ParseDevice(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        foreach (var (name, device) in DeviceNames)
        {
            if (text.Equals(name, StringComparison.OrdinalIgnoreCase)) return device;
        }
        throw new MalformedLineException($"{Device}: {UnicodeText.Quote(text)} is not a device (expected tv, phone, tablet, web or console)");
    }

    /// <summary>ISO 8601 text or Unix seconds (digits, optionally with a fraction) as a UTC time.</summary>
    internal static DateTime ParseTimestamp(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.IsEmpty) throw new MalformedLineException($"{Timestamp}: is empty");
        if (char.IsAsciiDigit(text[0]) && !text.ContainsAny('-', ':', 'T'))
        {
            if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds))
                throw new MalformedLineException($"{Timestamp}: {UnicodeText.Quote(text)} is neither ISO 8601 nor Unix seconds");
            return FromUnixSeconds(seconds);
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var time))
            throw new MalformedLineException($"{Timestamp}: {UnicodeText.Quote(text)} is neither ISO 8601 (e.g. 2024-05-01T20:15:00Z) nor Unix seconds");
        return time.UtcDateTime;
    }

    internal static DateTime FromUnixSeconds(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0 || seconds > MovieLensFields.MaxUnixSeconds)
            throw new MalformedLineException($"{Timestamp}: {seconds.ToString(CultureInfo.InvariantCulture)} Unix seconds is outside 1970..9999");
        return DateTime.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }

    internal static double ParseNumber(ReadOnlySpan<char> text, string field)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new MalformedLineException($"{field}: {UnicodeText.Quote(text)} is not a number");
        return CheckFinite(value, field);
    }

    internal static double CheckFinite(double value, string field)
    {
        if (!double.IsFinite(value)) throw new MalformedLineException($"{field}: {value.ToString(CultureInfo.InvariantCulture)} is not a finite number");
        return value;
    }

    internal static int ParseInteger(ReadOnlySpan<char> text, string field)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            throw new MalformedLineException($"{field}: {UnicodeText.Quote(text)} is not a 32-bit integer");
        return value;
    }
}
