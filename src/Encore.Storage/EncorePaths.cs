namespace Encore.Storage;

/// <summary>Where Encore keeps its data when no path is given.</summary>
public static class EncorePaths
{
    /// <summary>The variable that overrides the default database file.</summary>
    public const string DatabaseVariable = "ENCORE_DB";

    /// <summary>
    /// The default database file: <c>$ENCORE_DB</c> if set, else <c>$XDG_DATA_HOME/encore/encore.db</c>, else
    /// <c>~/.local/share/encore/encore.db</c> (the XDG base-directory convention, so one machine-wide file per user).
    /// </summary>
    public static string DefaultDatabase => Resolve(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>The rule behind <see cref="DefaultDatabase"/>, with the environment and home folder passed in (testable).</summary>
    internal static string Resolve(Func<string, string?> environment, string home)
    {
        var explicitPath = environment(DatabaseVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath)) return IsServerUrl(explicitPath) ? explicitPath : Path.GetFullPath(explicitPath);
        var dataHome = environment("XDG_DATA_HOME");
        // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
        if (string.IsNullOrWhiteSpace(dataHome) || !Path.IsPathRooted(dataHome)) dataHome = Path.Combine(home, ".local", "share");
        return Path.Combine(dataHome, "encore", "encore.db");
    }

    /// <summary>Whether a database value is a server URL (<c>postgres://</c> or <c>postgresql://</c>) rather than a file path.</summary>
    public static bool IsServerUrl(string? db)
        => db is not null && (db.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || db.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The local folder for what belongs beside a store on a server but is kept on this machine (the model registry):
    /// <c>$XDG_DATA_HOME/encore/postgres/HOST-PORT-DATABASE</c> (else under <c>~/.local/share</c>), names made safe for a path.
    /// </summary>
    public static string LocalFolderForServer(string host, int port, string database)
    {
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrWhiteSpace(dataHome) || !Path.IsPathRooted(dataHome))
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        static string Safe(string s) => string.Concat(s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' ? c : '_'));
        return Path.Combine(dataHome, "encore", "postgres", $"{Safe(host)}-{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{Safe(database)}");
    }
}
