using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Encore.Simulation;

/// <summary>
/// What a database filled by the simulator was generated from (seed, sizes, policy), kept beside it as
/// "&lt;db&gt;.simulation.json" so that evaluation can rebuild the same world and its hidden truth. It holds no
/// truth itself: the utilities are recomputed from the seed. It is written before the first event with
/// <see cref="Finished"/> false and rewritten with true once the last event is durable, so a run that was
/// interrupted says so (see <see cref="SimulatedDatabase"/>).
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

    /// <summary>The `encore simulate` command line that makes (or finishes) this service in <paramref name="databasePath"/>.</summary>
    public string CommandLine(string databasePath)
    {
        var c = CultureInfo.InvariantCulture;
        var path = databasePath.Any(ch => char.IsWhiteSpace(ch) || ch is '\'' or '"' or '$' or '`' or '\\')
            ? "'" + databasePath.Replace("'", "'\\''", StringComparison.Ordinal) + "'"
            : databasePath;
        return string.Create(c, $"encore simulate --members {Members} --titles {Titles} --days {Days} --seed {Seed} --policy {Policy} --db {path}");
    }

    public static string PathFor(string databasePath) => databasePath + Suffix;

    /// <summary>
    /// Writes the manifest beside <paramref name="databasePath"/> atomically: into a temporary file, flushed to disk,
    /// then renamed over the old one, so a reader (or the next run after a crash) sees the old manifest or the new
    /// one, never a part of one.
    /// </summary>
    public void Save(string databasePath)
    {
        var path = PathFor(databasePath);
        var temporary = string.Create(CultureInfo.InvariantCulture, $"{path}.{Environment.ProcessId}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(file, this, Json);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>The manifest beside <paramref name="databasePath"/>, or null when that database was not simulated.</summary>
    public static SimulationManifest? TryLoad(string databasePath)
    {
        var path = PathFor(databasePath);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<SimulationManifest>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty simulation manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a simulation manifest ({e.Message})", e);
        }
    }
}
