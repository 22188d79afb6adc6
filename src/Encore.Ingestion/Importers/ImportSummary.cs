namespace Encore.Ingestion.Importers;

/// <summary>What an import did.</summary>
public sealed record ImportSummary
{
    /// <summary>The file or folder imported.</summary>
    public required string Source { get; init; }
    /// <summary>What was found there, in words (e.g. "MovieLens 100K", "events (JSON Lines)").</summary>
    public required string Format { get; init; }
    public int Titles { get; init; }
    public int Members { get; init; }
    /// <summary>Events read from the input (well-formed lines).</summary>
    public long EventsRead { get; init; }
    /// <summary>Events newly stored.</summary>
    public long Imported { get; init; }
    /// <summary>Events whose id was already stored (a re-import stores nothing twice).</summary>
    public long Duplicates { get; init; }
    /// <summary>Well-formed events that validation rejected (unknown title, bad position, ...).</summary>
    public long Rejected { get; init; }
    /// <summary>Malformed lines skipped.</summary>
    public long Skipped { get; init; }
    /// <summary>
    /// Files that held no events at all: empty (0 bytes, only blank lines or only a byte order mark), or a CSV
    /// header alone. They import nothing and are no error.
    /// </summary>
    public IReadOnlyList<string> EmptyFiles { get; init; } = [];
    /// <summary>The first skipped lines and rejected events, as file:line: reason.</summary>
    public IReadOnlyList<ImportException> Problems { get; init; } = [];
    public TimeSpan Elapsed { get; init; }
}
