using System.Text.Json;
using Encore.Core;
using Microsoft.Data.Sqlite;

namespace Encore.Storage;

/// <summary>
/// Migration 5: moves the row-per-event <c>events</c> table of a version 4 file into segments, in the order
/// it was stored (its <c>event_key</c> becomes each event's sequence number), then drops it.
/// </summary>
internal static class LegacyEvents
{
    private const int EventsPerSegment = 100_000;

    public static void MoveIntoSegments(SqliteConnection connection, SqliteTransaction tx)
    {
        using var writer = new SegmentWriter(connection.Handle!);
        using var read = connection.CreateCommand();
        read.Transaction = tx;
        read.CommandText = """
            SELECT event_key, event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key, position,
                rating, pause_seconds, seek_from, query, results, row_name, row_position, propensity
            FROM events ORDER BY event_key
            """;
        // Files from before ids were encoded hold canonical UUIDs as text: they become UUIDs here, so that a
        // re-sent id is found among the sealed UUIDs. One that the file also holds as 16 bytes is one event.
        using var blobForm = connection.CreateCommand();
        blobForm.Transaction = tx;
        blobForm.CommandText = "SELECT 1 FROM events WHERE event_id = $id";
        var blobId = blobForm.Parameters.Add("$id", SqliteType.Blob);
        var events = new EventColumns(EventsPerSegment);
        long segment = 0;
        using (var r = read.ExecuteReader())
        {
            while (r.Read())
            {
                var stored = r.GetValue(1);
                var id = stored is string text ? EncodedEventId.From(text) : EncodedEventId.FromColumn(stored);
                if (stored is string && id.IsUuid)
                {
                    var bytes = new byte[EventIds.UuidBytes];
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, id.Uuid);
                    blobId.Value = bytes;
                    if (blobForm.ExecuteScalar() is not null) continue;
                }
                var e = new ViewingEvent
                {
                    EventId = "",
                    Kind = (EventKind)r.GetInt32(2),
                    MemberId = "",
                    Device = (DeviceKind)r.GetInt32(6),
                    TimestampUtc = default,
                    SessionId = "",
                    PositionSeconds = r.IsDBNull(9) ? null : r.GetDouble(9),
                    Rating = r.IsDBNull(10) ? null : r.GetDouble(10),
                    PauseSeconds = r.IsDBNull(11) ? null : r.GetDouble(11),
                    SeekFromSeconds = r.IsDBNull(12) ? null : r.GetDouble(12),
                    Query = r.IsDBNull(13) ? null : r.GetString(13),
                    ResultsShown = r.IsDBNull(14) ? null : JsonSerializer.Deserialize<string[]>(r.GetString(14)),
                    Row = r.IsDBNull(15) ? null : r.GetString(15),
                    RowPosition = r.IsDBNull(16) ? null : r.GetInt32(16),
                    Propensity = r.IsDBNull(17) ? null : r.GetDouble(17),
                };
                events.Add(e, id, r.GetInt64(0), r.GetInt64(7),
                    checked((int)r.GetInt64(3)), r.IsDBNull(4) ? 0 : checked((int)r.GetInt64(4)),
                    r.IsDBNull(5) ? 0 : checked((int)r.GetInt64(5)), r.GetInt64(8));
                if (events.Count == EventsPerSegment)
                {
                    writer.Write(events, ++segment);
                    events.Clear();
                }
            }
        }
        writer.Write(events, ++segment);
        read.CommandText = "DROP TABLE events";
        read.ExecuteNonQuery();
    }
}
