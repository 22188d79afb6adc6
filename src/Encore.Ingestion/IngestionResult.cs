namespace Encore.Ingestion;

/// <summary>Why one event of a batch was not stored.</summary>
/// <param name="Index">The event's position within the batch (0-based).</param>
/// <param name="EventId">Its id, where it had one.</param>
/// <param name="Field">The <see cref="Encore.Core.ViewingEvent"/> property at fault (e.g. "PositionSeconds").</param>
/// <param name="Reason">What is wrong with it, in words.</param>
public sealed record EventRejection(int Index, string? EventId, string Field, string Reason)
{
    /// <summary>The rejection in words: "event INDEX (ID): FIELD: REASON".</summary>
    public override string ToString() => $"event {Index} ({EventId ?? "no id"}): {Field}: {Reason}";
}

/// <summary>
/// What one batch did: events stored, events already stored (same id, in this batch or an earlier one), and
/// one rejection per event that failed validation (the first rule it broke).
/// Accepted + Duplicates + Rejected.Count is the batch size.
/// </summary>
public sealed record IngestResult(int Accepted, int Duplicates, IReadOnlyList<EventRejection> Rejected)
{
    /// <summary>What became of each event of the batch, by its position: stored, already stored, or rejected (see <see cref="Rejected"/> for why).</summary>
    public IReadOnlyList<EventOutcome> Outcomes { get; init; } = [];
}

/// <summary>What ingestion did with one event.</summary>
public enum EventOutcome : byte
{
    /// <summary>Stored now: durable when the batch's task completed.</summary>
    Stored = 0,
    /// <summary>Its id was already stored (earlier, or earlier in the same batch): nothing changed.</summary>
    Duplicate = 1,
    /// <summary>It broke a rule and was not stored.</summary>
    Rejected = 2,
}
