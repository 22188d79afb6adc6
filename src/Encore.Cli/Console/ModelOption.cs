using System.CommandLine;
using Encore.Ranking;

namespace Encore.Cli.Terminal;

/// <summary>
/// The `--model FILE` option of the commands that answer from a trained model, and the `--out FILE` of `encore train`:
/// both default to the file beside the database, "&lt;db&gt;.model", so `encore train` then `encore recommend` need no flag.
/// </summary>
public static class ModelOption
{
    public const string Suffix = ".model";

    public static Option<string?> Create(string name, string description) => new(name) { Description = description, HelpName = "FILE" };

    /// <summary>The model file the command line names, or the one beside <paramref name="databasePath"/>.</summary>
    public static string Resolve(ParseResult parseResult, Option<string?> option, string databasePath)
        => parseResult.GetValue(option) is { Length: > 0 } path ? Path.GetFullPath(path) : Storage.EventStores.ModelPaths(databasePath).ModelFile;

    /// <summary>Loads a trained model; a missing or damaged file is a one-line error that says how to make one.</summary>
    public static TrainedModel Load(string path)
    {
        if (!File.Exists(path))
            throw new CliException(ExitCodes.BadInput, $"no trained model at {path}; make one with `encore train` (or name one with --model FILE)");
        try
        {
            return TrainedModelFile.Load(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadInput, e.Message, e);
        }
    }
}
