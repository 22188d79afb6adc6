namespace Encore.Simulation;

/// <summary>Keeps everything a (small) run produces in memory: for tests, notebooks and evaluation of small services.</summary>
public sealed class MemorySink : ISimulationSink
{
    public List<SimEvent> Events { get; } = [];
    public List<PlayRecord> Plays { get; } = [];
    public List<SessionRecord> Sessions { get; } = [];

    public ValueTask BeginAsync(SimulatedService service, CancellationToken ct) => ValueTask.CompletedTask;

    public ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct)
    {
        Events.AddRange(batch.EventList);
        Plays.AddRange(batch.PlayList);
        Sessions.AddRange(batch.SessionList);
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(CancellationToken ct) => ValueTask.CompletedTask;
}
