namespace Encore.Ingestion.Importers;

/// <summary>What an importer does with a malformed line.</summary>
public enum ImportErrorMode
{
    /// <summary>Stop at the first malformed line with an <see cref="ImportException"/>.</summary>
    Stop = 0,
    /// <summary>Skip malformed lines, count them, and keep the first few for the summary.</summary>
    Skip = 1,
}

/// <summary>Options shared by every importer.</summary>
public sealed record ImportOptions
{
    /// <summary>The defaults: stop at the first problem, batches of 5,000 events.</summary>
    public static readonly ImportOptions Default = new();

    /// <summary>What a malformed line or a rejected event does: stop the import (the default) or be skipped and counted.</summary>
    public ImportErrorMode OnError { get; init; } = ImportErrorMode.Stop;

    /// <summary>Events sent to the ingestion pipeline per call.</summary>
    public int BatchSize { get; init; } = 5_000;

    /// <summary>How many skipped lines are kept, with their reasons, for the summary (all are counted).</summary>
    public int MaxReportedSkips { get; init; } = 20;
}
