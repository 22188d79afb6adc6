using Microsoft.Data.Sqlite;

namespace Encore.Storage;

// Sealing: the pending batches become one segment (SegmentWriter) in one transaction, and the members and
// sessions staged beside them move to their tables. Whatever the file has pending is sealed, this process's
// or another's, since every writer takes the file's write lock first.
public sealed partial class SqliteEventStore
{
    private SegmentWriter? _segmentWriter;

    /// <summary>Seals everything the file has pending in one transaction; caller holds the write lock.</summary>
    private void SealPending()
    {
        var db = _writer.Handle!;
        _begin ??= new RawStatement(db, "BEGIN IMMEDIATE");
        _commit ??= new RawStatement(db, "COMMIT");
        _rollback ??= new RawStatement(db, "ROLLBACK");
        var pending = new EventColumns(Math.Max(_pendingIds.Count, 16));
        long segment = 0;
        BeginWrite();
        try
        {
            // With the write lock held, the file's pending batches are exactly what the caches say.
            RefreshIfChangedElsewhere();
            MergeStagedKeys(null);
            ReadPendingBatches(db, pending);
            if (pending.Count > 0)
            {
                using var c = _writer.CreateCommand();
                c.CommandText = "SELECT coalesce(max(segment_key), 0) + 1 FROM segments";
                segment = (long)c.ExecuteScalar()!;
                (_segmentWriter ??= new SegmentWriter(db)).Write(pending, segment);
                c.CommandText = "DELETE FROM pending_batches";
                c.ExecuteNonQuery();
            }
            _commit.Execute();
        }
        catch
        {
            _knownDataVersion = -1;
            try
            {
                _rollback.Execute();
            }
            catch (SqliteException)
            {
                // Already rolled back by SQLite itself; the original error is the one to report.
            }
            throw;
        }
        if (segment > 0 && _sealedIds is not null && !_sealedIdsStale)
        {
            // Nobody else has written since the ids were last brought up to date: this segment is the next.
            _sealedIds.Sealed(segment, _segmentWriter!.LastIdFilter, _segmentWriter.LastUuids);
        }
        _pendingIds.Clear();
        StagedKeysWereMerged();
    }

    /// <summary>
    /// Moves the staged members and sessions (this process's or another's) into their tables, inside
    /// <paramref name="tx"/> (null: a transaction begun through the C API). Call <see cref="StagedKeysWereMerged"/> once the transaction commits.
    /// </summary>
    private void MergeStagedKeys(SqliteTransaction? tx)
    {
        using var c = _writer.CreateCommand();
        c.Transaction = tx;
        c.CommandText = """
                INSERT INTO members (member_key, id) SELECT member_key, id FROM staged_members ORDER BY member_key
                    ON CONFLICT DO NOTHING;
                INSERT INTO sessions (session_key, id) SELECT session_key, id FROM staged_sessions ORDER BY session_key
                    ON CONFLICT DO NOTHING;
                DELETE FROM staged_members;
                DELETE FROM staged_sessions;
                """;
        c.ExecuteNonQuery();
    }

    private void StagedKeysWereMerged()
    {
        _members.Merged();
        _sessions.Merged();
    }

    /// <summary>Appends every pending event of the file (as <paramref name="db"/> sees it) to <paramref name="into"/>, in the order accepted.</summary>
    private void ReadPendingBatches(SQLitePCL.sqlite3 db, EventColumns into)
    {
        using var read = new RawStatement(db, "SELECT batch_key, payload FROM pending_batches ORDER BY batch_key");
        try
        {
            while (read.Read()) EventBlock.Decode(read.ColumnBlob(1), into, $"{Path}: pending batch {read.ColumnInt64(0)}");
        }
        finally
        {
            read.Reset();
        }
    }
}
