using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Encore.Storage;

namespace Encore.Simulation;

/// <summary>
/// What a store filled by the simulator was generated from (seed, sizes, policy), kept in the store itself as its
/// <see cref="PropertyName"/> property, so that evaluation can rebuild the same world and its hidden truth. It holds
/// no truth itself: the utilities are recomputed from the seed. It is written before the first event with
/// <see cref="Finished"/> false and rewritten with true once the last event is durable, so a run that was
/// interrupted says so (see <see cref="SimulatedDatabase"/>). Earlier versions kept it beside a SQLite file as
/// "&lt;db&gt;.simulation.json"; such a file is still read, and moved into the store by the first writer.
/// </summary>
public sealed record SimulationManifest
{
    public const string Suffix = ".simulation.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public required int Members { get; init; }
    public required int Titles { get; init; }
    public required int Days { get; init; }
    public required ulong Seed { get; init; }
    public required DateTime StartUtc { get; init; }
    public required string Policy { get; init; }

    /// <summary>
    /// Whether every event of the simulation is stored. False from before the first event until the last batch is
    /// durable. A manifest of format 1 has no such field and reads as true: that version wrote it only at the end.
    /// </summary>
    public bool Finished { get; init; } = true;

    /// <summary>2 since <see cref="Finished"/>; 1 had none.</summary>
    public int FormatVersion { get; init; } = 2;

    public static SimulationManifest From(SimulationOptions options, string policy) => new()
    {
        Members = options.Members, Titles = options.Titles, Days = options.Days, Seed = options.Seed,
        StartUtc = options.StartUtc, Policy = policy,
    };

    /// <summary>The options that rebuild the world (default calibration, as the simulate command uses).</summary>
    public SimulationOptions ToOptions() => new()
    {
        Members = Members, Titles = Titles, Days = Days, Seed = Seed, StartUtc = DateTime.SpecifyKind(StartUtc, DateTimeKind.Utc),
    };

    /// <summary>Whether both describe the same service: seed, sizes, start and policy (finished or not).</summary>
    public bool SameServiceAs(SimulationManifest other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Members == other.Members && Titles == other.Titles && Days == other.Days && Seed == other.Seed
            && StartUtc.ToUniversalTime() == other.StartUtc.ToUniversalTime()
            && string.Equals(Policy, other.Policy, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>"seed S, N members x M titles x D days under the P policy", as messages name a service.</summary>
    public string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var start = StartUtc.ToUniversalTime() == SimulationOptions.DefaultStartUtc ? "" : string.Create(c, $" from {StartUtc:yyyy-MM-dd}");
        return string.Create(c, $"seed {Seed}, {Members:N0} members x {Titles:N0} titles x {Days} days{start} under the {Policy} policy");
    }

    /// <summary>The `encore simulate` command line that makes (or finishes) this service in the store at <paramref name="databasePath"/>.</summary>
    public string CommandLine(string databasePath)
    {
        var c = CultureInfo.InvariantCulture;
        var path = databasePath.Any(ch => char.IsWhiteSpace(ch) || ch is '\'' or '"' or '$' or '`' or '\\')
            ? "'" + databasePath.Replace("'", "'\\''", StringComparison.Ordinal) + "'"
            : databasePath;
        return string.Create(c, $"encore simulate --members {Members} --titles {Titles} --days {Days} --seed {Seed} --policy {Policy} --db {path}");
    }

    /// <summary>The store property that holds the manifest.</summary>
    public const string PropertyName = "simulation";

    /// <summary>The file beside a SQLite database where earlier versions kept the manifest.</summary>
    public static string LegacyPathFor(string databasePath) => databasePath + Suffix;

    /// <summary>Writes the manifest into <paramref name="store"/> (one committed property: the old one or the new one, never a part).</summary>
    public Task SaveAsync(IEventStore store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.SetPropertyAsync(PropertyName, JsonSerializer.Serialize(this, Json), ct);
    }

    /// <summary>
    /// The manifest of <paramref name="store"/>, or null when it was not simulated. A SQLite store of an earlier version
    /// may have it in the file beside it: that one is read, and moved into the store when the store can be written.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest is not one (the message names the store).</exception>
    public static async Task<SimulationManifest?> LoadAsync(IEventStore store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var text = await store.GetPropertyAsync(PropertyName, ct).ConfigureAwait(false);
        if (text is not null) return Parse(text, $"{store.Location} (its {PropertyName} property)");
        if (store is not SqliteEventStore sqlite || !File.Exists(LegacyPathFor(sqlite.Path))) return null;
        var legacyPath = LegacyPathFor(sqlite.Path);
        var legacy = Parse(await File.ReadAllTextAsync(legacyPath, ct).ConfigureAwait(false), legacyPath);
        if (!sqlite.IsReadOnly) await legacy.SaveAsync(store, ct).ConfigureAwait(false);
        return legacy;
    }

    private static SimulationManifest Parse(string text, string where)
    {
        try
        {
            return JsonSerializer.Deserialize<SimulationManifest>(text, Json)
                ?? throw new InvalidDataException($"{where}: empty simulation manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where}: not a simulation manifest ({e.Message})", e);
        }
    }
}
