using System.Text;
using Encore.Core;
using nietras.SeparatedValues;

namespace Encore.Ingestion.Importers;

/// <summary>Handles one line's text; throws <see cref="MalformedLineException"/> when it is malformed.</summary>
internal delegate void LineHandler(ReadOnlySpan<char> line);

/// <summary>Handles one CSV row; throws <see cref="MalformedLineException"/> when it is malformed.</summary>
internal delegate void CsvRowHandler(SepReader.Row row);

/// <summary>
/// The read loops every importer shares: line by line (or CSV row by row), malformed ones reported at
/// file:line to a <see cref="SkippedLines"/>, blank lines ignored, cancellation checked as it goes.
/// </summary>
internal static class TextFiles
{
    private const int CancellationCheckInterval = 4096;

    /// <summary>Calls <paramref name="handle"/> for every non-blank line; returns the number of lines handled.</summary>
    public static long ForEachLine(string path, TextEncoding encoding, SkippedLines skips, CancellationToken ct,
        LineHandler handle)
    {
        using var reader = new LineReader(path, encoding);
        long handled = 0;
        while (reader.TryReadLine(out ReadOnlySpan<byte> bytes))
        {
            if (reader.LineNumber % CancellationCheckInterval == 0) ct.ThrowIfCancellationRequested();
            try
            {
                var line = reader.Decode(bytes);
                if (line.IsWhiteSpace()) continue;
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
    /// Opens a CSV file with a header through Sep (quoted fields, commas inside quotes, CRLF), decoding
    /// UTF-8 strictly, checks the header has <paramref name="requiredColumns"/>, and calls
    /// <paramref name="handle"/> for every data row. An invalid UTF-8 byte stops the file with its line.
    /// </summary>
    public static long ForEachCsvRow(string path, IReadOnlyList<string> requiredColumns, SkippedLines skips,
        CancellationToken ct, Action<SepReaderHeader> onHeader, CsvRowHandler handle)
    {
        var strictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        StreamReader text;
        try
        {
            text = new StreamReader(path, strictUtf8, detectEncodingFromByteOrderMarks: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportException(path, 0, $"cannot open the file: {e.Message}", e);
        }

        long handled = 0;
        try
        {
            using var reader = Sep.New(',').Reader(o => o with
            {
                HasHeader = true,
                Unescape = true,
                DisableColCountCheck = true,
            }).From(text);
            if (reader.Header.IsEmpty)
                throw new ImportException(path, 0, "the file is empty; expected a header line naming the columns");
            foreach (var column in requiredColumns)
            {
                if (!reader.Header.TryIndexOf(column, out _))
                    throw new ImportException(path, 1, $"the header has no '{column}' column (found: {UnicodeText.Clip(string.Join(",", reader.Header.ColNames), CsvEventReader.HeaderClipLength)})");
            }
            onHeader(reader.Header);
            int columns = reader.Header.ColNames.Count;
            foreach (var row in reader)
            {
                if (row.RowIndex % CancellationCheckInterval == 0) ct.ThrowIfCancellationRequested();
                if (row.ColCount == 1 && row.Span.IsWhiteSpace()) continue;
                try
                {
                    if (row.ColCount != columns)
                        throw new MalformedLineException($"expected {columns} fields as in the header, found {row.ColCount}"
                            + (row.LineNumberToExcl - row.LineNumberFrom > 1 ? $" (the row runs to line {row.LineNumberToExcl - 1}: is a quote left open?)" : ""));
                    handle(row);
                    handled++;
                }
                catch (MalformedLineException e)
                {
                    skips.Report(path, row.LineNumberFrom, e.Reason);
                }
            }
        }
        catch (DecoderFallbackException)
        {
            throw LineReader.FindInvalidUtf8(path, ct) ?? new ImportException(path, 0, "invalid UTF-8");
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            // Sep rejects a header that names a column twice.
            throw new ImportException(path, 1, $"bad header: {UnicodeText.Clip(e.Message, CsvEventReader.HeaderClipLength)}", e);
        }
        finally
        {
            text.Dispose();
        }
        return handled;
    }
}
