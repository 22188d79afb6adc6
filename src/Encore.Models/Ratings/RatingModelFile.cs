using System.Runtime.InteropServices;
using System.Text;
using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// The versioned file of a fitted rating model: a magic string, the format version, then the predictor's
/// own <see cref="IRatingPredictor.Save"/> (which starts with its kind tag). Little-endian throughout.
/// </summary>
public static class RatingModelFile
{
    public const string Magic = "ENCORE-RATING-MODEL";
    public const int FormatVersion = 1;

    public static void Save(IRatingPredictor model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        model.Save(writer);
    }

    public static void Save(IRatingPredictor model, string path)
    {
        using var stream = File.Create(path);
        Save(model, stream);
    }

    public static IRatingPredictor Load(Stream stream, string source = "stream")
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        string magic;
        try { magic = reader.ReadString(); }
        catch (Exception e) when (e is EndOfStreamException or IOException) { throw new InvalidDataException($"{source}: not an Encore rating model file (too short)", e); }
        if (magic != Magic) throw new InvalidDataException($"{source}: not an Encore rating model file (magic '{magic}')");
        int version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException($"{source}: rating model format version {version} is not supported (this build reads {FormatVersion})");
        return ReadPredictor(reader, source);
    }

    public static IRatingPredictor Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads one predictor (kind tag, then body); blends use it for their members.</summary>
    internal static IRatingPredictor ReadPredictor(BinaryReader reader, string source)
    {
        string kind = reader.ReadString();
        try
        {
            return kind switch
            {
                FactorRatingModel.Kind => FactorRatingModel.ReadBody(reader),
                KnnRatingModel.Kind => KnnRatingModel.ReadBody(reader),
                BlendRatingModel.Kind => BlendRatingModel.ReadBody(reader, source),
                _ => throw new InvalidDataException($"{source}: unknown rating model kind '{kind}'"),
            };
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{source}: the '{kind}' rating model is truncated", e);
        }
    }

    /// <summary>Writes the part every baseline-anchored model shares: name, id maps, global mean and rating range.</summary>
    internal static void WriteCommon(BinaryWriter writer, string name, IdMap members, IdMap titles, float mean, float min, float max)
    {
        writer.Write(name);
        WriteIds(writer, members);
        WriteIds(writer, titles);
        writer.Write(mean);
        writer.Write(min);
        writer.Write(max);
    }

    /// <summary>Reads what <see cref="WriteCommon"/> wrote.</summary>
    internal static CommonPart ReadCommon(BinaryReader reader)
        => new(reader.ReadString(), ReadIds(reader), ReadIds(reader), reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle());

    internal readonly record struct CommonPart(string Name, IdMap Members, IdMap Titles, float Mean, float Min, float Max);

    /// <summary>PredictMany for models whose pairs are independent: one Predict per pair, lengths checked.</summary>
    internal static void PredictEach(IRatingPredictor model, ReadOnlySpan<int> members, ReadOnlySpan<int> titles, Span<float> output)
    {
        if (members.Length != titles.Length || members.Length != output.Length)
            throw new ArgumentException($"members ({members.Length}), titles ({titles.Length}) and output ({output.Length}) must have one length");
        for (int k = 0; k < output.Length; k++) output[k] = model.Predict(members[k], titles[k]);
    }

    internal static void WriteIds(BinaryWriter writer, IdMap ids)
    {
        writer.Write(ids.Count);
        for (int i = 0; i < ids.Count; i++) writer.Write(ids[i]);
    }

    internal static IdMap ReadIds(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 0) throw new InvalidDataException($"negative id count {count}");
        var ids = new IdMap(count);
        for (int i = 0; i < count; i++) ids.GetOrAdd(reader.ReadString());
        if (ids.Count != count) throw new InvalidDataException("the id list holds duplicates");
        return ids;
    }

    internal static void WriteFloats(BinaryWriter writer, float[] values)
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    internal static void WriteInts(BinaryWriter writer, int[] values)
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    internal static float[] ReadFloats(BinaryReader reader) => ReadArray<float>(reader);

    internal static int[] ReadInts(BinaryReader reader) => ReadArray<int>(reader);

    private static T[] ReadArray<T>(BinaryReader reader) where T : unmanaged
    {
        int count = reader.ReadInt32();
        if (count < 0) throw new InvalidDataException($"negative array length {count}");
        var values = new T[count];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        int read = 0;
        while (read < bytes.Length)
        {
            int n = reader.Read(bytes[read..]);
            if (n == 0) throw new EndOfStreamException("array cut short");
            read += n;
        }
        return values;
    }
}
