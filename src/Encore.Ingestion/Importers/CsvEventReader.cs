using Encore.Core;
using nietras.SeparatedValues;

namespace Encore.Ingestion.Importers;

/// <summary>
/// Events from a CSV file (rows through <see cref="CsvRowReader"/>): a header naming the columns of
/// <see cref="EventFields"/> in any order (unknown columns ignored), quoted fields, CRLF or LF; an empty field
/// is absent; results_shown holds title ids separated by '|'. UTF-8, strictly: a row with bytes that are not
/// is malformed at its line, like any other.
/// </summary>
internal sealed class CsvEventReader : IEventFileReader
{
    private readonly CsvRowReader _rows;
    private readonly ViewingEventDraft _draft = new();
    private readonly int[] _columns;

    public CsvEventReader(string path)
    {
        _rows = new CsvRowReader(path, EventFields.Required);
        _columns = new int[EventFields.All.Count];
        for (int i = 0; i < _columns.Length; i++) _columns[i] = _rows.ColumnIndex(EventFields.All[i]);
    }

    public string Path => _rows.Path;
    public long Position => _rows.Position;
    public long Length => _rows.Length;

    public bool ReadBatch(List<ViewingEvent> events, List<long> lines, int max, SkippedLines skipped, CancellationToken ct)
    {
        int read = 0;
        while (read < max && _rows.TryReadRow(skipped, ct, out var row))
        {
            try
            {
                events.Add(Parse(row));
                lines.Add(_rows.LineNumber);
                read++;
            }
            catch (MalformedLineException e)
            {
                skipped.Report(Path, _rows.LineNumber, e.Reason);
            }
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

    public void Dispose() => _rows.Dispose();
}
