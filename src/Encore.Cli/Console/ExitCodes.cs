namespace Encore.Cli.Terminal;

/// <summary>
/// The exit codes of every `encore` command. (The namespace is Terminal, not Console, so that
/// <c>Console.WriteLine</c> keeps meaning System.Console everywhere in the CLI.)
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The command line itself is wrong (System.CommandLine reports it).</summary>
    public const int Usage = 1;
    /// <summary>The input is wrong: a missing path, an unknown format, a malformed line under --on-error stop.</summary>
    public const int BadInput = 2;
    /// <summary>The database cannot be opened (missing, not a database, no permission).</summary>
    public const int DatabaseUnavailable = 3;
    /// <summary>Anything else: a bug or an environment failure.</summary>
    public const int Failure = 4;
    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
