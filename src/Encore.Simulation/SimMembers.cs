using Encore.Core;

namespace Encore.Simulation;

/// <summary>
/// The members of a simulated service in struct-of-arrays form: their hidden tastes (truth) and their habits
/// (devices, hours, binge propensity, patience, rating propensity, churn). Built by <see cref="MemberGenerator"/>.
/// </summary>
public sealed class SimMembers
{
    internal SimMembers(int count, int dimensions) { Count = count; Dimensions = dimensions; }

    public int Count { get; }
    public int Dimensions { get; }
    public required string[] Ids { get; init; }

    // Hidden tastes: truth, never exported.
    internal float[] Latent { get; init; } = null!;
    internal float[] GenreAffinity { get; init; } = null!;
    public const int FavoriteDirectorSlots = 2, FavoriteActorSlots = 3;
    internal int[] FavoriteDirectors { get; init; } = null!;
    internal int[] FavoriteActors { get; init; } = null!;
    internal string[] Language { get; init; } = null!;
    /// <summary>0: watches only their own language (and English); 1: watches anything.</summary>
    internal float[] LanguageOpenness { get; init; } = null!;
    internal bool[] KidsHousehold { get; init; } = null!;

    // Habits.
    /// <summary>Relative chance of opening a session on each device (Count x 5), 0 for devices not owned.</summary>
    internal float[] DeviceWeights { get; init; } = null!;
    /// <summary>A personal device-genre habit (e.g. horror on the phone), as device * Genres.Count + genre.</summary>
    internal int[] DeviceGenreHabit { get; init; } = null!;
    internal float[] PeakHour { get; init; } = null!;
    internal float[] WeekendBoost { get; init; } = null!;
    internal float[] SessionsPerDay { get; init; } = null!;
    internal float[] BingePropensity { get; init; } = null!;
    internal float[] PatienceSeconds { get; init; } = null!;
    internal byte[] PatienceTitles { get; init; } = null!;
    /// <summary>How good a title must look before the member plays it.</summary>
    internal float[] Choosiness { get; init; } = null!;
    internal float[] RatingPropensity { get; init; } = null!;
    internal float[] PausesPerHour { get; init; } = null!;
    internal int[] JoinDay { get; init; } = null!;
    /// <summary>Day the member leaves the service (int.MaxValue: stays).</summary>
    internal int[] ChurnDay { get; init; } = null!;
    internal DateTime[] JoinedUtc { get; init; } = null!;

    public ReadOnlySpan<float> LatentOf(int member) => Latent.AsSpan(member * Dimensions, Dimensions);

    public bool IsActive(int member, int day) => day >= JoinDay[member] && day < ChurnDay[member];

    public int IndexOf(string memberId) => Array.IndexOf(Ids, memberId);

    /// <summary>The member as the service knows them (no hidden traits).</summary>
    public Member ToMember(int m) => new()
    {
        Id = Ids[m],
        JoinedUtc = JoinedUtc[m],
        Country = Language[m] switch
        {
            "en" => "US", "es" => "ES", "ko" => "KR", "fr" => "FR", "hi" => "IN", "ja" => "JP", "de" => "DE",
            "it" => "IT", "pt" => "BR", "sv" => "SE", _ => null,
        },
    };

    public static readonly DeviceKind[] Devices = [DeviceKind.Tv, DeviceKind.Phone, DeviceKind.Tablet, DeviceKind.Web, DeviceKind.Console];
}
