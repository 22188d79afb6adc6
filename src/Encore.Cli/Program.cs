using System.CommandLine;
using Encore.Cli;

var root = new RootCommand("Encore: a recommendation engine for video-streaming services.");
// Each command lives in its own file under Commands/ and is registered here.
foreach (var command in CommandCatalog.Create())
    root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
