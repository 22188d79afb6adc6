using Encore.Core;
using Encore.Ingestion;
using Encore.Storage;

namespace Encore.Simulation;

/// <summary>
/// Sends the simulated service into an Encore store through the normal ingestion path: the catalogue and the
/// members first, then every event, validated, in batches. Counts what was accepted, duplicated (a re-run
/// with the same seed stores nothing twice) or rejected, keeping the first rejections for the report.
/// </summary>
internal sealed class StoreSink : ISimulationSink
{
    private readonly IEventStore _store;
    private readonly IngestionPipeline _pipeline;
    private readonly int _batchSize;
    private readonly List<ViewingEvent> _pending;
    private readonly List<EventRejection> _firstRejections = [];
    private SimulatedService? _service;

    public StoreSink(IEventStore store, IngestionPipeline? pipeline = null, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be at least 1");
        _store = store;
        _pipeline = pipeline ?? new IngestionPipeline(store);
        _batchSize = batchSize;
        _pending = new List<ViewingEvent>(batchSize);
    }

    public long Accepted { get; private set; }
    public long Duplicates { get; private set; }
    public long Rejected { get; private set; }
    /// <summary>Up to 20 rejections, for diagnosis (a correct simulator produces none).</summary>
    public IReadOnlyList<EventRejection> FirstRejections => _firstRejections;

    public async ValueTask BeginAsync(SimulatedService service, CancellationToken ct)
    {
        _service = service;
        await _store.UpsertTitlesAsync(service.Titles(), ct).ConfigureAwait(false);
        await _store.UpsertMembersAsync(service.MemberRecords(), ct).ConfigureAwait(false);
    }

    public async ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct)
    {
        var service = _service ?? throw new InvalidOperationException("BeginAsync was not called");
        foreach (var e in batch.EventList)
        {
            _pending.Add(service.ToViewingEvent(e));
            if (_pending.Count == _batchSize) await FlushAsync(ct).ConfigureAwait(false);
        }
    }

    public async ValueTask CompleteAsync(CancellationToken ct) => await FlushAsync(ct).ConfigureAwait(false);

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.Count == 0) return;
        var result = await _pipeline.IngestAsync(_pending, ct).ConfigureAwait(false);
        Accepted += result.Accepted;
        Duplicates += result.Duplicates;
        Rejected += result.Rejected.Count;
        foreach (var r in result.Rejected)
        {
            if (_firstRejections.Count >= 20) break;
            _firstRejections.Add(r);
        }
        _pending.Clear();
    }
}
