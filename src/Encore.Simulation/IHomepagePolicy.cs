using Encore.Core;

namespace Encore.Simulation;

/// <summary>
/// Decides what a member's homepage shows. The simulator calls <see cref="PrepareDay"/> once before each
/// simulated day (never concurrently with anything), then <see cref="BuildPage"/> for many members at once
/// from several threads: implementations read shared state only, and draw every random choice from the
/// random generator they are given so that the service stays deterministic.
/// </summary>
public interface IHomepagePolicy
{
    /// <summary>Name recorded with the run (e.g. "popularity", "oracle", "model:ials").</summary>
    string Name { get; }

    /// <summary>Takes in what the service observed up to the start of <see cref="ServiceView.Day"/>.</summary>
    void PrepareDay(ServiceView service);

    /// <summary>
    /// Appends rows to <paramref name="page"/> (which already holds the service's Continue Watching row), each
    /// slot with the probability that the policy shows that title there given the slots before it.
    /// </summary>
    void BuildPage(scoped in PageRequest request, ref SimRandom rng, Homepage page);
}

/// <summary>A homepage request: who, when, on which device, and what the service has seen them watch.</summary>
public readonly ref struct PageRequest
{
    /// <summary>A request of member <paramref name="member"/> (<paramref name="memberId"/>) on day <paramref name="day"/> and <paramref name="device"/>, with the <paramref name="history"/> the service has seen.</summary>
    public PageRequest(int member, string memberId, int day, DeviceKind device, ReadOnlySpan<HistoryEntry> history)
    {
        Member = member;
        MemberId = memberId;
        Day = day;
        Device = device;
        History = history;
    }

    /// <summary>The member's index in the simulated service.</summary>
    public int Member { get; }
    /// <summary>The member's external id.</summary>
    public string MemberId { get; }
    /// <summary>The simulated day (0-based) of the request.</summary>
    public int Day { get; }
    /// <summary>The device the homepage is shown on.</summary>
    public DeviceKind Device { get; }
    /// <summary>The member's observable history, oldest first.</summary>
    public ReadOnlySpan<HistoryEntry> History { get; }
}

/// <summary>
/// What the service has observed when a day starts: the catalogue (public side), which titles are
/// available, and plays per title (time-decayed). Owned by the simulator; policies read it.
/// </summary>
public sealed class ServiceView
{
    internal ServiceView(SimCatalogue catalogue, DateTime startUtc)
    {
        Catalogue = catalogue;
        StartUtc = startUtc;
        Popularity = new float[catalogue.Count];
        PlaysToday = new int[catalogue.Count];
    }

    /// <summary>The simulated catalogue.</summary>
    public SimCatalogue Catalogue { get; }
    /// <summary>When day 0 starts (UTC).</summary>
    public DateTime StartUtc { get; }
    /// <summary>The day about to be simulated (0-based).</summary>
    public int Day { get; internal set; }
    /// <summary>Plays per title with a half-life (see <see cref="CalibrationSettings.PopularityHalfLifeDays"/>).</summary>
    public float[] Popularity { get; }
    /// <summary>Titles playable today, in catalogue order.</summary>
    public int[] Available { get; internal set; } = [];
    internal int[] PlaysToday { get; }

    /// <summary>Whether <paramref name="title"/> is playable on <see cref="Day"/>.</summary>
    public bool IsAvailable(int title) => Catalogue.AvailableFromDay[title] <= Day;

    internal void StartDay(int day, double halfLifeDays)
    {
        if (day > 0)
        {
            float decay = (float)Math.Pow(0.5, 1.0 / halfLifeDays);
            for (int t = 0; t < Popularity.Length; t++)
            {
                Popularity[t] = Popularity[t] * decay + PlaysToday[t];
                PlaysToday[t] = 0;
            }
        }
        Day = day;
        var available = new List<int>(Catalogue.Count);
        for (int t = 0; t < Catalogue.Count; t++) if (Catalogue.AvailableFromDay[t] <= day) available.Add(t);
        Available = [.. available];
    }
}
