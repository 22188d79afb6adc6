using System.Text.Json;
using System.Text.Unicode;

namespace Encore.Ingestion.Importers;

/// <summary>
/// Reads one <see cref="Core.ViewingEvent"/> from one JSON object (a line of a JSON Lines file) with
/// <see cref="Utf8JsonReader"/>: no DOM, no string per key. Unknown keys are ignored (exports often carry
/// extra columns); null means absent. (Ids are not pooled: events live one batch, and measured on 200K events
/// a pool cost more CPU than the strings it saved.)
/// </summary>
internal sealed class ViewingEventJson
{
    private readonly ViewingEventDraft _draft = new();

    /// <param name="json">One JSON object, as UTF-8 bytes.</param>
    /// <param name="validUtf8">The caller has checked the bytes are UTF-8 (a whole batch at once): not checked again.</param>
    public Core.ViewingEvent Parse(ReadOnlySpan<byte> json, bool validUtf8 = false)
    {
        if (!validUtf8 && !Utf8.IsValid(json)) throw new MalformedLineException(LineReader.DescribeInvalidUtf8(json));
        _draft.Clear();
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new MalformedLineException("expected a JSON object ({...}) on the line");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // Match the key's bytes against the known names: no string per key per line.
                var name = reader.ValueIsEscaped ? FieldName(reader.GetString()!) : FieldName(reader.ValueSpan);
                if (!reader.Read()) break;
                if (name is null) reader.Skip();
                else ReadField(ref reader, name);
            }
            // A second value on the same line (or trailing garbage) makes Utf8JsonReader throw here.
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            throw new MalformedLineException($"invalid JSON at byte {e.BytePositionInLine + 1}: {FirstSentence(e.Message)}");
        }
        return _draft.Build();
    }

    private void ReadField(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null) return;
        var d = _draft;
        switch (name)
        {
            case EventFields.EventId: d.EventId = String(ref reader, name); break;
            case EventFields.Kind: d.Kind = EventFields.ParseKind(String(ref reader, name)); break;
            case EventFields.MemberId: d.MemberId = String(ref reader, name); break;
            case EventFields.TitleId: d.TitleId = String(ref reader, name); break;
            case EventFields.EpisodeId: d.EpisodeId = String(ref reader, name); break;
            case EventFields.Device: d.Device = EventFields.ParseDevice(String(ref reader, name)); break;
            case EventFields.Timestamp:
                d.Timestamp = reader.TokenType == JsonTokenType.Number
                    ? EventFields.FromUnixSeconds(Number(ref reader, name))
                    : EventFields.ParseTimestamp(String(ref reader, name));
                break;
            case EventFields.SessionId: d.SessionId = String(ref reader, name); break;
            case EventFields.Position: d.Position = Number(ref reader, name); break;
            case EventFields.Rating: d.Rating = Number(ref reader, name); break;
            case EventFields.PauseSeconds: d.PauseSeconds = Number(ref reader, name); break;
            case EventFields.SeekFrom: d.SeekFrom = Number(ref reader, name); break;
            case EventFields.Query: d.Query = String(ref reader, name); break;
            case EventFields.ResultsShown: d.ResultsShown = StringArray(ref reader, name); break;
            case EventFields.Row: d.Row = String(ref reader, name); break;
            case EventFields.RowPosition:
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int slot))
                    throw new MalformedLineException($"{name}: must be a 32-bit integer");
                d.RowPosition = slot;
                break;
            case EventFields.Propensity: d.Propensity = Number(ref reader, name); break;
        }
    }

    private static readonly (byte[] Utf8, string Name)[] Names =
        [.. EventFields.All.Select(n => (System.Text.Encoding.UTF8.GetBytes(n), n))];

    /// <summary>The known field <paramref name="key"/> names, or null for a key to ignore.</summary>
    private static string? FieldName(ReadOnlySpan<byte> key)
    {
        foreach (var (utf8, name) in Names)
            if (key.SequenceEqual(utf8)) return name;
        return null;
    }

    private static string? FieldName(string key) => EventFields.All.Contains(key) ? key : null;

    private static string String(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.String) throw new MalformedLineException($"{field}: must be a string, found {Describe(reader.TokenType)}");
        return reader.GetString()!;
    }

    private static double Number(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.Number) throw new MalformedLineException($"{field}: must be a number, found {Describe(reader.TokenType)}");
        if (!reader.TryGetDouble(out double value)) throw new MalformedLineException($"{field}: number out of range");
        return EventFields.CheckFinite(value, field);
    }

    private static List<string> StringArray(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new MalformedLineException($"{field}: must be an array of title ids, found {Describe(reader.TokenType)}");
        var items = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            items.Add(String(ref reader, field));
        return items;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => token.ToString(),
    };

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd();
    }
}
