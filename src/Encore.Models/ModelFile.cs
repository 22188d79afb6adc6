using System.Text;

namespace Encore.Models;

/// <summary>
/// The versioned binary envelope of a saved model: an 8-byte magic, the envelope format version, the
/// catalogue name of the model, the model's own payload (<see cref="IRecommender.Save"/>), and an end
/// marker that catches truncated files. Loading dispatches on the name through <see cref="ModelCatalog"/>.
/// </summary>
public static class ModelFile
{
    public const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "ENCOREMF"u8;
    private const uint EndMarker = 0x444E454D; // "MEND"

    public static void Save(IRecommender model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!ModelCatalog.TryGet(model.Name, out _))
            throw new ArgumentException($"model '{model.Name}' is not in ModelCatalog, so it could not be loaded back", nameof(model));
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(model.Name);
        model.Save(writer);
        writer.Write(EndMarker);
        writer.Flush();
    }

    public static void Save(IRecommender model, string path)
    {
        // Write beside the target and move, so a crash never leaves a half-written model under the real name.
        var temp = path + ".tmp";
        using (var stream = File.Create(temp)) Save(model, stream);
        File.Move(temp, path, overwrite: true);
    }

    public static IRecommender Load(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            Span<byte> magic = stackalloc byte[8];
            if (reader.Read(magic) != 8 || !magic.SequenceEqual(Magic))
                throw new InvalidDataException("not an Encore model file (bad magic)");
            int version = reader.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidDataException($"model file format version {version} is not supported (this build reads {FormatVersion})");
            var name = reader.ReadString();
            if (!ModelCatalog.TryGet(name, out var descriptor))
                throw new InvalidDataException($"model file holds model '{name}', which this build does not know; known: {string.Join(", ", ModelCatalog.Names)}");
            var model = descriptor.Load(reader);
            if (reader.ReadUInt32() != EndMarker) throw new InvalidDataException($"model file for '{name}' is corrupt (no end marker after the payload)");
            return model;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("model file is truncated", e);
        }
    }

    public static IRecommender Load(string path)
    {
        using var stream = File.OpenRead(path);
        try { return Load(stream); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }
}
