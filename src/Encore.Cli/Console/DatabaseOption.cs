using System.CommandLine;
using Encore.Storage;
using Microsoft.Data.Sqlite;

namespace Encore.Cli.Terminal;

/// <summary>
/// The `--db FILE` option every command that touches the store takes, and the one way to open that store.
/// Without the option the default database is used (<see cref="EncorePaths.DefaultDatabase"/>).
/// </summary>
public static class DatabaseOption
{
    public static Option<string?> Create() => new("--db")
    {
        Description = $"The database file. Default: {EncorePaths.DefaultDatabase} "
            + $"(${EncorePaths.DatabaseVariable} overrides it, else $XDG_DATA_HOME/encore/encore.db, else ~/.local/share/encore/encore.db).",
        HelpName = "FILE",
    };

    /// <summary>The database path the command line names, or the default.</summary>
    public static string Resolve(ParseResult parseResult, Option<string?> option)
        => parseResult.GetValue(option) is { Length: > 0 } path ? Path.GetFullPath(path) : EncorePaths.DefaultDatabase;

    /// <summary>
    /// Opens the store at <paramref name="path"/> to read and write; with <paramref name="mustExist"/> a missing file is an
    /// error that says how to create one. Failures become a <see cref="CliException"/> with
    /// <see cref="ExitCodes.DatabaseUnavailable"/>.
    /// </summary>
    public static Task<SqliteEventStore> OpenAsync(string path, bool mustExist, CancellationToken ct)
        => OpenAsync(path, mustExist, readOnly: false, ct);

    /// <summary>
    /// Opens the existing store at <paramref name="path"/> for a command that only reads: nothing is written,
    /// so a file the user may only read works (see <see cref="SqliteEventStore.OpenReadOnlyAsync"/>).
    /// </summary>
    public static Task<SqliteEventStore> OpenReadOnlyAsync(string path, CancellationToken ct)
        => OpenAsync(path, mustExist: true, readOnly: true, ct);

    private static async Task<SqliteEventStore> OpenAsync(string path, bool mustExist, bool readOnly, CancellationToken ct)
    {
        if (Directory.Exists(path))
            throw new CliException(ExitCodes.DatabaseUnavailable, $"cannot open database {path}: it is a folder; --db names a file");
        if (mustExist && !File.Exists(path))
            throw new CliException(ExitCodes.DatabaseUnavailable, $"no database at {path}; create one with `encore import <path>` (or name another with --db FILE)");
        try
        {
            return readOnly
                ? await SqliteEventStore.OpenReadOnlyAsync(path, ct).ConfigureAwait(false)
                : await SqliteEventStore.OpenAsync(path, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.DatabaseUnavailable, $"cannot open database {path}: {e.Message}", e);
        }
    }
}
