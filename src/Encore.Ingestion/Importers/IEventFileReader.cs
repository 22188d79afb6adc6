using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// Pulls events out of one file a batch at a time (synchronously: the readers hold spans that cannot live
/// across an await), each with the line it came from so that a rejection can be reported as file:line.
/// </summary>
internal interface IEventFileReader : IDisposable
{
    string Path { get; }

    /// <summary>Bytes of the file consumed so far, and in all: the progress measure.</summary>
    long Position { get; }
    long Length { get; }

    /// <summary>
    /// Appends up to <paramref name="max"/> events to <paramref name="events"/> (and their line numbers to
    /// <paramref name="lines"/>); malformed lines go to <paramref name="skipped"/>, which throws under Stop
    /// (events read before the bad line stay in the lists). Returns false once the file is exhausted.
    /// </summary>
    bool ReadBatch(List<ViewingEvent> events, List<long> lines, int max, SkippedLines skipped, CancellationToken ct);
}
