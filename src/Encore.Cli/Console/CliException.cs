namespace Encore.Cli.Terminal;

/// <summary>A failure a command reports as one line and an exit code (see <see cref="ExitCodes"/>).</summary>
public sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>
    /// A bad argument (an unknown model, a parameter out of range) as a usage error in the user's words: the
    /// message without the " (Parameter 'Factors')" and "Actual value was -5." that .NET appends for developers.
    /// </summary>
    public static CliException Usage(ArgumentException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new CliException(ExitCodes.Usage, PlainMessage(e), e);
    }

    /// <summary>The message an <see cref="ArgumentException"/> was built with, without what .NET appends to it.</summary>
    public static string PlainMessage(ArgumentException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = e.Message;
        if (e is ArgumentOutOfRangeException { ActualValue: { } value })
            message = WithoutSuffix(message, Environment.NewLine + $"Actual value was {value}.");
        if (!string.IsNullOrEmpty(e.ParamName))
            message = WithoutSuffix(message, $" (Parameter '{e.ParamName}')");
        return message;
    }

    private static string WithoutSuffix(string text, string suffix)
        => text.EndsWith(suffix, StringComparison.Ordinal) ? text[..^suffix.Length] : text;
}
