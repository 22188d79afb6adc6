using System.Text;
using Encore.Models.Ratings;

namespace Encore.Models;

/// <summary>
/// The versioned binary envelope of every saved model, top-N and rating alike: an 8-byte magic, the envelope
/// format version, the catalogue name of the model, the model's own payload (<see cref="IModel.Save"/>, which
/// starts with its payload version), and an end marker that catches truncated files. Saving to a path writes
/// beside it and moves the file into place, so a crash never leaves half a model under the real name. Loading
/// dispatches on the name through <see cref="ModelCatalog"/>.
/// </summary>
public static class ModelFile
{
    /// <summary>The version of the envelope (magic, version, model name, payload, end marker) that <see cref="Save(IModel, Stream)"/> writes.</summary>
    public const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "ENCOREMF"u8;
    private const uint EndMarker = 0x444E454D; // "MEND"

    /// <summary>Writes <paramref name="model"/> in the envelope to <paramref name="stream"/>; the model must be in the <see cref="ModelCatalog"/>.</summary>
    public static void Save(IModel model, Stream stream)
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

    /// <summary>Writes <paramref name="model"/> to the file at <paramref name="path"/>, through a temporary file beside it, so that a crash never leaves half a model under the name.</summary>
    public static void Save(IModel model, string path)
    {
        // Write beside the target and move, so a crash never leaves a half-written model under the real name.
        var temp = path + ".tmp";
        using (var stream = File.Create(temp)) Save(model, stream);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a top-N model; a file holding a rating model is refused with what it holds.</summary>
    public static IRecommender Load(Stream stream) => Expect<IRecommender>(LoadModel(stream), ModelTask.TopN);

    /// <summary>Reads the top-N model in the file at <paramref name="path"/>.</summary>
    public static IRecommender Load(string path) => FromPath(path, Load);

    /// <summary>Reads a rating model; a file holding a top-N model is refused with what it holds.</summary>
    public static IRatingPredictor LoadRating(Stream stream) => Expect<IRatingPredictor>(LoadModel(stream), ModelTask.Rating);

    /// <summary>Reads the rating model in the file at <paramref name="path"/>.</summary>
    public static IRatingPredictor LoadRating(string path) => FromPath(path, LoadRating);

    /// <summary>Reads whatever model the file holds.</summary>
    public static IModel LoadModel(Stream stream)
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

    private static T Expect<T>(IModel model, ModelTask task) where T : class, IModel
        => model as T ?? throw new InvalidDataException(
            $"model file holds the {(task == ModelTask.TopN ? "rating" : "top-N")} model '{model.Name}'; a {(task == ModelTask.TopN ? "top-N" : "rating")} model was expected");

    private static T FromPath<T>(string path, Func<Stream, T> load)
    {
        using var stream = File.OpenRead(path);
        try { return load(stream); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }
}
