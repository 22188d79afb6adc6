namespace Encore.Simulation;

/// <summary>
/// The size and seed of a simulated service. The same options give the same catalogue, members, truth and
/// events, byte for byte. The defaults are the embedded default service (see docs/SIMULATION.md).
/// </summary>
public sealed record SimulationOptions
{
    public const int DefaultMembers = 1_200;
    public const int DefaultTitles = 1_000;
    public const int DefaultDays = 56;
    public const ulong DefaultSeed = 20_250_106;

    public int Members { get; init; } = DefaultMembers;
    public int Titles { get; init; } = DefaultTitles;
    /// <summary>Simulated days; the last 14 are the P-SIM test period.</summary>
    public int Days { get; init; } = DefaultDays;
    public ulong Seed { get; init; } = DefaultSeed;

    /// <summary>Day 0 of the simulation, a fixed Monday so the timeline never depends on the clock.</summary>
    public DateTime StartUtc { get; init; } = DefaultStartUtc;

    /// <summary>The default day 0, 2025-01-06 (a Monday).</summary>
    public static DateTime DefaultStartUtc { get; } = new(2025, 1, 6, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Dimensions of the hidden taste space.</summary>
    public int LatentDimensions { get; init; } = 16;

    /// <summary>Most titles remembered per member (older ones are forgotten) so that memory stays bounded at any length.</summary>
    public int HistoryCapacity { get; init; } = 192;

    public CalibrationSettings Calibration { get; init; } = CalibrationSettings.Default;

    /// <summary>Throws with the name of the first option that is out of range.</summary>
    public void Validate()
    {
        if (Members < 1) throw new ArgumentOutOfRangeException(nameof(Members), Members, "members must be at least 1");
        if (Titles < 20) throw new ArgumentOutOfRangeException(nameof(Titles), Titles, "titles must be at least 20");
        if (Days < 1) throw new ArgumentOutOfRangeException(nameof(Days), Days, "days must be at least 1");
        if (Days > 3650) throw new ArgumentOutOfRangeException(nameof(Days), Days, "days must be at most 3650");
        if (LatentDimensions is < 2 or > 128) throw new ArgumentOutOfRangeException(nameof(LatentDimensions), LatentDimensions, "latent dimensions must be within 2..128");
        if (HistoryCapacity < 8) throw new ArgumentOutOfRangeException(nameof(HistoryCapacity), HistoryCapacity, "history capacity must be at least 8");
        if (StartUtc.Kind != DateTimeKind.Utc) throw new ArgumentException("StartUtc must be a UTC time", nameof(StartUtc));
    }

    public DateTime EndUtc => StartUtc.AddDays(Days);

    /// <summary>Unix milliseconds of the start of day <paramref name="day"/>.</summary>
    public long DayStartUnixMs(int day) => new DateTimeOffset(StartUtc).ToUnixTimeMilliseconds() + day * 86_400_000L;
}
