namespace Encore.Ingestion.Importers;

/// <summary>What an import did.</summary>
public sealed record ImportSummary
{
    /// <summary>The file or folder imported.</summary>
    public required string Source { get; init; }
    /// <summary>What was found there, in words (e.g. "MovieLens 100K", "events (JSON Lines)").</summary>
    public required string Format { get; init; }
    /// <summary>Titles written from catalogue files (u.item, movies.dat, movies.csv, a titles .jsonl), new or replaced.</summary>
    public int Titles { get; init; }
    /// <summary>Members written from member files (u.user, users.dat; for MovieLens latest, its raters the store lacked).</summary>
    public int Members { get; init; }
    /// <summary>
    /// Titles the store holds after the import that it did not before: new ones from catalogue files, and bare
    /// entries registered for events that name unknown titles (<see cref="UnknownTitlePolicy.Register"/>).
    /// Counted from the store's totals before and after, so a writer working at the same time counts too.
    /// </summary>
    public long NewTitles { get; init; }
    /// <summary>
    /// Members the store holds after the import that it did not before: new ones from member files, and those
    /// registered by their first event (<see cref="UnknownMemberPolicy.Register"/>, the default). Counted as
    /// <see cref="NewTitles"/> is.
    /// </summary>
    public long NewMembers { get; init; }
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
    /// <summary>How long the import took.</summary>
    public TimeSpan Elapsed { get; init; }
}
