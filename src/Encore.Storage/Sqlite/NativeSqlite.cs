using System.Runtime.InteropServices;

namespace Encore.Storage;

/// <summary>
/// The few SQLite C functions the append and read hot paths call per value, imported straight from the
/// e_sqlite3 library SQLitePCLRaw has already loaded (same name, so the same file and the same copy of
/// SQLite). SQLitePCLRaw's own wrappers add a SafeHandle reference count and a GC transition to every call,
/// which at a dozen calls per event was about a tenth of the ingest CPU. Statements are still prepared,
/// owned and finalised through SQLitePCLRaw; these take the raw statement pointer it holds.
/// </summary>
/// <remarks>
/// Binds and column reads are short, never block and never call back into .NET, so they skip the GC
/// transition; step and reset may do I/O and take file locks, so they keep it.
/// </remarks>
internal static unsafe class NativeSqlite
{
    private const string Library = "e_sqlite3";

    /// <summary>SQLITE_TRANSIENT: SQLite copies the value before the bind returns.</summary>
    public static readonly nint Transient = -1;

    [DllImport(Library), SuppressGCTransition]
    public static extern int sqlite3_bind_int64(nint stmt, int index, long value);

    [DllImport(Library), SuppressGCTransition]
    public static extern int sqlite3_bind_null(nint stmt, int index);

    [DllImport(Library)]
    public static extern int sqlite3_bind_text16(nint stmt, int index, char* text, int bytes, nint destructor);

    [DllImport(Library)]
    public static extern int sqlite3_bind_blob(nint stmt, int index, byte* data, int bytes, nint destructor);

    [DllImport(Library)]
    public static extern int sqlite3_step(nint stmt);

    [DllImport(Library)]
    public static extern int sqlite3_reset(nint stmt);

    [DllImport(Library), SuppressGCTransition]
    public static extern long sqlite3_column_int64(nint stmt, int column);

    [DllImport(Library), SuppressGCTransition]
    public static extern int sqlite3_column_type(nint stmt, int column);

    [DllImport(Library)]
    public static extern byte* sqlite3_column_blob(nint stmt, int column);

    [DllImport(Library), SuppressGCTransition]
    public static extern int sqlite3_column_bytes(nint stmt, int column);

    [DllImport(Library)]
    public static extern void* sqlite3_column_text16(nint stmt, int column);

    [DllImport(Library), SuppressGCTransition]
    public static extern int sqlite3_column_bytes16(nint stmt, int column);
}
