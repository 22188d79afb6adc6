using System.Text;
using System.Text.Unicode;

namespace Encore.Ingestion.Importers;

/// <summary>The text encodings the importers read.</summary>
internal enum TextEncoding
{
    /// <summary>UTF-8, strictly: an invalid byte sequence is an error naming the line, never a silent '?'.</summary>
    Utf8,
    /// <summary>ISO-8859-1, as the MovieLens 100K and 1M files are written; every byte is a character.</summary>
    Latin1,
}

/// <summary>
/// The line cursor of every line-based importer (JSON Lines, the MovieLens .dat and 100K files): reads a
/// file line by line as raw bytes, then decodes one line at a time, so that an encoding error is reported at
/// its exact line (a StreamReader decodes whole buffers and loses the line). Accepts LF and CRLF line ends
/// and a UTF-8 byte order mark; rejects UTF-16 files with a clear reason. <see cref="TryReadDataLine"/> and
/// <see cref="TryReadText"/> hand out the non-blank lines, checking cancellation as they go. Spans returned
/// stay valid until the next call.
/// </summary>
internal sealed class LineReader : IDisposable
{
    /// <summary>Longest line accepted; anything longer is a broken file rather than data.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    private const int CancellationCheckMask = 0xFFF;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly TextEncoding _encoding;
    private byte[] _bytes = new byte[64 * 1024];
    private char[] _chars = new char[1024];
    private int _start;
    private long _consumedBeforeBuffer;
    private int _end;
    private bool _eof;
    private bool _firstRead = true;

    public LineReader(string path, TextEncoding encoding)
    {
        Path = path;
        _encoding = encoding;
        try
        {
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportException(path, 0, $"cannot open the file: {e.Message}", e);
        }
    }

    public string Path { get; }

    /// <summary>Size of the file in bytes.</summary>
    public long Length => _stream.Length;

    /// <summary>Bytes of the file handed out as lines so far (for progress).</summary>
    public long BytesConsumed => _consumedBeforeBuffer + _start;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Reads the next line's bytes, without its line end.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int newline = _bytes.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = TrimCarriageReturn(_bytes.AsSpan(_start, newline));
                _start += newline + 1;
                LineNumber++;
                return true;
            }
            if (_eof)
            {
                if (_end > _start)
                {
                    line = TrimCarriageReturn(_bytes.AsSpan(_start, _end - _start));
                    _start = _end;
                    LineNumber++;
                    return true;
                }
                line = default;
                return false;
            }
            Fill();
        }
    }

    /// <summary>The next line that is not blank (spaces and tabs only), as bytes.</summary>
    public bool TryReadDataLine(CancellationToken ct, out ReadOnlySpan<byte> line)
    {
        while (TryReadLine(out line))
        {
            if ((LineNumber & CancellationCheckMask) == 0) ct.ThrowIfCancellationRequested();
            if (!line.Trim(" \t"u8).IsEmpty) return true;
        }
        return false;
    }

    /// <summary>
    /// The next line that is not blank, decoded; one that cannot be decoded is reported to
    /// <paramref name="skips"/> at its line (which throws under Stop) and passed over.
    /// </summary>
    public bool TryReadText(SkippedLines skips, CancellationToken ct, out ReadOnlySpan<char> line)
    {
        while (TryReadLine(out ReadOnlySpan<byte> bytes))
        {
            if ((LineNumber & CancellationCheckMask) == 0) ct.ThrowIfCancellationRequested();
            ReadOnlySpan<char> text;
            try
            {
                text = Decode(bytes);
            }
            catch (MalformedLineException e)
            {
                skips.Report(Path, LineNumber, e.Reason);
                continue;
            }
            if (text.IsWhiteSpace()) continue;
            line = text;
            return true;
        }
        line = default;
        return false;
    }

    /// <summary>Reads the next line decoded to characters.</summary>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        if (!TryReadLine(out ReadOnlySpan<byte> bytes))
        {
            line = default;
            return false;
        }
        line = Decode(bytes);
        return true;
    }

    /// <summary>Decodes one line; an invalid UTF-8 sequence is a <see cref="MalformedLineException"/>.</summary>
    public ReadOnlySpan<char> Decode(ReadOnlySpan<byte> bytes)
    {
        if (_chars.Length < bytes.Length) _chars = new char[Math.Max(bytes.Length, _chars.Length * 2)];
        if (_encoding == TextEncoding.Latin1)
        {
            int n = Encoding.Latin1.GetChars(bytes, _chars);
            return _chars.AsSpan(0, n);
        }
        if (!Utf8.IsValid(bytes)) throw new MalformedLineException(DescribeInvalidUtf8(bytes));
        int count = StrictUtf8.GetChars(bytes, _chars);
        return _chars.AsSpan(0, count);
    }

    /// <summary>Says where and what the first invalid UTF-8 sequence of <paramref name="bytes"/> is.</summary>
    public static string DescribeInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        while (offset < bytes.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed);
            if (status != System.Buffers.OperationStatus.Done) return InvalidUtf8Reason(bytes[offset], offset + 1);
            offset += consumed;
        }
        return "invalid UTF-8";
    }

    /// <summary>The reason for a line whose first invalid UTF-8 byte is <paramref name="bad"/>, at 1-based <paramref name="column"/> of the line's bytes.</summary>
    public static string InvalidUtf8Reason(byte bad, long column)
        => $"invalid UTF-8: byte 0x{bad:X2} at byte {column} of the line (the file must be UTF-8; was it saved as Latin-1 or Windows-1252?)";

    /// <summary>
    /// Finds the first line of a file that is not valid UTF-8, for readers (such as Sep's) that only learn
    /// of the problem from a decoder exception somewhere in a buffer.
    /// </summary>
    public static ImportException? FindInvalidUtf8(string path, CancellationToken ct)
    {
        using var reader = new LineReader(path, TextEncoding.Utf8);
        while (reader.TryReadLine(out ReadOnlySpan<byte> bytes))
        {
            if ((reader.LineNumber & 0xFFF) == 0) ct.ThrowIfCancellationRequested();
            if (!Utf8.IsValid(bytes)) return new ImportException(path, reader.LineNumber, DescribeInvalidUtf8(bytes));
        }
        return null;
    }

    private static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> line)
        => line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private void Fill()
    {
        if (_start > 0)
        {
            _bytes.AsSpan(_start, _end - _start).CopyTo(_bytes);
            _consumedBeforeBuffer += _start;
            _end -= _start;
            _start = 0;
        }
        if (_end == _bytes.Length)
        {
            if (_bytes.Length >= MaxLineBytes)
                throw new ImportException(Path, LineNumber + 1, $"line longer than {MaxLineBytes / (1024 * 1024)} MiB; is this a text file with line breaks?");
            Array.Resize(ref _bytes, Math.Min(MaxLineBytes, _bytes.Length * 2));
        }
        int read = _stream.Read(_bytes, _end, _bytes.Length - _end);
        if (read == 0) _eof = true;
        _end += read;
        if (_firstRead)
        {
            _firstRead = false;
            CheckByteOrderMark();
        }
    }

    private void CheckByteOrderMark()
    {
        var head = _bytes.AsSpan(0, _end);
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            if (_encoding == TextEncoding.Utf8) _start = 3;
            return;
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            throw new ImportException(Path, 1, "the file is UTF-16 encoded; save it as UTF-8");
    }

    public void Dispose() => _stream.Dispose();
}
