using System.Text.Json;
using System.Text.Json.Serialization;

namespace Encore.Simulation;

/// <summary>
/// What a database filled by the simulator was generated from (seed, sizes, policy), kept beside it as
/// "&lt;db&gt;.simulation.json" so that evaluation can rebuild the same world and its hidden truth. It holds no
/// truth itself: the utilities are recomputed from the seed.
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
    public int FormatVersion { get; init; } = 1;

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

    public static string PathFor(string databasePath) => databasePath + Suffix;

    public void Save(string databasePath) => File.WriteAllText(PathFor(databasePath), JsonSerializer.Serialize(this, Json));

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
