namespace Encore.Ingestion.Importers;

/// <summary>
/// Collects malformed lines: under <see cref="ImportErrorMode.Stop"/> the first one is thrown; under
/// <see cref="ImportErrorMode.Skip"/> every one is counted and the first few are kept for the summary.
/// </summary>
public sealed class SkippedLines
{
    private readonly List<ImportException> _examples = [];
    private readonly ImportErrorMode _mode;
    private readonly int _maxExamples;

    /// <summary>A counter that follows <paramref name="options"/>' error mode (the defaults where null).</summary>
    public SkippedLines(ImportOptions? options = null)
    {
        options ??= ImportOptions.Default;
        _mode = options.OnError;
        _maxExamples = Math.Max(0, options.MaxReportedSkips);
    }

    /// <summary>Number of lines skipped.</summary>
    public int Count { get; private set; }

    /// <summary>The first skipped lines, with their reasons.</summary>
    public IReadOnlyList<ImportException> Examples => _examples;

    /// <summary>Records a malformed line, or throws it when the mode is Stop.</summary>
    public void Report(string file, long line, string reason)
    {
        var problem = new ImportException(file, line, reason, skippable: true);
        if (_mode == ImportErrorMode.Stop) throw problem;
        Count++;
        if (_examples.Count < _maxExamples) _examples.Add(problem);
    }

    /// <summary>Adds the lines another collector skipped (e.g. one per file of a folder).</summary>
    public void AddFrom(SkippedLines other)
    {
        Count += other.Count;
        foreach (var e in other._examples)
            if (_examples.Count < _maxExamples) _examples.Add(e);
    }
}
