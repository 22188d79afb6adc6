namespace Encore.Simulation;

/// <summary>
/// Receives what the simulated service produces, a block of members of one day at a time, in a fixed order
/// (day, then member). A sink must copy anything it keeps: the batch's buffers are reused afterwards.
/// </summary>
public interface ISimulationSink
{
    ValueTask BeginAsync(SimulatedService service, CancellationToken ct);

    ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct);

    ValueTask CompleteAsync(CancellationToken ct);
}

/// <summary>Events, plays and sessions of one block of members on one day.</summary>
public sealed class SimulationBatch
{
    internal readonly List<SimEvent> EventList = new(1 << 14);
    internal readonly List<PlayRecord> PlayList = new(1 << 10);
    internal readonly List<SessionRecord> SessionList = new(1 << 10);

    public int Day { get; internal set; }
    public IReadOnlyList<SimEvent> Events => EventList;
    public IReadOnlyList<PlayRecord> Plays => PlayList;
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
