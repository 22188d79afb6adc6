using System.Runtime.InteropServices;
using Encore.Core;

namespace Encore.Models;

/// <summary>Binary read/write of the pieces every model file holds: id maps and primitive arrays (little-endian).</summary>
public static class ModelIo
{
    /// <summary>Writes <paramref name="ids"/>: the count, then each id in index order.</summary>
    public static void WriteIds(BinaryWriter writer, IdMap ids)
    {
        writer.Write(ids.Count);
        for (int i = 0; i < ids.Count; i++) writer.Write(ids[i]);
    }

    /// <summary>Reads an id map that <see cref="WriteIds"/> wrote; a duplicate id or a bad count is an <see cref="InvalidDataException"/>.</summary>
    public static IdMap ReadIds(BinaryReader reader)
    {
        int count = ReadCount(reader, "id map");
        var map = new IdMap(count);
        for (int i = 0; i < count; i++)
        {
            var id = reader.ReadString();
            if (map.GetOrAdd(id) != i) throw new InvalidDataException($"model file: duplicate id '{id}' at position {i} of an id map");
        }
        return map;
    }

    /// <summary>Writes <paramref name="values"/>: the length, then the raw little-endian values.</summary>
    public static void WriteArray<T>(BinaryWriter writer, ReadOnlySpan<T> values) where T : unmanaged
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads an array that <see cref="WriteArray{T}"/> wrote; a bad length is an <see cref="InvalidDataException"/>.</summary>
    public static T[] ReadArray<T>(BinaryReader reader) where T : unmanaged
    {
        int count = ReadCount(reader, typeof(T).Name + " array");
        var values = new T[count];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        int read = 0;
        while (read < bytes.Length)
        {
            int n = reader.Read(bytes[read..]);
            if (n == 0) throw new InvalidDataException($"model file: truncated {typeof(T).Name} array ({read} of {bytes.Length} bytes)");
            read += n;
        }
        return values;
    }

    /// <summary>Reads a non-negative count, rejecting a corrupt (negative) one with a clear message.</summary>
    public static int ReadCount(BinaryReader reader, string what)
    {
        int count = reader.ReadInt32();
        if (count < 0) throw new InvalidDataException($"model file: negative length {count} for {what}");
        return count;
    }

    /// <summary>Checks that an array read from a file has the length the rest of the model implies.</summary>
    public static void ExpectLength(Array array, long expected, string what)
    {
        if (array.LongLength != expected)
            throw new InvalidDataException($"model file: {what} holds {array.LongLength} values; expected {expected}");
    }
}

/// <summary>Per-model payload versions, checked on load.</summary>
public static class PayloadVersion
{
    /// <summary>Reads a payload version and refuses (<see cref="InvalidDataException"/>) any but <paramref name="supported"/>, naming <paramref name="model"/>.</summary>
    public static void Check(BinaryReader reader, string model, int supported)
    {
        int version = reader.ReadInt32();
        if (version != supported)
            throw new InvalidDataException($"model file: '{model}' payload version {version} is not supported (this build reads {supported})");
    }

    /// <summary>Reads the payload version, one of <paramref name="oldest"/>..<paramref name="newest"/> (an older one a model still reads).</summary>
    public static int Read(BinaryReader reader, string model, int oldest, int newest)
    {
        int version = reader.ReadInt32();
        if (version < oldest || version > newest)
            throw new InvalidDataException($"model file: '{model}' payload version {version} is not supported (this build reads {oldest} to {newest})");
        return version;
    }
}
