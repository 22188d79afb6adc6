namespace Encore.Simulation;

/// <summary>Keeps everything a (small) run produces in memory: for tests, notebooks and evaluation of small services.</summary>
public sealed class MemorySink : ISimulationSink
{
    /// <summary>Every event of the run, in order.</summary>
    public List<SimEvent> Events { get; } = [];
    /// <summary>Every play of the run, in order.</summary>
    public List<PlayRecord> Plays { get; } = [];
    /// <summary>Every session of the run, in order.</summary>
    public List<SessionRecord> Sessions { get; } = [];

    /// <inheritdoc />
    public ValueTask BeginAsync(SimulatedService service, CancellationToken ct) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct)
    {
        Events.AddRange(batch.EventList);
        Plays.AddRange(batch.PlayList);
        Sessions.AddRange(batch.SessionList);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(CancellationToken ct) => ValueTask.CompletedTask;
}
