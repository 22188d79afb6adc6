using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Ingestion;
using Encore.Ingestion.Importers;

namespace Encore.Cli.Commands;

/// <summary>`encore import PATH [--db FILE] [--on-error stop|skip] [--register-titles]`: loads data into the store.</summary>
internal static class ImportCommand
{
    /// <summary>How many skipped or rejected lines are printed; all are counted.</summary>
    private const int ProblemsShown = 10;

    public static Command Create()
    {
        var path = new Argument<string>("path")
        {
            Description = "What to import: a MovieLens folder (100K, 1M or latest, detected from its files), "
                + "a .jsonl or .csv file of viewing events, a .jsonl file of titles, or a folder of such files (titles first).",
        };
        var db = DatabaseOption.Create();
        var onError = new Option<string>("--on-error")
        {
            Description = "What a malformed line or an invalid event does: stop the import (reported as file:line: reason) or skip it (counted in the summary).",
            DefaultValueFactory = _ => "stop",
            HelpName = "stop|skip",
        };
        onError.AcceptOnlyFromAmong("stop", "skip");
        var registerTitles = new Option<bool>("--register-titles")
        {
            Description = "Give a title that an event names but the catalogue lacks a bare catalogue entry (name = id, runtime unknown) "
                + "instead of rejecting the event. (Unknown members are always registered by their first event.)",
        };
        var command = new Command("import", "Import a MovieLens release, or files of viewing events and titles, into the database.")
        {
            path, db, onError, registerTitles,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            var source = parseResult.GetValue(path)!;
            var mode = parseResult.GetValue(onError) == "skip" ? ImportErrorMode.Skip : ImportErrorMode.Stop;
            var databasePath = DatabaseOption.Resolve(parseResult, db);
            // Detect first, so that a wrong path fails before a database is created for nothing.
            ImportSource.Detect(source);
            await using var store = await DatabaseOption.OpenAsync(databasePath, mustExist: false, ct);
            var ingestion = parseResult.GetValue(registerTitles)
                ? new IngestionOptions { UnknownTitles = UnknownTitlePolicy.Register }
                : IngestionOptions.Default;
            var runner = new ImportRunner(store, new ImportOptions { OnError = mode, MaxReportedSkips = ProblemsShown }, ingestion);
            ImportSummary summary;
            try
            {
                summary = await ConsoleProgress.RunAsync(parseResult,
                    progress => runner.ImportAsync(source, new ProgressAdapter(progress), ct));
            }
            catch (ImportException e) when (e.Summary is { } stopped)
            {
                var reason = $"{e.Message} (the import stopped here; {Stored(stopped)}"
                    + (e.Skippable ? "; --on-error skip skips such lines)" : ")");
                throw new CliException(ExitCodes.BadInput, reason, e);
            }
            Write(summary, databasePath, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>What a stopped import had stored: "2 events stored", "0 events stored, after 3 titles and 2 members".</summary>
    private static string Stored(ImportSummary s)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{s.Imported:N0} {(s.Imported == 1 ? "event" : "events")} stored");
        if (s.Titles == 0 && s.Members == 0) return text;
        var before = new List<string>(2);
        if (s.Titles > 0) before.Add(string.Create(CultureInfo.InvariantCulture, $"{s.Titles:N0} {(s.Titles == 1 ? "title" : "titles")}"));
        if (s.Members > 0) before.Add(string.Create(CultureInfo.InvariantCulture, $"{s.Members:N0} {(s.Members == 1 ? "member" : "members")}"));
        return text + ", after " + string.Join(" and ", before);
    }

    private static void Write(ImportSummary s, string databasePath, TextWriter output, TextWriter error)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Imported {s.Source} ({s.Format}) into {Storage.EventStores.Describe(databasePath)} in {s.Elapsed.TotalSeconds:F1} s"));
        new TextTable(2)
            .Add("titles from files", s.Titles)
            .Add("members from files", s.Members)
            .Add("new titles", s.NewTitles)
            .Add("new members", s.NewMembers)
            .Add("events read", s.EventsRead)
            .Add("events stored", s.Imported)
            .Add("duplicates", s.Duplicates)
            .Add("rejected", s.Rejected)
            .Add("skipped lines", s.Skipped)
            .WriteTo(output, "  ");
        foreach (var file in s.EmptyFiles)
            output.WriteLine($"  {file} held no events");
        foreach (var problem in s.Problems)
            error.WriteLine("encore: " + (problem.Reason.Contains("(event ", StringComparison.Ordinal) ? "rejected " : "skipped ") + problem.Message);
        long unshown = s.Skipped + s.Rejected - s.Problems.Count;
        if (unshown > 0) error.WriteLine($"encore: ... and {unshown} more");
    }

    /// <summary>Relays the library's import progress to the console renderer (the library has no console code).</summary>
    private sealed class ProgressAdapter(IProgress<ProgressUpdate> target) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
            => target.Report(new ProgressUpdate(value.Stage, value.Done, value.Total, value.Unit,
                value.EventsImported > 0 ? string.Create(CultureInfo.InvariantCulture, $"[{value.EventsImported:N0} events stored]") : null));
    }
}
