using System.Text;
using Encore.Core;
using nietras.SeparatedValues;

namespace Encore.Ingestion.Importers;

/// <summary>
/// The row cursor every CSV importer reads through (events files, MovieLens latest's movies.csv and
/// ratings.csv): Sep over a strict UTF-8 decoder, with a <see cref="Utf8CheckingStream"/> between it and the
/// file. A header naming <c>requiredColumns</c> (in any order; others ignored), quoted fields, CRLF or LF.
/// <see cref="TryReadRow"/> hands out data rows one at a time; a blank row is passed over, and a row with the
/// wrong number of fields or with bytes that are not UTF-8 is malformed: reported to the
/// <see cref="SkippedLines"/> at its line (which throws under Stop), so that every row before it has been
/// handed out and, under Skip, the rows after it still are. An empty file (0 bytes, only blank lines or only
/// a byte order mark) has no header and no rows (<see cref="IsEmpty"/>); a file with content whose first
/// line is not a header naming the required columns, or is not UTF-8, is an error about the file.
/// </summary>
internal sealed class CsvRowReader : IDisposable
{
    private const int BufferSize = 64 * 1024;
    /// <summary>The decoder's byte buffer: small enough that it decodes straight into Sep's buffer (a 64 KiB one
    /// decodes into its own and copies, measurably slower).</summary>
    private const int DecoderBufferSize = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly FileStream _file;
    private readonly Utf8CheckingStream? _utf8;
    private readonly SepReader? _reader;
    private readonly int _columns;

