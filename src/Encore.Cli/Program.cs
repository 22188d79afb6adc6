using System.CommandLine;
using Encore.Cli;
using Encore.Cli.Terminal;

var root = new RootCommand("Encore: a recommendation engine for video-streaming services.");
// Each command lives in its own file under Commands/ and is registered here.
foreach (var command in CommandCatalog.Create())
    root.Subcommands.Add(command);
// `encore` alone shows what it can do; a wrong command line is one line on stderr, not the help text.
var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
return parsed.Errors.Count > 0 ? UsageErrors.Report(parsed) : await parsed.InvokeAsync();
