using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>Events from a JSON Lines file: one JSON object per line, keys as in <see cref="EventFields"/>.</summary>
internal sealed class JsonLinesEventReader : IEventFileReader
{
    private readonly LineReader _lines;
    private readonly ViewingEventJson _parser = new();

    public JsonLinesEventReader(string path) => _lines = new LineReader(path, TextEncoding.Utf8);

    public string Path => _lines.Path;
    public long Position => _lines.BytesConsumed;
    public long Length => _lines.Length;

    public bool ReadBatch(List<ViewingEvent> events, List<long> lines, int max, SkippedLines skipped, CancellationToken ct)
    {
        int read = 0;
        while (read < max && _lines.TryReadDataLine(ct, out ReadOnlySpan<byte> line))
        {
            try
            {
                events.Add(_parser.Parse(line));
                lines.Add(_lines.LineNumber);
                read++;
            }
            catch (MalformedLineException e)
            {
                skipped.Report(Path, _lines.LineNumber, e.Reason);
            }
        }
        return read > 0;
    }

    public void Dispose() => _lines.Dispose();
}
