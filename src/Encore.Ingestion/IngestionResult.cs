namespace Encore.Ingestion;

/// <summary>Why one event of a batch was not stored.</summary>
/// <param name="Index">The event's position within the batch (0-based).</param>
/// <param name="EventId">Its id, where it had one.</param>
/// <param name="Field">The <see cref="Encore.Core.ViewingEvent"/> property at fault (e.g. "PositionSeconds").</param>
/// <param name="Reason">What is wrong with it, in words.</param>
public sealed record EventRejection(int Index, string? EventId, string Field, string Reason)
{
    public override string ToString() => $"event {Index} ({EventId ?? "no id"}): {Field}: {Reason}";
}

/// <summary>
/// What one batch did: events stored, events already stored (same id, in this batch or an earlier one), and
/// one rejection per event that failed validation (the first rule it broke).
/// Accepted + Duplicates + Rejected.Count is the batch size.
/// </summary>
public sealed record IngestResult(int Accepted, int Duplicates, IReadOnlyList<EventRejection> Rejected);
