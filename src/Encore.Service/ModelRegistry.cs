using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Encore.Ranking;

namespace Encore.Service;

/// <summary>A model's figures on a held-out part of the store it was trained from (P-TOPN on the store's signals).</summary>
/// <param name="Protocol">How they were measured, e.g. "p-topn (chronological per member, latest 20% to test)".</param>
public sealed record OfflineMetrics(string Protocol, int K, double Recall, double Ndcg, int TestMembers);

/// <summary>One registered model: its version, what it is, where it came from and how well it did offline.</summary>
public sealed record ModelVersion(string Version, DateTime RegisteredUtc, string Origin, TrainingInfo Info, OfflineMetrics? Metrics);

/// <summary>
/// The trained models a service has had, each kept as a version: <c>v0001.model</c> (<see cref="TrainedModelFile"/>) and
/// <c>v0001.json</c> (its <see cref="ModelVersion"/>) in one directory. Files are written beside their name and moved
/// over it, the description last, so a version is listed only once its model is whole. Safe for concurrent use.
/// </summary>
public sealed partial class ModelRegistry
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly Lock _lock = new();
    private readonly List<ModelVersion> _versions = [];

    private ModelRegistry(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>Opens (creating it where needed) the registry in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidDataException">A description that cannot be read (the message names the file).</exception>
    public static ModelRegistry Open(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        System.IO.Directory.CreateDirectory(directory);
        var registry = new ModelRegistry(directory);
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "v*.json").Order(StringComparer.Ordinal))
        {
            if (!VersionName().IsMatch(Path.GetFileNameWithoutExtension(file))) continue;
            ModelVersion? version;
            try { version = JsonSerializer.Deserialize<ModelVersion>(File.ReadAllText(file), Json); }
            catch (JsonException e) { throw new InvalidDataException($"{file}: not a model description ({e.Message})", e); }
            if (version is null || !File.Exists(registry.ModelPath(version.Version))) continue;
            registry._versions.Add(version);
        }
        return registry;
    }

    /// <summary>Every version, oldest first.</summary>
    public IReadOnlyList<ModelVersion> Versions
    {
        get { lock (_lock) return [.. _versions]; }
    }

    public ModelVersion? Find(string version)
    {
        lock (_lock) return _versions.Find(v => v.Version == version);
    }

    public ModelVersion? Latest
    {
        get { lock (_lock) return _versions.Count == 0 ? null : _versions[^1]; }
    }

    /// <summary>Keeps <paramref name="model"/> as the next version.</summary>
    public ModelVersion Add(TrainedModel model, string origin, OfflineMetrics? metrics)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (_lock)
        {
            int next = _versions.Count == 0 ? 1 : int.Parse(_versions[^1].Version.AsSpan(1), CultureInfo.InvariantCulture) + 1;
            var version = new ModelVersion(string.Create(CultureInfo.InvariantCulture, $"v{next:D4}"), DateTime.UtcNow, origin, model.Info, metrics);
            TrainedModelFile.Save(model, ModelPath(version.Version));
            var description = Path.Combine(Directory, version.Version + ".json");
            File.WriteAllText(description + ".tmp", JsonSerializer.Serialize(version, Json));
            File.Move(description + ".tmp", description, overwrite: true);
            _versions.Add(version);
            return version;
        }
    }

    /// <summary>Reads a version's model.</summary>
    /// <exception cref="KeyNotFoundException">No such version.</exception>
    /// <exception cref="InvalidDataException">Its file is damaged.</exception>
    public TrainedModel Load(string version)
    {
        if (Find(version) is null) throw new KeyNotFoundException($"no model version '{Core.UnicodeText.Clip(version)}'");
        return TrainedModelFile.Load(ModelPath(version));
    }

    private string ModelPath(string version) => Path.Combine(Directory, version + ".model");

    [GeneratedRegex("^v[0-9]{4,9}$")]
    private static partial Regex VersionName();
}
