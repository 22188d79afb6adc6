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
    /// Opens the store at <paramref name="path"/>; with <paramref name="mustExist"/> a missing file is an
    /// error that says how to create one. Failures become a <see cref="CliException"/> with
    /// <see cref="ExitCodes.DatabaseUnavailable"/>.
    /// </summary>
    public static async Task<SqliteEventStore> OpenAsync(string path, bool mustExist, CancellationToken ct)
    {
        if (Directory.Exists(path))
            throw new CliException(ExitCodes.DatabaseUnavailable, $"cannot open database {path}: it is a folder; --db names a file");
        if (mustExist && !File.Exists(path))
            throw new CliException(ExitCodes.DatabaseUnavailable, $"no database at {path}; create one with `encore import <path>` (or name another with --db FILE)");
        try
        {
            return await SqliteEventStore.OpenAsync(path, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.DatabaseUnavailable, $"cannot open database {path}: {e.Message}", e);
        }
    }
}
