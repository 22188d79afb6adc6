namespace Encore.Storage;

/// <summary>
/// Hands out the integer keys of one kind of string id (members, sessions) while batches are staged. A key
/// is found in memory, else in the merged table, else it is new: the next key, written to the kind's
/// staging table in the batch's transaction and moved to the real table by the next merge. Keys stay dense
/// because they are counted from the highest key the file holds. Only touched under the store's write lock,
/// and reset whenever another connection may have written.
/// </summary>
internal sealed class KeyInterner(string table, string keyColumn, string stagingTable, int cacheLimit)
{
    // Ids whose key is in the merged table; bounded, since a miss only costs one indexed SELECT.
    private readonly Dictionary<string, long> _merged = new(StringComparer.Ordinal);
    // Ids staged but not yet merged: always complete, as the merged table does not know them yet.
    private readonly Dictionary<string, long> _staged = new(StringComparer.Ordinal);
    private RawStatement? _find, _stage;
    private long _next = 1;

    public int StagedCount => _staged.Count;

    /// <summary>The key of <paramref name="id"/>, staging a new one (recorded in <paramref name="created"/>) if needed.</summary>
    public long Resolve(SQLitePCL.sqlite3 db, string id, List<string> created)
    {
        if (TryGetKey(db, id, out var key)) return key;
        key = _next++;
        var stage = _stage ??= new RawStatement(db, $"INSERT INTO {stagingTable} ({keyColumn}, id) VALUES (?1, ?2)");
        stage.Int64(1, key);
        stage.Text(2, id);
        stage.Execute();
        _staged[id] = key;
        created.Add(id);
        return key;
    }

    /// <summary>Whether the id has a key, staged or merged (no new key is made).</summary>
    public bool TryGetKey(SQLitePCL.sqlite3 db, string id, out long key)
    {
        if (_staged.TryGetValue(id, out key) || _merged.TryGetValue(id, out key)) return true;
        var find = _find ??= new RawStatement(db, $"SELECT {keyColumn} FROM {table} WHERE id = ?1");
        find.Text(1, id);
        if (!find.QueryInt64(out key)) return false;
        Remember(id, key);
        return true;
    }

    /// <summary>Records a key written to the merged table directly (an upsert).</summary>
    public void Remember(string id, long key)
    {
        if (_merged.Count >= cacheLimit) _merged.Clear();
        _merged[id] = key;
        if (key >= _next) _next = key + 1;
    }

    /// <summary>Forgets the keys a rolled-back batch had staged.</summary>
    public void Undo(List<string> created, long nextBefore)
    {
        foreach (var id in created) _staged.Remove(id);
        _next = nextBefore;
    }

    public long Next => _next;

    /// <summary>The staged keys are now in the merged table.</summary>
    public void Merged()
    {
        foreach (var (id, key) in _staged) Remember(id, key);
        _staged.Clear();
    }

    /// <summary>Reloads from the file: the staged ids, and the next key after the highest in use.</summary>
    public void Reset(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        _merged.Clear();
        _staged.Clear();
        using var c = connection.CreateCommand();
        c.CommandText = $"SELECT {keyColumn}, id FROM {stagingTable}";
        using (var r = c.ExecuteReader())
        {
            while (r.Read()) _staged[r.GetString(1)] = r.GetInt64(0);
        }
        c.CommandText = $"SELECT max(coalesce((SELECT max({keyColumn}) FROM {table}), 0), coalesce((SELECT max({keyColumn}) FROM {stagingTable}), 0))";
        _next = (long)c.ExecuteScalar()! + 1;
    }

    public void Dispose()
    {
        _find?.Dispose();
        _stage?.Dispose();
    }
}
