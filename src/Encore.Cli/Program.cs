using System.CommandLine;
using System.Runtime.InteropServices;
using Encore.Cli;
using Encore.Cli.Terminal;

var root = new RootCommand("Encore: a recommendation engine for video-streaming services.");
// Each command lives in its own file under Commands/ and is registered here.
foreach (var command in CommandCatalog.Create())
    root.Subcommands.Add(command);
// `encore` alone shows what it can do; a wrong command line is one line on stderr, not the help text.
var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
if (parsed.Errors.Count > 0) return UsageErrors.Report(parsed);

// Ctrl-C and SIGTERM cancel the command's token once; a second signal (Ctrl-C twice, or `timeout`, which signals
// the process and its group) is then harmless. System.CommandLine's own handling would race with it.
using var cancel = new CancellationTokenSource();
void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    try { cancel.Cancel(); } catch (ObjectDisposedException) { }
}
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancel.Token);
