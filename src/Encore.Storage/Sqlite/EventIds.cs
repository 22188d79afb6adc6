namespace Encore.Storage;

/// <summary>
/// How event ids are stored. Most senders use UUIDs; one in canonical form (lower-case "D" format, 36
/// characters) is stored as its 16 bytes (big-endian, so byte order is text order) instead of 36 characters of
/// text, which shrinks the event row and the unique index by about 40 bytes an event and makes the duplicate
/// check compare 16 bytes. Any other id is stored as text; the two never collide (SQLite never equates a
/// BLOB with a TEXT), and reading turns the bytes back into exactly the text that was sent.
/// </summary>
internal static class EventIds
{
    public const int UuidBytes = 16;

    /// <summary>Writes the 16 bytes of a canonical UUID id into <paramref name="bytes"/>; false for any other id.</summary>
    public static bool TryEncode(string id, Span<byte> bytes)
    {
        if (id.Length != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-') return false;
        foreach (var c in id)
        {
            // Upper-case hex would not read back as sent.
            if (c is >= 'A' and <= 'F') return false;
        }
        return Guid.TryParseExact(id, "D", out var guid) && guid.TryWriteBytes(bytes, bigEndian: true, out _);
    }

    /// <summary>The id as sent, from the 128-bit value of a canonical UUID's bytes (big-endian).</summary>
    public static string FormatUuid(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[UuidBytes];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }

    /// <summary>The id as sent, from what the column holds (text, or the 16 bytes of a UUID).</summary>
    public static string Decode(object value) => value switch
    {
        string text => text,
        byte[] { Length: UuidBytes } bytes => new Guid(bytes, bigEndian: true).ToString("D"),
        _ => throw new InvalidDataException($"an event id column holds {value.GetType().Name}, expected text or 16 bytes"),
    };
}
