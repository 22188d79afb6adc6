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
        if (!string.IsNullOrWhiteSpace(explicitPath)) return Path.GetFullPath(explicitPath);
        var dataHome = environment("XDG_DATA_HOME");
        // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
        if (string.IsNullOrWhiteSpace(dataHome) || !Path.IsPathRooted(dataHome)) dataHome = Path.Combine(home, ".local", "share");
        return Path.Combine(dataHome, "encore", "encore.db");
    }
}
