using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// Reads one catalogue <see cref="Title"/> from a JSON object (a line of a titles JSON Lines file):
/// <c>{"id":"t1","name":"...","kind":"film"|"series","runtime_seconds":5400,"genres":[...],"cast":[...],
/// "directors":[...],"maturity_rating":"PG-13","language":"en","release_date":"1995-11-22",
/// "available_from":"2024-01-01T00:00:00Z","available_until":"2025-01-01T00:00:00Z","seasons":[{"number":1,"episodes":[{"id":"t1-s1e1",
/// "number":1,"name":"Pilot","runtime_seconds":2700}]}]}</c>. Only id and name are required. The same shape is what the
/// HTTP API takes and answers (<see cref="Write"/>).
/// </summary>
public static class TitleJson
{
    /// <summary>Whether a JSON object looks like a title rather than an event (it has "id" and "name" but no "event_id").</summary>
    internal static bool LooksLikeTitle(JsonElement root)
        => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out _) && root.TryGetProperty("name", out _)
           && !root.TryGetProperty(EventFields.EventId, out _);

    /// <summary>Reads a title; a <see cref="FormatException"/> says which field is wrong and why.</summary>
    public static Title ParseTitle(ReadOnlySpan<byte> json)
    {
        try
        {
            return Parse(json);
        }
        catch (MalformedLineException e)
        {
            throw new FormatException(e.Reason, e);
        }
    }

    internal static Title Parse(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json)) throw new MalformedLineException(LineReader.DescribeInvalidUtf8(json));
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json);
            document = JsonDocument.ParseValue(ref reader);
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            throw new MalformedLineException($"invalid JSON at byte {e.BytePositionInLine + 1}: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new MalformedLineException("expected a JSON object ({...}) on the line");
            var kind = OptionalString(root, "kind") switch
            {
                null or "film" or "movie" => TitleKind.Film,
                "series" or "show" => TitleKind.Series,
                var other => throw new MalformedLineException($"kind: {UnicodeText.Quote(other)} is neither film nor series"),
            };
            return new Title
            {
                Id = RequiredString(root, "id"),
                Name = RequiredString(root, "name"),
                Kind = kind,
                RuntimeSeconds = OptionalInt(root, "runtime_seconds") ?? 0,
                Genres = Strings(root, "genres"),
                Cast = Strings(root, "cast"),
                Directors = Strings(root, "directors"),
                MaturityRating = OptionalString(root, "maturity_rating"),
                Language = OptionalString(root, "language"),
                ReleaseDate = OptionalString(root, "release_date") is { } date
                    ? DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                        ? d
                        : throw new MalformedLineException($"release_date: {UnicodeText.Quote(date)} is not like 1995-11-22")
                    : null,
                AvailableFromUtc = OptionalString(root, "available_from") is { } from
                    ? EventFields.ParseTimestamp(from)
                    : null,
                AvailableUntilUtc = OptionalString(root, "available_until") is { } until
                    ? EventFields.ParseTimestamp(until)
                    : null,
                Seasons = Seasons(root),
            };
        }
    }

    private static List<Season> Seasons(JsonElement root)
    {
        var seasons = new List<Season>();
        if (!root.TryGetProperty("seasons", out var array) || array.ValueKind == JsonValueKind.Null) return seasons;
        if (array.ValueKind != JsonValueKind.Array) throw new MalformedLineException("seasons: must be an array");
        foreach (var season in array.EnumerateArray())
        {
            int number = OptionalInt(season, "number") ?? throw new MalformedLineException("seasons: a season lacks its number");
            var episodes = new List<Episode>();
            if (season.TryGetProperty("episodes", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in list.EnumerateArray())
                {
                    episodes.Add(new Episode(
                        RequiredString(e, "id"),
                        number,
                        OptionalInt(e, "number") ?? episodes.Count + 1,
                        OptionalString(e, "name") ?? "",
                        OptionalInt(e, "runtime_seconds") ?? 0));
                }
            }
            seasons.Add(new Season(number, episodes));
        }
        return seasons;
    }

    private static string RequiredString(JsonElement e, string name)
        => OptionalString(e, name) is { Length: > 0 } s ? s : throw new MalformedLineException($"{name}: missing or empty");

    private static string? OptionalString(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new MalformedLineException($"{name}: must be a string");
        return v.GetString();
    }

    private static int? OptionalInt(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int value) || value < 0)
            throw new MalformedLineException($"{name}: must be a non-negative 32-bit integer");
        return value;
    }

    private static List<string> Strings(JsonElement e, string name)
    {
        var list = new List<string>();
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return list;
        if (v.ValueKind != JsonValueKind.Array) throw new MalformedLineException($"{name}: must be an array of strings");
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw new MalformedLineException($"{name}: must be an array of strings");
            list.Add(item.GetString()!);
        }
        return list;
    }

    /// <summary>Writes a title in the shape <see cref="ParseTitle"/> reads (absent values left out).</summary>
    public static void Write(Utf8JsonWriter writer, Title title)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(title);
        writer.WriteStartObject();
        writer.WriteString("id", title.Id);
        writer.WriteString("name", title.Name);
        writer.WriteString("kind", title.Kind == TitleKind.Series ? "series" : "film");
        writer.WriteNumber("runtime_seconds", title.RuntimeSeconds);
        WriteStrings(writer, "genres", title.Genres);
        WriteStrings(writer, "cast", title.Cast);
        WriteStrings(writer, "directors", title.Directors);
        if (title.MaturityRating is { } rating) writer.WriteString("maturity_rating", rating);
        if (title.Language is { } language) writer.WriteString("language", language);
        if (title.ReleaseDate is { } release) writer.WriteString("release_date", release.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (title.AvailableFromUtc is { } from) writer.WriteString("available_from", Utc(from));
        if (title.AvailableUntilUtc is { } until) writer.WriteString("available_until", Utc(until));
        if (title.Seasons.Count > 0)
        {
            writer.WriteStartArray("seasons");
            foreach (var season in title.Seasons)
            {
                writer.WriteStartObject();
                writer.WriteNumber("number", season.Number);
                writer.WriteStartArray("episodes");
                foreach (var e in season.Episodes)
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", e.Id);
                    writer.WriteNumber("number", e.EpisodeNumber);
                    writer.WriteString("name", e.Name);
                    writer.WriteNumber("runtime_seconds", e.RuntimeSeconds);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    internal static string Utc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var v in values) writer.WriteStringValue(v);
        writer.WriteEndArray();
    }
}