    public CsvRowReader(string path, IReadOnlyList<string> requiredColumns)
    {
        Path = path;
        try
        {
            // Unbuffered: the checking stream reads in 64 KiB chunks of its own.
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportException(path, 0, $"cannot open the file: {e.Message}", e);
        }
        try
        {
            RefuseUtf16(path, _file);
            if (IsBlank(_file))
            {
                IsEmpty = true;
                return;
            }
            _utf8 = new Utf8CheckingStream(_file, BufferSize);
            // The checking stream drops a UTF-8 byte order mark and has refused UTF-16: no detection here, which
            // could otherwise decode a file as UTF-32 on the strength of its first four bytes.
            var text = new StreamReader(_utf8, StrictUtf8, detectEncodingFromByteOrderMarks: false, DecoderBufferSize);
            _reader = OpenSep(path, text);
            CheckHeader(_reader, _utf8, path, requiredColumns);
            _columns = _reader.Header.ColNames.Count;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>Bytes of the file read so far, and in all: the progress measure.</summary>
    public long Position => _file.Position;
    public long Length => _file.Length;

    /// <summary>Whether the file holds nothing but blank lines (or nothing at all): no header, no rows.</summary>
    public bool IsEmpty { get; }

    /// <summary>The header (an empty file has none).</summary>
    public SepReaderHeader Header => _reader?.Header ?? throw new InvalidOperationException($"{Path} is empty: it has no header");

    /// <summary>First line of the row last handed out (1-based): where a problem in it is reported.</summary>
    public long LineNumber => _reader?.Current.LineNumberFrom ?? 0;

    /// <summary>The index of <paramref name="column"/> in the header, or -1 when the header (or the file) lacks it.</summary>
    public int ColumnIndex(string column) => _reader is not null && _reader.Header.TryIndexOf(column, out int index) ? index : -1;

    /// <summary>
    /// The next data row; malformed ones are reported to <paramref name="skips"/> (which throws under Stop) and
    /// passed over. False at the end of the file. The row is valid until the next call.
    /// </summary>
    public bool TryReadRow(SkippedLines skips, CancellationToken ct, out SepReader.Row row)
    {
        if (_reader is null)
        {
            row = default;
            return false;
        }
        var utf8 = _utf8!;
        while (MoveNext(_reader))
        {
            row = _reader.Current;
            if ((row.RowIndex & 0xFFF) == 0) ct.ThrowIfCancellationRequested();
            if (utf8.HasInvalid && TakeInvalid(row.LineNumberFrom, row.LineNumberToExcl) is { } bad)
            {
                skips.Report(Path, bad.Line, bad.Reason);
                continue;
            }
            if (row.ColCount == 1 && row.Span.IsWhiteSpace()) continue;
            if (row.ColCount != _columns)
            {
                skips.Report(Path, row.LineNumberFrom, $"expected {_columns} fields as in the header, found {row.ColCount}"
                    + (row.LineNumberToExcl - row.LineNumberFrom > 1 ? $" (the row runs to line {row.LineNumberToExcl - 1}: is a quote left open?)" : ""));
                continue;
            }
            return true;
        }
        row = default;
        return false;
    }

    /// <summary>The first invalid line among lines from..toExcl (taking any others there too); one before <paramref name="from"/> is the header's.</summary>
    private InvalidUtf8Line? TakeInvalid(long from, long toExcl)
    {
        var utf8 = _utf8!;
        if (!utf8.TryTakeInvalid(toExcl, out var first)) return null;
        while (utf8.TryTakeInvalid(toExcl, out _)) { }
        if (first.Line < from) throw new ImportException(Path, first.Line, "the header is not valid UTF-8: " + first.Reason);
        return first;
    }

    private bool MoveNext(SepReader reader)
    {
        try
        {
            return reader.MoveNext();
        }
        catch (DecoderFallbackException)
        {
            // The checking stream lets no invalid byte through; should one ever pass, stop with its line rather than guess.
            throw LineReader.FindInvalidUtf8(Path, CancellationToken.None) ?? new ImportException(Path, 0, "invalid UTF-8");
        }
    }

    private static SepReader OpenSep(string path, StreamReader text)
    {
        try
        {
            return Sep.New(',').Reader(o => o with { HasHeader = true, Unescape = true, DisableColCountCheck = true }).From(text);
        }
        catch (DecoderFallbackException)
        {
            throw LineReader.FindInvalidUtf8(path, CancellationToken.None) ?? new ImportException(path, 1, "invalid UTF-8");
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            // Sep rejects a header that names a column twice.
            throw new ImportException(path, 1, $"bad header: {UnicodeText.Clip(e.Message, HeaderClipLength)}", e);
        }
    }

    private static void CheckHeader(SepReader reader, Utf8CheckingStream utf8, string path, IReadOnlyList<string> requiredColumns)
    {
        if (utf8.TryTakeInvalid(2, out var bad)) throw new ImportException(path, 1, "the header is not valid UTF-8: " + bad.Reason);
        var header = reader.Header;
        if (header.IsEmpty || (header.ColNames.Count == 1 && string.IsNullOrWhiteSpace(header.ColNames[0])))
            throw new ImportException(path, 1, "line 1 is blank; the first line must be the header naming the columns (" + string.Join(",", requiredColumns) + ")");
        List<string>? missing = null;
        foreach (var column in requiredColumns)
        {
            if (!header.TryIndexOf(column, out _)) (missing ??= []).Add(column);
        }
        if (missing is not null)
            throw new ImportException(path, 1, $"the header lacks {string.Join(", ", missing)} (found: {UnicodeText.Clip(string.Join(",", header.ColNames), HeaderClipLength)})");
    }

    /// <summary>Whether the file holds only spaces, tabs and line ends after an optional UTF-8 byte order mark (reading no further than the first chunk with another byte).</summary>
    private static bool IsBlank(FileStream file)
    {
        var chunk = new byte[4096];
        bool first = true;
        while (true)
        {
            int n = file.Read(chunk, 0, chunk.Length);
            if (n == 0)
            {
                file.Position = 0;
                return true;
            }
            var bytes = chunk.AsSpan(0, n);
            if (first && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
            first = false;
            if (bytes.IndexOfAnyExcept(" \t\r\n"u8) >= 0)
            {
                file.Position = 0;
                return false;
            }
        }
    }

    private static void RefuseUtf16(string path, FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int n = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        if (n == 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
            throw new ImportException(path, 1, "the file is UTF-16 encoded; save it as UTF-8");
    }

    /// <summary>How much of a header (or of Sep's message about one) an error echoes.</summary>
    internal const int HeaderClipLength = 300;

    public void Dispose()
    {
        _reader?.Dispose();
        _utf8?.Dispose();
        _file.Dispose();
    }
}
