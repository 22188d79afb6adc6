using System.Text.Json;
using System.Text.Unicode;
using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// A member as JSON: <c>{"id":"m1","joined":"2024-01-01T00:00:00Z","country":"NO","maturity_limit":"PG-13",
/// "attributes":{"plan":"premium"}}</c>; only the id is required (for an update the id may come from elsewhere, e.g. the URL).
/// </summary>
public static class MemberJson
{
    /// <summary>Reads a member; <paramref name="id"/>, where given, is its id and the body's "id" must agree or be absent.</summary>
    /// <exception cref="FormatException">Not UTF-8, not a JSON object, or a field of the wrong type (the message names it).</exception>
    public static Member ParseMember(ReadOnlySpan<byte> json, string? id = null)
    {
        if (!Utf8.IsValid(json)) throw new FormatException(LineReader.DescribeInvalidUtf8(json));
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            document = JsonDocument.ParseValue(ref reader);
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            throw new FormatException($"invalid JSON at byte {e.BytePositionInLine + 1}: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("expected a JSON object ({...})");
            var own = String(root, "id");
            if (id is not null && own is not null && own != id)
                throw new FormatException($"id: the body says {UnicodeText.Quote(own)} but the address names {UnicodeText.Quote(id)}");
            var memberId = id ?? own;
            if (string.IsNullOrEmpty(memberId)) throw new FormatException("id: missing or empty");
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("attributes", out var a) && a.ValueKind != JsonValueKind.Null)
            {
                if (a.ValueKind != JsonValueKind.Object) throw new FormatException("attributes: must be an object of strings");
                foreach (var p in a.EnumerateObject())
                {
                    if (p.Value.ValueKind != JsonValueKind.String) throw new FormatException($"attributes.{UnicodeText.Clip(p.Name)}: must be a string");
                    attributes[p.Name] = p.Value.GetString()!;
                }
            }
            DateTime? joined = null;
            if (String(root, "joined") is { } text)
            {
                try
                {
                    joined = EventFields.ParseTimestamp(text);
                }
                catch (MalformedLineException e)
                {
                    throw new FormatException(e.Reason.Replace(EventFields.Timestamp + ":", "joined:", StringComparison.Ordinal));
                }
            }
            return new Member
            {
                Id = memberId,
                JoinedUtc = joined,
                Country = String(root, "country"),
                MaturityLimit = String(root, "maturity_limit"),
                Attributes = attributes,
            };
        }
    }

    /// <summary>Writes a member in the shape <see cref="ParseMember"/> reads.</summary>
    public static void Write(Utf8JsonWriter writer, Member member)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(member);
        writer.WriteStartObject();
        writer.WriteString("id", member.Id);
        if (member.JoinedUtc is { } joined) writer.WriteString("joined", TitleJson.Utc(joined));
        if (member.Country is { } country) writer.WriteString("country", country);
        if (member.MaturityLimit is { } limit) writer.WriteString("maturity_limit", limit);
        writer.WriteStartObject("attributes");
        foreach (var (key, value) in member.Attributes) writer.WriteString(key, value);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string? String(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new FormatException($"{name}: must be a string");
        return v.GetString();
    }
}
