using Encore.Evaluation.Interactions;
using Encore.Ingestion.Importers;
using Encore.Models;
using Encore.Signals;

namespace Encore.Evaluation.Ranking;

/// <summary>What a data path holds, for the ranking protocols.</summary>
public enum RankingSourceKind
{
    /// <summary>A MovieLens release folder (100K, 1M or latest): its ratings.</summary>
    MovieLens,
    /// <summary>Viewing events as `encore import` reads them: a .jsonl/.ndjson file, a CSV whose header names event_id and kind, or a folder of such files (with titles).</summary>
    Events,
    /// <summary>A plain interactions file, <c>user,item[,weight][,timestamp]</c> (<see cref="InteractionsReader"/>).</summary>
    Interactions,
}

/// <summary>
/// The readers of files for the ranking protocols: which kind of data a path holds, and the one call that turns
/// it into <see cref="RankingData"/> (a store is read with <see cref="RankingData.FromStoreAsync"/>, a split made
/// elsewhere with <see cref="RankingData.FromInteractions(InteractionsFile, InteractionsFile)"/>).
/// </summary>
public static class RankingSources
{
    /// <summary>
    /// A folder is a MovieLens release when it has its ratings file, else a folder of events (and titles); a
    /// .jsonl/.ndjson file holds events; any other file holds events when its first line is a CSV header naming
    /// event_id and kind (the columns `encore import` requires), else interactions.
    /// </summary>
    /// <exception cref="ImportException">The path does not exist.</exception>
    public static RankingSourceKind Detect(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path)) return MovieLensDataset.Detect(path) is not null ? RankingSourceKind.MovieLens : RankingSourceKind.Events;
        if (!File.Exists(path)) throw new ImportException(path, 0, "no such file or folder");
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".jsonl" or ".ndjson") return RankingSourceKind.Events;
        return NamesEventColumns(FirstLine(path)) ? RankingSourceKind.Events : RankingSourceKind.Interactions;
    }

    /// <summary>Reads <paramref name="path"/> as <see cref="Detect"/> finds it; <paramref name="preferences"/> apply to viewing events only.</summary>
    /// <exception cref="ArgumentException">Preferences given for data that has no viewing events (ratings or interactions).</exception>
    /// <exception cref="ImportException">The path is missing or a line is malformed (file:line: reason).</exception>
    public static async Task<RankingData> LoadAsync(string path, PreferenceOptions? preferences = null, IProgress<ImportProgress>? progress = null,
        string? temporaryFolder = null, CancellationToken ct = default)
    {
        var kind = Detect(path);
        if (preferences is not null && kind != RankingSourceKind.Events)
            throw new ArgumentException($"preference parameters weigh viewing events (a store or an events file), and {path} holds "
                + (kind == RankingSourceKind.MovieLens ? "MovieLens ratings" : "plain interactions"));
        return kind switch
        {
            RankingSourceKind.MovieLens => RankingData.Load(path, ct),
            RankingSourceKind.Interactions => RankingData.FromInteractions(InteractionsFile.Load(path, ct)),
            _ => await RankingData.FromEventsFileAsync(path, preferences, progress, temporaryFolder, ct).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// The preference model's parameters from <c>key=value</c> pairs (the keys of <see cref="PreferenceOptions.Describe"/>,
    /// e.g. watch=1 complete=0.5), over the plays setting; null when there are none (each source's own rule applies).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown key or a bad value (the message names it).</exception>
    public static PreferenceOptions? Preferences(IReadOnlyDictionary<string, string> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0) return null;
        var options = ModelParameters.Bind<PreferenceOptions>(pairs);
        options.Validate();
        return options;
    }

    private static string FirstLine(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        for (int i = 0; i < 1000; i++)
        {
            var line = reader.ReadLine();
            if (line is null) return "";
            if (!string.IsNullOrWhiteSpace(line)) return line.Length > 4096 ? line[..4096] : line;
        }
        return "";
    }

    private static bool NamesEventColumns(string line)
    {
        bool id = false, kind = false;
        foreach (var field in line.Split(','))
        {
            var name = field.Trim().Trim('"');
            id |= name == EventFields.EventId;
            kind |= name == EventFields.Kind;
        }
        return id && kind;
    }
}
