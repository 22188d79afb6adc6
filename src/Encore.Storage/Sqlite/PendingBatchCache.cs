using SQLitePCL;

namespace Encore.Storage;

/// <summary>
/// The pending batches as reads see them, decoded once each. A committed batch never changes until it is
/// sealed (and deleted), so a read decodes only the batches committed since the previous read: with up to a
/// seal's worth pending (100,000 events), a member's history is not held up by decoding all of them again.
/// </summary>
/// <remarks>
/// Keyed by a batch's first sequence number, which no later batch reuses (batch rowids are reused once a
/// seal empties the table). Entries of sealed batches are dropped at the next read.
/// </remarks>
internal sealed class PendingBatchCache
{
    private readonly Lock _lock = new();
    private Dictionary<long, EventColumns> _batches = [];

    /// <summary>The pending batches of the snapshot <paramref name="db"/> reads, in the order they were accepted.</summary>
    public IReadOnlyList<EventColumns> Read(sqlite3 db, string path)
    {
        var keys = new List<(long BatchKey, long FirstSeq)>();
        using (var list = new RawStatement(db, "SELECT batch_key, first_seq FROM pending_batches ORDER BY batch_key"))
        {
            while (list.Read()) keys.Add((list.ColumnInt64(0), list.ColumnInt64(1)));
            list.Reset();
        }
        var batches = new List<EventColumns>(keys.Count);
        if (keys.Count == 0)
        {
            // Everything was sealed: let the decoded batches go.
            lock (_lock) _batches = [];
            return batches;
        }
        lock (_lock)
        {
            var current = new Dictionary<long, EventColumns>(keys.Count);
            RawStatement? payload = null;
            try
            {
                foreach (var (batchKey, firstSeq) in keys)
                {
                    if (!_batches.TryGetValue(firstSeq, out var batch))
                    {
                        payload ??= new RawStatement(db, "SELECT payload FROM pending_batches WHERE batch_key = ?1");
                        payload.Int64(1, batchKey);
                        batch = new EventColumns();
                        if (payload.Read()) EventBlock.Decode(payload.ColumnBlob(0), batch, $"{path}: pending batch {batchKey}");
                        payload.Reset();
                    }
                    current[firstSeq] = batch;
                    batches.Add(batch);
                }
            }
            finally
            {
                payload?.Dispose();
            }
            _batches = current;
        }
        return batches;
    }
}
