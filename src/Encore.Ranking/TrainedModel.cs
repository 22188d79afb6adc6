using System.Text;
using System.Text.Json;
using Encore.Models;
using Encore.Signals;

namespace Encore.Ranking;

/// <summary>What a training run read and chose: for `encore recommend`, the console and the model list of the server.</summary>
public sealed record TrainingInfo
{
    public required string Model { get; init; }
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Preferences { get; init; } = new Dictionary<string, string>();
    /// <summary>The store trained from (<see cref="Encore.Storage.IEventStore.Location"/>).</summary>
    public required string Source { get; init; }
    public long Events { get; init; }
    public int Members { get; init; }
    public int Titles { get; init; }
    /// <summary>Pairs the model learned from: positive and negative evidence.</summary>
    public long Positives { get; init; }
    public long Negatives { get; init; }
    /// <summary>The time of the last event trained on (UTC): signals are weighed as of then.</summary>
    public DateTime TrainedUntilUtc { get; init; }
    public DateTime TrainedAtUtc { get; init; }
    public double FitSeconds { get; init; }
    /// <summary>Why this model was chosen, where `--model auto` chose it.</summary>
    public string? Choice { get; init; }
    /// <summary>The model similar titles come from, where it is not <see cref="Model"/>.</summary>
    public string? SimilarModel { get; init; }
}

/// <summary>
/// A fitted model with what ranking needs beside it: how signals were weighed (the same weighing turns a member's newer
/// events into a fold-in history), the service-wide context shares, and what training read.
/// </summary>
public sealed class TrainedModel(IRecommender recommender, PreferenceOptions preferences, ContextShares contextShares, TrainingInfo info,
    IRecommender? similar = null, int[]? titleSupport = null, ContinueWatching.ResumeModel? resume = null)
{
    /// <summary>The learned chance of resuming that orders Continue Watching, or null to order it by recency.</summary>
    public ContinueWatching.ResumeModel? Resume { get; } = resume;

    /// <summary>
    /// How many members gave each of the model's titles positive evidence in training (by <see cref="IModel.TitleIds"/>):
    /// a title with none is one the model knows only by name, to be scored from its metadata instead.
    /// </summary>
    public int[] TitleSupport { get; } = titleSupport ?? Enumerable.Repeat(1, recommender?.TitleIds.Count ?? 0).ToArray();

    public IRecommender Recommender { get; } = recommender ?? throw new ArgumentNullException(nameof(recommender));

    /// <summary>
    /// The model "Because you watched" rows take their similar titles from (the similarity is not personalized):
    /// the best model on P-NEXT where one was trained beside the main model, else the main model itself.
    /// </summary>
    public IRecommender Similar { get; } = similar ?? recommender;
    public PreferenceOptions Preferences { get; } = preferences ?? throw new ArgumentNullException(nameof(preferences));
    public ContextShares ContextShares { get; } = contextShares ?? throw new ArgumentNullException(nameof(contextShares));
    public TrainingInfo Info { get; } = info ?? throw new ArgumentNullException(nameof(info));
    public long TrainedUntilMs => new DateTimeOffset(DateTime.SpecifyKind(Info.TrainedUntilUtc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}

/// <summary>
/// The file of a <see cref="TrainedModel"/>: an 8-byte magic, a format version, the training info and preferences as
/// JSON, the context shares, each title's support in training, the model (and the similar-titles model, where it is another) in its
/// <see cref="ModelFile"/> envelope, the resume model where there is one, and an end marker. Written beside the
/// target and moved over it, so a crash never leaves half a model under the real name.
/// </summary>
public static class TrainedModelFile
{
    public const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "ENCORETM"u8;
    private const uint EndMarker = 0x444E4554; // "TEND"
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (beside it first, then moved over it).</summary>
    public static void Save(TrainedModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var temp = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                Save(model, stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="stream"/> (left open), front to back: a model store can stream it on.</summary>
    public static void Save(TrainedModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(JsonSerializer.Serialize(model.Info, Json));
        writer.Write(JsonSerializer.Serialize(model.Preferences, Json));
        model.ContextShares.Write(writer);
        writer.Write(model.TitleSupport.Length);
        foreach (var n in model.TitleSupport) writer.Write(n);
        bool separate = !ReferenceEquals(model.Similar, model.Recommender);
        writer.Write(separate);
        writer.Flush();
        ModelFile.Save(model.Recommender, stream);
        if (separate) ModelFile.Save(model.Similar, stream);
        writer.Write(model.Resume is not null);
        writer.Flush();
        if (model.Resume is { } resume) ContinueWatching.ResumeModelFile.Save(resume, stream);
        writer.Write(EndMarker);
        writer.Flush();
    }

    /// <summary>Reads the trained model in the file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">Not a trained model file, another format version, or damaged (the message names the file).</exception>
    public static TrainedModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads a trained model from <paramref name="stream"/> (read front to back, left open).</summary>
    /// <param name="where">What the stream is, for messages (a path, or a model store's version).</param>
    /// <exception cref="InvalidDataException">Not a trained model, another format version, or damaged (the message names <paramref name="where"/>).</exception>
    public static TrainedModel Load(Stream stream, string where)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrWhiteSpace(where);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            Span<byte> magic = stackalloc byte[8];
            if (reader.Read(magic) != 8 || !magic.SequenceEqual(Magic))
                throw new InvalidDataException("not an Encore trained model (bad magic); `encore train` writes one");
            int version = reader.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidDataException($"trained model format version {version} is not supported (this build reads {FormatVersion}); train again");
            var info = JsonSerializer.Deserialize<TrainingInfo>(reader.ReadString(), Json) ?? throw new InvalidDataException("no training info");
            var preferences = JsonSerializer.Deserialize<PreferenceOptions>(reader.ReadString(), Json) ?? throw new InvalidDataException("no preferences");
            var shares = ContextShares.Read(reader);
            int supported = reader.ReadInt32();
            if (supported < 0 || supported > 100_000_000) throw new InvalidDataException($"title support of {supported} titles");
            var support = new int[supported];
            for (int i = 0; i < supported; i++) support[i] = reader.ReadInt32();
            bool separate = reader.ReadBoolean();
            var recommender = ModelFile.Load(stream);
            var similar = separate ? ModelFile.Load(stream) : null;
            var resume = reader.ReadBoolean() ? ContinueWatching.ResumeModelFile.Load(stream) : null;
            if (reader.ReadUInt32() != EndMarker) throw new InvalidDataException("no end marker after the model: the file is damaged");
            if (support.Length != recommender.TitleIds.Count) throw new InvalidDataException($"title support covers {support.Length} titles; the model has {recommender.TitleIds.Count}");
            return new TrainedModel(recommender, preferences, shares, info, similar, support, resume);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{where}: {(e is EndOfStreamException ? "truncated" : e.Message)}", e);
        }
    }
}
