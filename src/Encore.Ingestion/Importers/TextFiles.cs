using nietras.SeparatedValues;

namespace Encore.Ingestion.Importers;

/// <summary>Handles one line's text; throws <see cref="MalformedLineException"/> when it is malformed.</summary>
internal delegate void LineHandler(ReadOnlySpan<char> line);

/// <summary>Handles one CSV row; throws <see cref="MalformedLineException"/> when it is malformed.</summary>
internal delegate void CsvRowHandler(SepReader.Row row);

/// <summary>
/// The push loops of the catalogue readers, over the same cursors the pull readers use
/// (<see cref="LineReader"/>, <see cref="CsvRowReader"/>): line by line (or CSV row by row), malformed ones
/// reported at file:line to a <see cref="SkippedLines"/>, blank lines ignored, cancellation checked as it goes.
/// </summary>
internal static class TextFiles
{
    /// <summary>Calls <paramref name="handle"/> for every non-blank line; returns the number of lines handled.</summary>
    public static long ForEachLine(string path, TextEncoding encoding, SkippedLines skips, CancellationToken ct,
        LineHandler handle)
    {
        using var reader = new LineReader(path, encoding);
        long handled = 0;
        while (reader.TryReadText(skips, ct, out var line))
        {
            try
            {
                handle(line);
                handled++;
            }
            catch (MalformedLineException e)
            {
                skips.Report(path, reader.LineNumber, e.Reason);
            }
        }
        return handled;
    }

    /// <summary>
    /// Calls <paramref name="handle"/> for every data row of a CSV file with a header naming
    /// <paramref name="requiredColumns"/> (read through <see cref="CsvRowReader"/>: quoted fields, CRLF, strict
    /// UTF-8 with a bad row malformed at its line); returns the number of rows handled. An empty file has none
    /// (and no header for <paramref name="onHeader"/>).
    /// </summary>
    public static long ForEachCsvRow(string path, IReadOnlyList<string> requiredColumns, SkippedLines skips,
        CancellationToken ct, Action<SepReaderHeader> onHeader, CsvRowHandler handle)
    {
        using var reader = new CsvRowReader(path, requiredColumns);
        if (reader.IsEmpty) return 0;
        onHeader(reader.Header);
        long handled = 0;
        while (reader.TryReadRow(skips, ct, out var row))
        {
            try
            {
                handle(row);
                handled++;
            }
            catch (MalformedLineException e)
            {
                skips.Report(path, reader.LineNumber, e.Reason);
            }
        }
        return handled;
    }
}
