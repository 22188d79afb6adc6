using Encore.Core;

namespace Encore.Simulation;

/// <summary>
/// The behavioural settings that calibrate the simulated service to public figures. Each setting names the
/// figure it reproduces; docs/SIMULATION.md lists the measured result next to each.
/// </summary>
public sealed record CalibrationSettings
{
    public static readonly CalibrationSettings Default = new();

    /// <summary>
    /// Chance that a session opens on each device (tv, phone, tablet, web, console) for a member who owns all.
    /// With the longer sessions on TV this gives about 70% of viewing hours on TV screens (Netflix, 2018 earnings interview).
    /// </summary>
    public IReadOnlyList<float> DeviceSessionWeights { get; init; } = [0.50f, 0.24f, 0.09f, 0.12f, 0.05f];

    /// <summary>Median minutes a member means to spend in a session, per device (tv, phone, tablet, web, console).</summary>
    public IReadOnlyList<float> SessionMinutesMedian { get; init; } = [105f, 22f, 40f, 45f, 100f];

    /// <summary>Chance that a session starts with a search for a title the member has in mind (with the fallback below, about 20% of plays come from search).</summary>
    public double SearchFirstProbability { get; init; } = 0.29;

    /// <summary>Chance that a member who found nothing on the homepage tries a search before leaving.</summary>
    public double SearchAfterBrowseProbability { get; init; } = 0.30;

    /// <summary>Share of searches for titles the service does not have (search demand the catalogue misses).</summary>
    public double AbsentTitleSearchShare { get; init; } = 0.22;

    /// <summary>Chance per letter of a typo (dropped, doubled, swapped or wrong key) in a typed query.</summary>
    public double TypoPerLetter { get; init; } = 0.035;

    /// <summary>Browsing patience in seconds: members give up after roughly 60-90 s (Gomez-Uribe and Hunt, 2015).</summary>
    public (double Min, double Max) PatienceSeconds { get; init; } = (60, 90);

    /// <summary>Browsing patience in titles looked at: members give up after roughly 10-20 titles.</summary>
    public (int Min, int Max) PatienceTitles { get; init; } = (10, 20);

    /// <summary>Seconds spent looking at one title on the homepage.</summary>
    public (double Min, double Max) SecondsPerTitle { get; init; } = (3.0, 6.5);

    /// <summary>Median sessions per member per day; the spread below gives a long tail of heavy viewers.</summary>
    public double SessionsPerDayMedian { get; init; } = 0.45;

    /// <summary>Log-scale spread of members' activity.</summary>
    public double ActivitySpread { get; init; } = 0.85;

    /// <summary>Share of members who rate at all (few rate, and ratings are noisy).</summary>
    public double RaterShare { get; init; } = 0.15;

    /// <summary>Monthly churn (2-3% a month for the largest services): the daily hazard is this / 30.</summary>
    public double MonthlyChurn { get; init; } = 0.025;

    /// <summary>Share of members who join during the simulation rather than before it.</summary>
    public double JoiningShare { get; init; } = 0.10;

    /// <summary>Share of titles that arrive during the simulation.</summary>
    public double NewTitleShare { get; init; } = 0.12;

    /// <summary>Share of series in the catalogue.</summary>
    public double SeriesShare { get; init; } = 0.35;

    /// <summary>Exploration of the default popularity policy: chance that a slot shows a uniformly drawn title.</summary>
    public double PolicyExploration { get; init; } = 0.10;

    /// <summary>Half-life in days of the plays counted by the popularity policy.</summary>
    public double PopularityHalfLifeDays { get; init; } = 7;

    public float DeviceSessionWeight(DeviceKind device) => DeviceSessionWeights[(int)device];
    public float MinutesMedian(DeviceKind device) => SessionMinutesMedian[(int)device];

    public void Validate()
    {
        if (DeviceSessionWeights.Count != 5 || SessionMinutesMedian.Count != 5)
            throw new ArgumentException("device settings need one value per device (tv, phone, tablet, web, console)");
        foreach (var w in DeviceSessionWeights)
            if (!(w >= 0)) throw new ArgumentOutOfRangeException(nameof(DeviceSessionWeights), w, "device weights must be >= 0");
        if (PatienceSeconds.Min <= 0 || PatienceSeconds.Max < PatienceSeconds.Min)
            throw new ArgumentOutOfRangeException(nameof(PatienceSeconds), PatienceSeconds, "patience seconds must be a positive range");
        if (PatienceTitles.Min < 1 || PatienceTitles.Max < PatienceTitles.Min)
            throw new ArgumentOutOfRangeException(nameof(PatienceTitles), PatienceTitles, "patience titles must be a positive range");
        if (SessionsPerDayMedian <= 0) throw new ArgumentOutOfRangeException(nameof(SessionsPerDayMedian), SessionsPerDayMedian, "must be positive");
        if (PolicyExploration is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(PolicyExploration), PolicyExploration, "must be within 0..1");
    }
}
