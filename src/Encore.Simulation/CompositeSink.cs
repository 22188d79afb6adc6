namespace Encore.Simulation;

/// <summary>Hands every batch to several sinks in order (e.g. the store, the CSV export and the report).</summary>
public sealed class CompositeSink(params IReadOnlyList<ISimulationSink> sinks) : ISimulationSink
{
    /// <inheritdoc />
    public async ValueTask BeginAsync(SimulatedService service, CancellationToken ct)
    {
        foreach (var sink in sinks) await sink.BeginAsync(service, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct)
    {
        foreach (var sink in sinks) await sink.WriteAsync(batch, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask CompleteAsync(CancellationToken ct)
    {
        foreach (var sink in sinks) await sink.CompleteAsync(ct).ConfigureAwait(false);
    }
}
