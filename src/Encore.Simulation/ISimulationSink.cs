namespace Encore.Simulation;

/// <summary>
/// Receives what the simulated service produces, a block of members of one day at a time, in a fixed order
/// (day, then member). A sink must copy anything it keeps: the batch's buffers are reused afterwards.
/// </summary>
public interface ISimulationSink
{
    /// <summary>Called once before the first batch, with the service whose output follows (its members and catalogue).</summary>
    ValueTask BeginAsync(SimulatedService service, CancellationToken ct);

    /// <summary>Takes one batch; its buffers are reused once the returned task completes.</summary>
    ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct);

    /// <summary>Called once after the last batch: flush and finish what was written.</summary>
    ValueTask CompleteAsync(CancellationToken ct);
}

/// <summary>Events, plays and sessions of one block of members on one day.</summary>
public sealed class SimulationBatch
{
    internal readonly List<SimEvent> EventList = new(1 << 14);
    internal readonly List<PlayRecord> PlayList = new(1 << 10);
    internal readonly List<SessionRecord> SessionList = new(1 << 10);

    /// <summary>The simulated day (0-based) of the batch.</summary>
    public int Day { get; internal set; }
    /// <summary>The events the members produced, in order.</summary>
    public IReadOnlyList<SimEvent> Events => EventList;
    /// <summary>The plays of the batch (one per member, title and session).</summary>
    public IReadOnlyList<PlayRecord> Plays => PlayList;
    /// <summary>The sessions of the batch.</summary>
    public IReadOnlyList<SessionRecord> Sessions => SessionList;

    internal void Clear()
    {
        EventList.Clear();
        PlayList.Clear();
        SessionList.Clear();
    }

    internal void Append(SimulationBatch other)
    {
        EventList.AddRange(other.EventList);
        PlayList.AddRange(other.PlayList);
        SessionList.AddRange(other.SessionList);
    }
}
