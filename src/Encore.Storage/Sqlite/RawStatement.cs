using SQLitePCL;

namespace Encore.Storage;

/// <summary>
/// A prepared statement driven through SQLite's C API (SQLitePCLRaw, which Microsoft.Data.Sqlite runs on):
/// binding a value is one native call, with no boxing and no data reader per execution. The event log's
/// hot paths use it (appends, seals, block reads); everything else goes through Microsoft.Data.Sqlite.
/// </summary>
internal sealed unsafe class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;
    // The statement's pointer for the direct calls (see NativeSqlite); valid until _stmt is disposed.
    private readonly nint _ptr;

    public RawStatement(sqlite3 db, string sql)
    {
        _db = db;
        Check(raw.sqlite3_prepare_v2(db, sql, out _stmt), sql);
        _ptr = _stmt.DangerousGetHandle();
    }

    public void Text(int index, string? value)
    {
        if (value is null) Check(NativeSqlite.sqlite3_bind_null(_ptr, index));
        else BindText(index, value);
    }

    public void Blob(int index, ReadOnlySpan<byte> value)
    {
        fixed (byte* bytes = value) Check(NativeSqlite.sqlite3_bind_blob(_ptr, index, bytes, value.Length, NativeSqlite.Transient));
    }

    public void Int64(int index, long value) => Check(NativeSqlite.sqlite3_bind_int64(_ptr, index, value));

    /// <summary>UTF-16 straight from the string (SQLite copies and converts it): no UTF-8 array per bind.</summary>
    private void BindText(int index, string value)
    {
        fixed (char* text = value) Check(NativeSqlite.sqlite3_bind_text16(_ptr, index, text, value.Length * sizeof(char), NativeSqlite.Transient));
    }


    /// <summary>Runs a statement that returns no rows.</summary>
    public void Execute()
    {
        int rc = NativeSqlite.sqlite3_step(_ptr);
        NativeSqlite.sqlite3_reset(_ptr);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW) Check(rc);
    }

    /// <summary>Runs a query; true when it returned at least one row. Reads the first column into <paramref name="first"/>.</summary>
    public bool QueryInt64(out long first)
    {
        int rc = NativeSqlite.sqlite3_step(_ptr);
        try
        {
            if (rc == raw.SQLITE_ROW)
            {
                first = NativeSqlite.sqlite3_column_int64(_ptr, 0);
                return true;
            }
            if (rc != raw.SQLITE_DONE) Check(rc);
            first = 0;
            return false;
        }
        finally
        {
            NativeSqlite.sqlite3_reset(_ptr);
        }
    }

    /// <summary>Steps a query: true with a row to read, false when done.</summary>
    public bool Read()
    {
        int rc = NativeSqlite.sqlite3_step(_ptr);
        if (rc == raw.SQLITE_ROW) return true;
        if (rc != raw.SQLITE_DONE) Check(rc);
        return false;
    }

    public bool IsNull(int column) => NativeSqlite.sqlite3_column_type(_ptr, column) == raw.SQLITE_NULL;

    public long ColumnInt64(int column) => NativeSqlite.sqlite3_column_int64(_ptr, column);

    public string ColumnText(int column)
    {
        var text = (char*)NativeSqlite.sqlite3_column_text16(_ptr, column);
        return text is null ? "" : new string(text, 0, NativeSqlite.sqlite3_column_bytes16(_ptr, column) / sizeof(char));
    }

    /// <summary>A BLOB column of the current row, valid until the next step or reset.</summary>
    public ReadOnlySpan<byte> ColumnBlob(int column)
    {
        var bytes = NativeSqlite.sqlite3_column_blob(_ptr, column);
        return bytes is null ? [] : new ReadOnlySpan<byte>(bytes, NativeSqlite.sqlite3_column_bytes(_ptr, column));
    }

    /// <summary>Ends a query early (or after reading), so the statement can run again.</summary>
    public void Reset() => NativeSqlite.sqlite3_reset(_ptr);

    public void Dispose() => _stmt.Dispose();

    private void Check(int rc, string? sql = null)
    {
        if (rc == raw.SQLITE_OK) return;
        var message = raw.sqlite3_errmsg(_db).utf8_to_string();
        throw new Microsoft.Data.Sqlite.SqliteException(sql is null ? $"SQLite error {rc}: {message}" : $"SQLite error {rc}: {message} (in: {sql})", rc);
    }
}
