using SQLitePCL;

namespace Encore.Storage;

/// <summary>
/// A prepared statement driven through SQLite's C API (SQLitePCLRaw, which Microsoft.Data.Sqlite runs on):
/// binding a value is one native call, with no boxing and no data reader per execution. Only the append
/// hot path uses it; everything else goes through Microsoft.Data.Sqlite.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    public RawStatement(sqlite3 db, string sql)
    {
        _db = db;
        Check(raw.sqlite3_prepare_v2(db, sql, out _stmt), sql);
    }

    /// <summary>Sets every parameter to NULL: then only the values present need binding (one native call each).</summary>
    public void ClearBindings() => Check(raw.sqlite3_clear_bindings(_stmt));

    public void Text(int index, string? value) => Check(value is null ? raw.sqlite3_bind_null(_stmt, index) : raw.sqlite3_bind_text(_stmt, index, value));

    /// <summary>Binds a value that may be absent, leaving NULL (after <see cref="ClearBindings"/>) when it is.</summary>
    public void OptionalText(int index, string? value)
    {
        if (value is not null) Check(raw.sqlite3_bind_text(_stmt, index, value));
    }

    public void OptionalInt64(int index, long? value)
    {
        if (value is { } v) Check(raw.sqlite3_bind_int64(_stmt, index, v));
    }

    public void OptionalDouble(int index, double? value)
    {
        if (value is { } v) Check(raw.sqlite3_bind_double(_stmt, index, v));
    }

    /// <summary>Binds an event id: a canonical UUID as its 16 bytes, anything else as text (see <see cref="EventIds"/>); the append path encodes each id once for all its uses.</summary>
    public void EventId(int index, in EncodedEventId id)
    {
        if (!id.IsUuid)
        {
            Check(raw.sqlite3_bind_text(_stmt, index, id.Text));
            return;
        }
        Span<byte> bytes = stackalloc byte[EventIds.UuidBytes];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, id.Uuid);
        Check(raw.sqlite3_bind_blob(_stmt, index, bytes));
    }

    public void Int64(int index, long value) => Check(raw.sqlite3_bind_int64(_stmt, index, value));


    /// <summary>Runs a statement that returns no rows.</summary>
    public void Execute()
    {
        int rc = raw.sqlite3_step(_stmt);
        raw.sqlite3_reset(_stmt);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW) Check(rc);
    }

    /// <summary>Runs a query; true when it returned at least one row. Reads the first column into <paramref name="first"/>.</summary>
    public bool QueryInt64(out long first)
    {
        int rc = raw.sqlite3_step(_stmt);
        try
        {
            if (rc == raw.SQLITE_ROW)
            {
                first = raw.sqlite3_column_int64(_stmt, 0);
                return true;
            }
            if (rc != raw.SQLITE_DONE) Check(rc);
            first = 0;
            return false;
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
        }
    }

    /// <summary>Binds an integer to a named parameter (e.g. "$from"), as a command built for Microsoft.Data.Sqlite names it.</summary>
    public void Int64(string name, long value)
    {
        int index = raw.sqlite3_bind_parameter_index(_stmt, name);
        if (index == 0) throw new ArgumentException($"the statement has no parameter {name}", nameof(name));
        Int64(index, value);
    }

    /// <summary>Steps a query: true with a row to read, false when done.</summary>
    public bool Read()
    {
        int rc = raw.sqlite3_step(_stmt);
        if (rc == raw.SQLITE_ROW) return true;
        if (rc != raw.SQLITE_DONE) Check(rc);
        return false;
    }

    public bool IsNull(int column) => raw.sqlite3_column_type(_stmt, column) == raw.SQLITE_NULL;

    public long ColumnInt64(int column) => raw.sqlite3_column_int64(_stmt, column);

    public double ColumnDouble(int column) => raw.sqlite3_column_double(_stmt, column);

    public void Dispose() => _stmt.Dispose();

    private void Check(int rc, string? sql = null)
    {
        if (rc == raw.SQLITE_OK) return;
        var message = raw.sqlite3_errmsg(_db).utf8_to_string();
        throw new Microsoft.Data.Sqlite.SqliteException(sql is null ? $"SQLite error {rc}: {message}" : $"SQLite error {rc}: {message} (in: {sql})", rc);
    }
}
