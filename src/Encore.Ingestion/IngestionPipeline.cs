using Encore.Core;
using Encore.Storage;

namespace Encore.Ingestion;

/// <summary>
/// The way in for events: validates each event of a batch against the catalogue, the members and the clock,
/// stores the valid ones in one durable append, and reports every rejected one with the field and the reason.
/// A bad event never holds back the good ones of its batch; events may arrive in any order; an event id seen
/// before (in this batch or an earlier one) is stored once and counted as a duplicate.
/// </summary>
public sealed class IngestionPipeline
{
    private readonly IEventStore _store;
    private readonly TimeProvider _clock;

    /// <summary>A pipeline into <paramref name="store"/> with the given rules (the defaults where null) and clock (the system's where null).</summary>
    public IngestionPipeline(IEventStore store, IngestionOptions? options = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Options = options ?? IngestionOptions.Default;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The rules the pipeline applies.</summary>
    public IngestionOptions Options { get; }

    /// <summary>Validates and stores one batch; when the task completes the accepted events are durable.</summary>
    public async Task<IngestResult> IngestAsync(IReadOnlyList<ViewingEvent> batch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) return new IngestResult(0, 0, []) { Outcomes = [] };
        var catalogue = await _store.GetCatalogueSnapshotAsync(ct).ConfigureAwait(false);
        IReadOnlySet<string>? knownMembers = null;
        if (Options.UnknownMembers == UnknownMemberPolicy.Reject)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in batch)
            {
                if (!string.IsNullOrWhiteSpace(e?.MemberId)) ids.Add(e.MemberId);
            }
            knownMembers = await _store.GetKnownMemberIdsAsync(ids, ct).ConfigureAwait(false);
        }
        var context = new ValidationContext(Options, catalogue, knownMembers, _clock.GetUtcNow().UtcDateTime);

        var accepted = new List<ViewingEvent>(batch.Count);
        var acceptedAt = new List<int>(batch.Count);
        var outcomes = new EventOutcome[batch.Count];
        List<EventRejection>? rejected = null;
        var errors = new List<ValidationError>(4);
        for (int i = 0; i < batch.Count; i++)
        {
            var e = batch[i];
            errors.Clear();
            if (EventValidator.Validate(e, context, errors))
            {
                accepted.Add(e!);
                acceptedAt.Add(i);
                continue;
            }
            // One rejection per event (its first broken rule), so Rejected.Count counts rejected events.
            (rejected ??= []).Add(new EventRejection(i, e?.EventId, errors[0].Field, errors[0].Reason));
            outcomes[i] = EventOutcome.Rejected;
        }
        var stored = accepted.Count == 0 ? new AppendResult(0, 0) : await _store.AppendAsync(accepted, ct).ConfigureAwait(false);
        foreach (int d in stored.DuplicateIndices) outcomes[acceptedAt[d]] = EventOutcome.Duplicate;
        return new IngestResult(stored.Stored, stored.Duplicates, (IReadOnlyList<EventRejection>?)rejected ?? []) { Outcomes = outcomes };
    }
}
