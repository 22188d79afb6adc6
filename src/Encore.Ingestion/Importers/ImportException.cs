namespace Encore.Ingestion.Importers;

/// <summary>
/// A problem in an input file, reported as <c>file:line: reason</c> so that the user can open the file at
/// the place. <see cref="Line"/> is 1-based; 0 means the problem is about the file as a whole.
/// </summary>
public sealed class ImportException : Exception
{
    /// <summary>A problem that stops an import whatever <see cref="ImportOptions.OnError"/> says (not skippable).</summary>
    public ImportException(string file, long line, string reason, Exception? inner = null)
        : this(file, line, reason, skippable: false, inner)
    {
    }

    /// <summary>A problem at <paramref name="file"/>:<paramref name="line"/>; <paramref name="skippable"/> says whether <see cref="ImportErrorMode.Skip"/> may pass over it.</summary>
    public ImportException(string file, long line, string reason, bool skippable, Exception? inner = null)
        : base(Format(file, line, reason), inner)
    {
        File = file;
        Line = line;
        Reason = reason;
        Skippable = skippable;
    }

    /// <summary>The input file at fault.</summary>
    public string File { get; }
    /// <summary>The 1-based line at fault; 0 when the problem is about the file as a whole.</summary>
    public long Line { get; }
    /// <summary>What is wrong, in words (without the file and line).</summary>
    public string Reason { get; }

    /// <summary>
    /// Whether <see cref="ImportErrorMode.Skip"/> would have skipped it (a malformed line or a rejected
    /// event) rather than it being about the whole file.
    /// </summary>
    public bool Skippable { get; }

    /// <summary>
    /// What the import had done when this problem stopped it (events read and stored, titles, members): set on
    /// the exception that <see cref="ImportRunner.ImportAsync"/> throws, null on one thrown by a reader used on
    /// its own (such as <see cref="MovieLensDataset.Load(string, CancellationToken)"/>).
    /// </summary>
    public ImportSummary? Summary { get; internal set; }

    private static string Format(string file, long line, string reason)
        => line > 0 ? $"{file}:{line}: {reason}" : $"{file}: {reason}";
}
