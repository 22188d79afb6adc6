using System.Text.Json;

namespace Encore.Ingestion.Importers;

/// <summary>What one input holds.</summary>
public enum ImportSourceKind
{
    /// <summary>A MovieLens release folder (100K, 1M or latest).</summary>
    MovieLens,
    /// <summary>Viewing events, one JSON object per line.</summary>
    EventsJsonLines,
    /// <summary>Viewing events, CSV with a header.</summary>
    EventsCsv,
    /// <summary>Catalogue titles, one JSON object per line.</summary>
    TitlesJsonLines,
}

/// <summary>One input of an import: a file or a MovieLens folder, and what it holds.</summary>
public sealed record ImportSource(string Path, ImportSourceKind Kind)
{
    /// <summary>What the source holds, in words for messages: "MovieLens 100K", "events (JSON Lines)", "events (CSV)" or "titles (JSON Lines)".</summary>
    public string Describe() => Kind switch
    {
        ImportSourceKind.MovieLens => "MovieLens " + (MovieLensDataset.Detect(Path) switch
        {
            MovieLensFormat.Ml100k => "100K",
            MovieLensFormat.Ml1m => "1M",
            _ => "latest",
        }),
        ImportSourceKind.EventsJsonLines => "events (JSON Lines)",
        ImportSourceKind.EventsCsv => "events (CSV)",
        _ => "titles (JSON Lines)",
    };

    /// <summary>
    /// Finds what <paramref name="path"/> holds: a MovieLens folder by its files; a .jsonl/.ndjson file by
    /// its first object (event_id: events; id and name: titles); a .csv file as events; any other folder
    /// as the set of such files in it, titles first so that events find their catalogue.
    /// </summary>
    /// <exception cref="ImportException">The path does not exist or holds nothing Encore can import.</exception>
    public static IReadOnlyList<ImportSource> Detect(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            if (MovieLensDataset.Detect(path) is not null) return [new ImportSource(path, ImportSourceKind.MovieLens)];
            var files = Directory.EnumerateFiles(path)
                .Where(f => KindOfExtension(f) is not null)
                .Order(StringComparer.Ordinal)
                .Select(f => new ImportSource(f, SniffFile(f)))
                .OrderBy(s => s.Kind == ImportSourceKind.TitlesJsonLines ? 0 : 1)
                .ToList();
            if (files.Count == 0)
                throw new ImportException(path, 0, "unknown format: not a MovieLens folder (no u.data, ratings.dat or ratings.csv) and no .jsonl or .csv files in it");
            return files;
        }
        if (!File.Exists(path)) throw new ImportException(path, 0, "no such file or folder");
        if (KindOfExtension(path) is null)
            throw new ImportException(path, 0, "unknown format: expected a MovieLens folder, a .jsonl/.ndjson file (events or titles) or a .csv file (events)");
        return [new ImportSource(path, SniffFile(path))];
    }

    private static ImportSourceKind? KindOfExtension(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jsonl" or ".ndjson" => ImportSourceKind.EventsJsonLines,
        ".csv" => ImportSourceKind.EventsCsv,
        _ => null,
    };

    private static ImportSourceKind SniffFile(string path)
    {
        if (KindOfExtension(path) == ImportSourceKind.EventsCsv) return ImportSourceKind.EventsCsv;
        using var lines = new LineReader(path, TextEncoding.Utf8);
        while (lines.TryReadDataLine(CancellationToken.None, out ReadOnlySpan<byte> line))
        {
            try
            {
                var reader = new Utf8JsonReader(line);
                using var first = JsonDocument.ParseValue(ref reader);
                return TitleJson.LooksLikeTitle(first.RootElement) ? ImportSourceKind.TitlesJsonLines : ImportSourceKind.EventsJsonLines;
            }
            catch (JsonException)
            {
                // Not JSON: read it as events, whose reader reports the line and the reason.
                return ImportSourceKind.EventsJsonLines;
            }
        }
        return ImportSourceKind.EventsJsonLines;
    }
}
