using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// The fields of one event as a reader finds them, in any order; <see cref="Build"/> checks that the
/// fields every event needs are there. Whether the values make sense (known title, sane position) is the
/// ingestion pipeline's job, so that events from files and from the API obey the same rules.
/// </summary>
internal sealed class ViewingEventDraft
{
    public string? EventId;
    public EventKind? Kind;
    public string? MemberId;
    public string? TitleId;
    public string? EpisodeId;
    public DeviceKind? Device;
    public DateTime? Timestamp;
    public string? SessionId;
    public double? Position;
    public double? Rating;
    public double? PauseSeconds;
    public double? SeekFrom;
    public string? Query;
    public IReadOnlyList<string>? ResultsShown;
    public string? Row;
    public int? RowPosition;
    public double? Propensity;

    public void Clear()
    {
        EventId = MemberId = TitleId = EpisodeId = SessionId = Query = Row = null;
        Kind = null;
        Device = null;
        Timestamp = null;
        Position = Rating = PauseSeconds = SeekFrom = Propensity = null;
        ResultsShown = null;
        RowPosition = null;
    }

    public ViewingEvent Build()
    {
        return new ViewingEvent
        {
            EventId = EventId ?? throw Missing(EventFields.EventId),
            Kind = Kind ?? throw Missing(EventFields.Kind),
            MemberId = MemberId ?? throw Missing(EventFields.MemberId),
            TitleId = TitleId,
            EpisodeId = EpisodeId,
            Device = Device ?? throw Missing(EventFields.Device),
            TimestampUtc = Timestamp ?? throw Missing(EventFields.Timestamp),
            SessionId = SessionId ?? throw Missing(EventFields.SessionId),
            PositionSeconds = Position,
            Rating = Rating,
            PauseSeconds = PauseSeconds,
            SeekFromSeconds = SeekFrom,
            Query = Query,
            ResultsShown = ResultsShown,
            Row = Row,
            RowPosition = RowPosition,
            Propensity = Propensity,
        };
    }

    private static MalformedLineException Missing(string field) => new($"{field}: missing (every event needs {string.Join(", ", EventFields.Required)})");
}
