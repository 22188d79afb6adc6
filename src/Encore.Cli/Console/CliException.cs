namespace Encore.Cli.Terminal;

/// <summary>A failure a command reports as one line and an exit code (see <see cref="ExitCodes"/>).</summary>
public sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
