using System.Text;
using Encore.Core;
using nietras.SeparatedValues;

namespace Encore.Ingestion.Importers;

/// <summary>
/// Events from a CSV file (read with Sep): a header naming the columns of <see cref="EventFields"/> in any
/// order (unknown columns ignored), quoted fields, CRLF or LF; an empty field is absent;
/// results_shown holds title ids separated by '|'. UTF-8, strictly.
/// </summary>
internal sealed class CsvEventReader : IEventFileReader
{
    private readonly FileStream _stream;
    private readonly SepReader _reader;
    private readonly ViewingEventDraft _draft = new();
    private readonly int[] _columns;

    /// <summary>How much of a header (or of Sep's message about one) an error echoes.</summary>
    internal const int HeaderClipLength = 300;

    public CsvEventReader(string path)
    {
        Path = path;
        try
        {
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportException(path, 0, $"cannot open the file: {e.Message}", e);
        }
        var text = new StreamReader(_stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        try
        {
            _reader = Sep.New(',').Reader(o => o with { HasHeader = true, Unescape = true, DisableColCountCheck = true }).From(text);
        }
        catch (DecoderFallbackException)
        {
            _stream.Dispose();
            throw LineReader.FindInvalidUtf8(path, CancellationToken.None) ?? new ImportException(path, 1, "invalid UTF-8");
        }
        catch (ArgumentException e)
        {
            // Sep rejects a header that names a column twice.
            _stream.Dispose();
            throw new ImportException(path, 1, $"bad header: {UnicodeText.Clip(e.Message, HeaderClipLength)}", e);
        }
        if (_reader.Header.IsEmpty)
        {
            Dispose();
            throw new ImportException(path, 0, "the file is empty; expected a header line naming the columns (" + string.Join(",", EventFields.All) + ")");
        }
        _columns = new int[EventFields.All.Count];
        for (int i = 0; i < _columns.Length; i++)
            _columns[i] = _reader.Header.TryIndexOf(EventFields.All[i], out int index) ? index : -1;
        var missing = EventFields.Required.Where(f => _columns[IndexOf(f)] < 0).ToList();
        if (missing.Count > 0)
        {
            Dispose();
            throw new ImportException(path, 1, $"the header lacks {string.Join(", ", missing)} (found: {UnicodeText.Clip(string.Join(",", _reader.Header.ColNames), HeaderClipLength)})");
        }
    }

    public string Path { get; }
    public long Position => _stream.Position;
    public long Length => _stream.Length;

    public bool ReadBatch(List<ViewingEvent> events, List<long> lines, int max, SkippedLines skipped, CancellationToken ct)
    {
        int read = 0;
        int columnCount = _reader.Header.ColNames.Count;
        try
        {
            while (read < max && _reader.MoveNext())
            {
                var row = _reader.Current;
                if ((row.RowIndex & 0xFFF) == 0) ct.ThrowIfCancellationRequested();
                if (row.ColCount == 1 && row.Span.IsWhiteSpace()) continue;
                try
                {
                    if (row.ColCount != columnCount)
                        throw new MalformedLineException($"expected {columnCount} fields as in the header, found {row.ColCount}"
                            + (row.LineNumberToExcl - row.LineNumberFrom > 1 ? $" (the row runs to line {row.LineNumberToExcl - 1}: is a quote left open?)" : ""));
                    events.Add(Parse(row));
                    lines.Add(row.LineNumberFrom);
                    read++;
                }
                catch (MalformedLineException e)
                {
                    skipped.Report(Path, row.LineNumberFrom, e.Reason);
                }
            }
        }
        catch (DecoderFallbackException)
        {
            throw LineReader.FindInvalidUtf8(Path, ct) ?? new ImportException(Path, 0, "invalid UTF-8");
        }
        return read > 0;
    }

    private ViewingEvent Parse(SepReader.Row row)
    {
        var d = _draft;
        d.Clear();
        for (int i = 0; i < _columns.Length; i++)
        {
            if (_columns[i] < 0) continue;
            var text = row[_columns[i]].Span;
            if (text.IsWhiteSpace()) continue;
            switch (EventFields.All[i])
            {
                case EventFields.EventId: d.EventId = text.ToString(); break;
                case EventFields.Kind: d.Kind = EventFields.ParseKind(text.Trim()); break;
                case EventFields.MemberId: d.MemberId = text.ToString(); break;
                case EventFields.TitleId: d.TitleId = text.ToString(); break;
                case EventFields.EpisodeId: d.EpisodeId = text.ToString(); break;
                case EventFields.Device: d.Device = EventFields.ParseDevice(text); break;
                case EventFields.Timestamp: d.Timestamp = EventFields.ParseTimestamp(text); break;
                case EventFields.SessionId: d.SessionId = text.ToString(); break;
                case EventFields.Position: d.Position = EventFields.ParseNumber(text, EventFields.Position); break;
                case EventFields.Rating: d.Rating = EventFields.ParseNumber(text, EventFields.Rating); break;
                case EventFields.PauseSeconds: d.PauseSeconds = EventFields.ParseNumber(text, EventFields.PauseSeconds); break;
                case EventFields.SeekFrom: d.SeekFrom = EventFields.ParseNumber(text, EventFields.SeekFrom); break;
                case EventFields.Query: d.Query = text.ToString(); break;
                case EventFields.ResultsShown: d.ResultsShown = SplitIds(text); break;
                case EventFields.Row: d.Row = text.ToString(); break;
                case EventFields.RowPosition: d.RowPosition = EventFields.ParseInteger(text, EventFields.RowPosition); break;
                case EventFields.Propensity: d.Propensity = EventFields.ParseNumber(text, EventFields.Propensity); break;
            }
        }
        return d.Build();
    }

    private static List<string> SplitIds(ReadOnlySpan<char> text)
    {
        var ids = new List<string>();
        foreach (var range in text.Split('|'))
        {
            var id = text[range].Trim();
            if (!id.IsEmpty) ids.Add(id.ToString());
        }
        return ids;
    }

    private static int IndexOf(string field)
    {
        for (int i = 0; i < EventFields.All.Count; i++)
            if (EventFields.All[i] == field) return i;
        return -1;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _stream.Dispose();
    }
}
