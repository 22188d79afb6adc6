using System.CommandLine;
using Encore.Core;
using Encore.Ingestion.Importers;

namespace Encore.Cli.Terminal;

/// <summary>
/// Runs a command's body and turns every failure into one line on standard error, "encore: reason", and
/// an exit code: <see cref="ImportException"/> and bad files are bad input, <see cref="CliException"/>
/// carries its own code, cancellation is 130, anything else is a failure (with its type, to find the bug).
/// </summary>
public static partial class CommandGuard
{
    public static async Task<int> RunAsync(ParseResult parseResult, CancellationToken ct, Func<CancellationToken, Task<int>> body)
    {
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            return await body(ct).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            return Fail(error, e.Message, e.ExitCode);
        }
        catch (ImportException e)
        {
            return Fail(error, e.Message, ExitCodes.BadInput);
        }
        catch (Storage.Postgres.PostgresUnavailableException e)
        {
            // The server went away mid-command: the message names host and port.
            return Fail(error, e.Message, ExitCodes.DatabaseUnavailable);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Fail(error, "cancelled", ExitCodes.Cancelled);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            return Fail(error, e.Message, ExitCodes.BadInput);
        }
        catch (Exception e)
        {
            return Fail(error, $"unexpected {e.GetType().Name}: {e.Message}", ExitCodes.Failure);
        }
    }

    /// <summary>Writes "encore: reason" on one line and returns <paramref name="exitCode"/>.</summary>
    public static int Fail(TextWriter error, string reason, int exitCode)
    {
        error.WriteLine("encore: " + OneLine(reason));
        return exitCode;
    }

    [System.Text.RegularExpressions.GeneratedRegex("'([^']{61,})'")]
    private static partial System.Text.RegularExpressions.Regex LongQuoted();

    /// <summary>Longest reason printed: a message that echoes a huge value is cut rather than flooding the terminal.</summary>
    public const int MaxReasonLength = 1_000;

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        // A quoted value too long to read is cut to its start and its length wherever the message came from.
        if (line.Length > 200) line = LongQuoted().Replace(line, m => UnicodeText.Quote(m.Groups[1].ValueSpan));
        return line.Length <= MaxReasonLength ? line : string.Concat(line.AsSpan(0, MaxReasonLength), $"... ({line.Length:N0} characters)");
    }
}
