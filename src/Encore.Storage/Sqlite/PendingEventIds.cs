using System.Buffers.Binary;

namespace Encore.Storage;

/// <summary>An event id encoded once per event: the 16 bytes of a canonical UUID as a number, else the text.</summary>
internal readonly struct EncodedEventId
{
    private EncodedEventId(string text, bool isUuid, UInt128 uuid)
    {
        Text = text;
        IsUuid = isUuid;
        Uuid = uuid;
    }

    public string Text { get; }

    public bool IsUuid { get; }

    /// <summary>The big-endian value of the UUID's 16 bytes (only when <see cref="IsUuid"/>).</summary>
    public UInt128 Uuid { get; }

    public static EncodedEventId From(string id)
    {
        Span<byte> bytes = stackalloc byte[EventIds.UuidBytes];
        return EventIds.TryEncode(id, bytes)
            ? new EncodedEventId(id, true, BinaryPrimitives.ReadUInt128BigEndian(bytes))
            : new EncodedEventId(id, false, default);
    }

    /// <summary>From what an event id column holds (text, or the 16 bytes of a UUID).</summary>
    public static EncodedEventId FromColumn(object value) => value switch
    {
        byte[] { Length: EventIds.UuidBytes } bytes => new EncodedEventId(EventIds.Decode(bytes), true, BinaryPrimitives.ReadUInt128BigEndian(bytes)),
        _ => new EncodedEventId(EventIds.Decode(value), false, default),
    };
}

/// <summary>
/// The ids of the events pending (accepted, not yet sealed into a segment). UUID ids (nearly all of them) are kept as 128-bit numbers:
/// a quarter of the memory of their strings, and a hash of 16 bytes instead of 36 characters.
/// </summary>
internal sealed class PendingEventIds
{
    private readonly HashSet<UInt128> _uuids = [];
    private readonly HashSet<string> _others = new(StringComparer.Ordinal);

    public int Count => _uuids.Count + _others.Count;


    public bool Contains(in EncodedEventId id) => id.IsUuid ? _uuids.Contains(id.Uuid) : _others.Contains(id.Text);

    public void Add(in EncodedEventId id)
    {
        if (id.IsUuid) _uuids.Add(id.Uuid);
        else _others.Add(id.Text);
    }

    /// <summary>Adds an id as a block holds it: the UUID's value, or the text of any other id.</summary>
    public void Add(UInt128 uuid, string? text)
    {
        if (text is null) _uuids.Add(uuid);
        else _others.Add(text);
    }

    public void Remove(in EncodedEventId id)
    {
        if (id.IsUuid) _uuids.Remove(id.Uuid);
        else _others.Remove(id.Text);
    }

    public void Clear()
    {
        _uuids.Clear();
        _others.Clear();
    }
}
