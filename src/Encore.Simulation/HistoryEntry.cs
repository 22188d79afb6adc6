namespace Encore.Simulation;

/// <summary>Where a member stands with a title, as the service can observe it.</summary>
public enum ViewingState : byte
{
    /// <summary>Started and not finished: shown in Continue Watching.</summary>
    InProgress = 0,
    /// <summary>Film watched to the credits, or every episode of a series.</summary>
    Finished = 1,
}

/// <summary>
/// One title in a member's observable history (what a policy may use): how much was watched, when, and
/// where playback stands. Nothing here is hidden truth.
/// </summary>
public struct HistoryEntry
{
    public int Title;
    /// <summary>Watched time in units of the title's (episode) runtime, summed over every play.</summary>
    public float Weight;
    /// <summary>Last simulated day the member played it.</summary>
    public int LastDay;
    /// <summary>Episode to play next (0-based; 0 for films).</summary>
    public short Episode;
    public ViewingState State;
    public bool Rated;
    /// <summary>Position in seconds where playback stopped (within <see cref="Episode"/>).</summary>
    public float Position;
}

/// <summary>What the simulator remembers about a member between days (observable history plus a session counter).</summary>
internal sealed class MemberState
{
    public readonly List<HistoryEntry> History = new(8);
    public int Sessions;
    /// <summary>
    /// How well the service has served the member lately (a moving average of the true utility of what they
    /// played; an abandoned session counts as a poor one). Drives how often they come back and churn.
    /// </summary>
    public float Satisfaction = 1.0f;
    /// <summary>Day the member left after poor experiences (int.MaxValue: still a member).</summary>
    public int LeftOnDay = int.MaxValue;

    public int Find(int title)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(History);
        for (int i = span.Length - 1; i >= 0; i--) if (span[i].Title == title) return i;
        return -1;
    }

    /// <summary>The entry for <paramref name="title"/>, added when new; the oldest entry is forgotten at capacity.</summary>
    public int FindOrAdd(int title, int day, int capacity)
    {
        int i = Find(title);
        if (i >= 0) return i;
        if (History.Count >= capacity)
        {
            // Forget the entry played longest ago (bounded memory at any simulated length).
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(History);
            int oldest = 0;
            for (int k = 1; k < span.Length; k++) if (span[k].LastDay < span[oldest].LastDay) oldest = k;
            History.RemoveAt(oldest);
        }
        History.Add(new HistoryEntry { Title = title, LastDay = day });
        return History.Count - 1;
    }
}
