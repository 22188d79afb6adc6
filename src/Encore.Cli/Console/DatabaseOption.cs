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
        Description = $"The database: a SQLite file, or a PostgreSQL URL postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE. Default: {EncorePaths.DefaultDatabase} "
            + $"(${EncorePaths.DatabaseVariable} overrides it, else $XDG_DATA_HOME/encore/encore.db, else ~/.local/share/encore/encore.db).",
        HelpName = "FILE|URL",
    };

    /// <summary>The database the command line names (a full file path, or a postgres:// URL as given), or the default.</summary>
    public static string Resolve(ParseResult parseResult, Option<string?> option)
        => parseResult.GetValue(option) is { Length: > 0 } path ? (EventStores.IsPostgres(path) ? path : Path.GetFullPath(path)) : EncorePaths.DefaultDatabase;

    /// <summary>
    /// Opens the store at <paramref name="path"/> to read and write; with <paramref name="mustExist"/> a missing file is an
    /// error that says how to create one. Failures become a <see cref="CliException"/> with
    /// <see cref="ExitCodes.DatabaseUnavailable"/>.
    /// </summary>
    public static Task<IEventStore> OpenAsync(string path, bool mustExist, CancellationToken ct)
        => OpenAsync(path, mustExist, readOnly: false, ct);

    /// <summary>
    /// Opens the existing store at <paramref name="path"/> for a command that only reads: nothing is written,
    /// so a file the user may only read works (see <see cref="SqliteEventStore.OpenReadOnlyAsync"/>).
    /// </summary>
    public static Task<IEventStore> OpenReadOnlyAsync(string path, CancellationToken ct)
        => OpenAsync(path, mustExist: true, readOnly: true, ct);

    private static async Task<IEventStore> OpenAsync(string path, bool mustExist, bool readOnly, CancellationToken ct)
    {
        if (EventStores.IsPostgres(path))
        {
            try
            {
                return await EventStores.OpenAsync(path, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
            {
                // The messages name host, port and database, never the password.
                throw new CliException(ExitCodes.DatabaseUnavailable, $"cannot open database {EventStores.Describe(path)}: {e.Message}", e);
            }
        }
        if (Directory.Exists(path))
            throw new CliException(ExitCodes.DatabaseUnavailable, $"cannot open database {path}: it is a folder; --db names a file");
        if (mustExist && !File.Exists(path))
            throw new CliException(ExitCodes.DatabaseUnavailable, $"no database at {path}; create one with `encore import <path>` (or name another with --db FILE)");
        try
        {
            return readOnly
                ? await EventStores.OpenReadOnlyAsync(path, ct).ConfigureAwait(false)
                : await EventStores.OpenAsync(path, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.DatabaseUnavailable, $"cannot open database {path}: {e.Message}", e);
        }
    }
}
