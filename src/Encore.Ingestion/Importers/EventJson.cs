using System.Text.Json;
using System.Text.Unicode;
using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>One element of a batch as read: the event, or why it could not be read (then <see cref="Event"/> is null).</summary>
/// <param name="Event">The event read, or null when the element is malformed.</param>
/// <param name="EventId">The element's "event_id" where it has one as a string, even when the rest is malformed.</param>
/// <param name="Error">Why the element could not be read, or null when <paramref name="Event"/> is set.</param>
public sealed record EventBatchEntry(ViewingEvent? Event, string? EventId, string? Error);

/// <summary>A body that cannot be read as a batch at all: not UTF-8, not JSON, the wrong shape, or too many events.</summary>
public sealed class EventBatchFormatException(string message, bool tooLarge = false) : FormatException(message)
{
    /// <summary>The batch holds more events than allowed (the body itself was readable).</summary>
    public bool TooLarge { get; } = tooLarge;
}

/// <summary>
/// Events as JSON: a batch is a JSON array of event objects, or an object whose "events" is that array; each object has
/// the fields of a JSON Lines event file (<see cref="EventFields"/>), so events from files and from the API are read by one
/// parser. A malformed element does not spoil the batch: it is reported at its position and the others are read.
/// </summary>
public static class EventJson
{
    /// <summary>Deepest nesting a batch may have (an event object inside the array inside the envelope needs 4).</summary>
    public const int MaxDepth = 8;

    /// <summary>Reads a batch of at most <paramref name="maxEvents"/> events.</summary>
    /// <exception cref="EventBatchFormatException">The body is not UTF-8, not JSON, not an array (or {"events": [...]}), or too long.</exception>
    public static IReadOnlyList<EventBatchEntry> ParseBatch(ReadOnlySpan<byte> body, int maxEvents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        if (!Utf8.IsValid(body)) throw new EventBatchFormatException("the body is not UTF-8: " + LineReader.DescribeInvalidUtf8(body));
        var entries = new List<EventBatchEntry>();
        var parser = new ViewingEventJson();
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
            if (!reader.Read()) throw new EventBatchFormatException("the body is empty; send a JSON array of events, or {\"events\": [...]}");
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                // The envelope: {"events": [...]} and nothing else that matters.
                bool found = false;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool events = reader.ValueTextEquals("events"u8);
                    if (!reader.Read()) break;
                    if (!events) { reader.Skip(); continue; }
                    if (found) throw new EventBatchFormatException("\"events\" is given twice");
                    if (reader.TokenType != JsonTokenType.StartArray) throw new EventBatchFormatException("\"events\" must be an array of event objects");
                    found = true;
                    ReadArray(ref reader, body, maxEvents, parser, entries);
                }
                if (!found) throw new EventBatchFormatException("the object has no \"events\" array; send {\"events\": [...]} or a bare array");
            }
            else if (reader.TokenType == JsonTokenType.StartArray) ReadArray(ref reader, body, maxEvents, parser, entries);
            else throw new EventBatchFormatException("the body must be a JSON array of events, or {\"events\": [...]}");
            while (reader.Read()) { } // trailing content is an error from the reader
        }
        catch (JsonException e)
        {
            throw new EventBatchFormatException($"invalid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {FirstSentence(e.Message)}");
        }
        return entries;
    }

    private static void ReadArray(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int maxEvents, ViewingEventJson parser, List<EventBatchEntry> entries)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (entries.Count == maxEvents)
                throw new EventBatchFormatException($"the batch holds more than {maxEvents:N0} events; send at most {maxEvents:N0} per request", tooLarge: true);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var found = reader.TokenType;
                reader.Skip();
                entries.Add(new EventBatchEntry(null, null, $"expected an event object, found {Describe(found)}"));
                continue;
            }
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            var element = body[start..(int)reader.BytesConsumed];
            try
            {
                var e = parser.Parse(element, validUtf8: true); // the whole body was checked
                entries.Add(new EventBatchEntry(e, e.EventId, null));
            }
            catch (MalformedLineException m)
            {
                entries.Add(new EventBatchEntry(null, EventIdOf(element), m.Reason));
            }
        }
    }

    /// <summary>The "event_id" string of an element that did not parse, where it has one.</summary>
    private static string? EventIdOf(ReadOnlySpan<byte> element)
    {
        try
        {
            var reader = new Utf8JsonReader(element);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool id = reader.ValueTextEquals("event_id"u8);
                reader.Read();
                if (id) return reader.TokenType == JsonTokenType.String ? Core.UnicodeText.Clip(reader.GetString()!) : null;
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    /// <summary>Writes one event with the fields of an event file (absent values left out).</summary>
    public static void Write(Utf8JsonWriter writer, ViewingEvent e)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(e);
        writer.WriteStartObject();
        writer.WriteString(EventFields.EventId, e.EventId);
        writer.WriteString(EventFields.Kind, e.Kind.WireName());
        writer.WriteString(EventFields.MemberId, e.MemberId);
        if (e.TitleId is { } title) writer.WriteString(EventFields.TitleId, title);
        if (e.EpisodeId is { } episode) writer.WriteString(EventFields.EpisodeId, episode);
        writer.WriteString(EventFields.Device, e.Device.ToString().ToLowerInvariant());
        writer.WriteString(EventFields.Timestamp, TitleJson.Utc(e.TimestampUtc));
        writer.WriteString(EventFields.SessionId, e.SessionId);
        if (e.PositionSeconds is { } position) writer.WriteNumber(EventFields.Position, position);
        if (e.Rating is { } rating) writer.WriteNumber(EventFields.Rating, rating);
        if (e.PauseSeconds is { } pause) writer.WriteNumber(EventFields.PauseSeconds, pause);
        if (e.SeekFromSeconds is { } seek) writer.WriteNumber(EventFields.SeekFrom, seek);
        if (e.Query is { } query) writer.WriteString(EventFields.Query, query);
        if (e.ResultsShown is { } shown)
        {
            writer.WriteStartArray(EventFields.ResultsShown);
            foreach (var id in shown) writer.WriteStringValue(id);
            writer.WriteEndArray();
        }
        if (e.Row is { } row) writer.WriteString(EventFields.Row, row);
        if (e.RowPosition is { } slot) writer.WriteNumber(EventFields.RowPosition, slot);
        if (e.Propensity is { } propensity) writer.WriteNumber(EventFields.Propensity, propensity);
        writer.WriteEndObject();
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd();
    }
}
