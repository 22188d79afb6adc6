namespace Encore.Cli.Terminal;

/// <summary>Command lines the CLI suggests to the user, written so that they can be pasted into a POSIX shell.</summary>
internal static class ShellText
{
    /// <summary><paramref name="argument"/> as is where a shell takes it so, else in single quotes.</summary>
    public static string Quote(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        bool plain = argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or '=' or ':' or ',' or '+' or '@' or '%');
        return plain ? argument : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
