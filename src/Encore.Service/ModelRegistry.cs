using System.Globalization;
using System.Text.Json;
using Encore.Ranking;
using Encore.Storage;
using Encore.Storage.Models;

namespace Encore.Service;

/// <summary>A model's figures on a held-out part of the store it was trained from (P-TOPN on the store's signals).</summary>
/// <param name="Protocol">How they were measured, e.g. "p-topn (chronological per member, latest 20% to test)".</param>
public sealed record OfflineMetrics(string Protocol, int K, double Recall, double Ndcg, int TestMembers);

/// <summary>One registered model: its version, what it is, where it came from and how well it did offline.</summary>
public sealed record ModelVersion(string Version, DateTime RegisteredUtc, string Origin, TrainingInfo Info, OfflineMetrics? Metrics);

/// <summary>
/// The trained models a service has had, each kept as a version (<c>v0001</c>, <c>v0002</c>, ...): the model
/// (<see cref="TrainedModelFile"/>) and its <see cref="ModelVersion"/> description, in an <see cref="IModelStore"/> — a
/// folder for a SQLite store, the database itself for a PostgreSQL store (<see cref="ModelStores.For"/> chooses), so
/// every node on that database sees the versions any of them registers. A version is listed only once its model is
/// whole; registrations that race (threads, or nodes) get distinct versions. Safe for concurrent use.
/// </summary>
/// <remarks>
/// The list is read again from the store for <see cref="Versions"/> and <see cref="Latest"/>, and for <see cref="Find"/>
/// when the version is not yet known here, so versions other nodes registered show up without reopening.
/// </remarks>
public sealed class ModelRegistry
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly Lock _lock = new();
    private readonly IModelStore _store;
    private List<ModelVersion> _versions = [];

    private ModelRegistry(IModelStore store) => _store = store;

    /// <summary>Where the versions are kept (a folder, or a PostgreSQL database), for messages.</summary>
    public string Directory => _store.Location;

    /// <summary>The store the versions are kept in.</summary>
    public IModelStore Store => _store;

    /// <summary>Opens (creating it where needed) the registry in the folder <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidDataException">A description that cannot be read (the message names the version).</exception>
    public static ModelRegistry Open(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return Open(new FileModelStore(directory));
    }

    /// <summary>Opens the registry kept in <paramref name="store"/>.</summary>
    /// <exception cref="InvalidDataException">A description that cannot be read (the message names the version).</exception>
    public static ModelRegistry Open(IModelStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var registry = new ModelRegistry(store);
        registry.Refresh();
        return registry;
    }

    /// <summary>Opens the registry of <paramref name="events"/>: in its database for PostgreSQL, else in the folder <paramref name="directory"/>.</summary>
    public static ModelRegistry Open(IEventStore events, string directory) => Open(ModelStores.For(events, directory));

    /// <summary>Every version, oldest first (read again from the store).</summary>
    public IReadOnlyList<ModelVersion> Versions => Refresh();

    /// <summary>The version named <paramref name="version"/> (e.g. "v0003"), or null when there is none.</summary>
    public ModelVersion? Find(string version)
    {
        lock (_lock)
            if (_versions.Find(v => v.Version == version) is { } known) return known;
        return Refresh().FirstOrDefault(v => v.Version == version);
    }

    /// <summary>The newest version, or null while there is none (read again from the store).</summary>
    public ModelVersion? Latest => Refresh() is { Count: > 0 } all ? all[^1] : null;

    /// <summary>Keeps <paramref name="model"/> as the next version (the model streamed into the store, then described).</summary>
    public ModelVersion Add(TrainedModel model, string origin, OfflineMetrics? metrics)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelVersion? added = null;
        _store.Add(stream => TrainedModelFile.Save(model, stream), number =>
        {
            added = new ModelVersion(FileModelStore.Name(number), DateTime.UtcNow, origin, model.Info, metrics);
            return JsonSerializer.Serialize(added, Json);
        });
        Refresh();
        return added!;
    }

    /// <summary>
    /// Deletes version <paramref name="version"/> from the store (its model's space freed; its name never given to another
    /// model). Returns false when there is no such version. The caller decides whether it may go (the service refuses the
    /// active one).
    /// </summary>
    public bool Delete(string version)
    {
        if (Find(version) is null) return false;
        bool deleted = _store.Delete(Number(version));
        Refresh();
        return deleted;
    }

    /// <summary>Reads a version's model.</summary>
    /// <exception cref="KeyNotFoundException">No such version.</exception>
    /// <exception cref="InvalidDataException">Its model is damaged.</exception>
    public TrainedModel Load(string version)
    {
        if (Find(version) is null) throw new KeyNotFoundException($"no model version '{Core.UnicodeText.Clip(version)}'");
        using var stream = _store.OpenRead(Number(version));
        return TrainedModelFile.Load(stream, $"{_store.Location}: {version}");
    }

    // The store's number of a listed version's name ("v0003" -> 3; names come from FileModelStore.Name).
    private static int Number(string version) => int.Parse(version.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);

    private List<ModelVersion> Refresh()
    {
        var stored = _store.List();
        var versions = new List<ModelVersion>(stored.Count);
        foreach (var s in stored)
        {
            var name = FileModelStore.Name(s.Number);
            ModelVersion? version;
            try { version = JsonSerializer.Deserialize<ModelVersion>(s.Description, Json); }
            catch (JsonException e) { throw new InvalidDataException($"{_store.Location}: {name} is not a model description ({e.Message})", e); }
            if (version is null || version.Version != name)
                throw new InvalidDataException($"{_store.Location}: {name}'s description names version '{version?.Version}'");
            versions.Add(version);
        }
        lock (_lock) _versions = versions;
        return versions;
    }
}
