using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Encore.Ingestion.Importers;

/// <summary>A line that is not valid UTF-8: its number, and the first bad byte and where it is in the line.</summary>
internal readonly record struct InvalidUtf8Line(long Line, byte Byte, long Column)
{
    /// <summary>The reason, worded as <see cref="LineReader.DescribeInvalidUtf8"/> words it.</summary>
    public string Reason => LineReader.InvalidUtf8Reason(Byte, Column);
}

/// <summary>
/// A read-only stream between a file and a strict UTF-8 decoder (the StreamReader under Sep) that checks
/// the bytes as they pass, so that a bad byte costs its own line rather than the decoder's whole buffer:
/// each invalid sequence is replaced, byte for byte, by '?' (so the decoder never throws and every byte
/// keeps its place), and the line it was on is recorded, with the bad byte and its column. The reader of
/// the rows asks <see cref="TryTakeInvalid"/> whether a row's lines hold one and treats that row as
/// malformed. Lines are counted as Sep counts them (LF, CRLF or a lone CR ends one, quoted or not); a
/// leading UTF-8 byte order mark is dropped. Text that is valid, a written U+FFFD included, passes
/// unchanged: the check is System.Text.Unicode.Utf8.IsValid on each chunk, with a sequence cut by the end
/// of a read held back until the next one.
/// </summary>
internal sealed class Utf8CheckingStream : Stream
{
    private const byte Replacement = (byte)'?';

    private readonly Stream _inner;
    private readonly byte[] _buffer;
    private readonly Queue<InvalidUtf8Line> _invalid = new();
    // _buffer[_start.._checked) is checked and waits to be read; [_checked.._end) is the start of a sequence
    // cut by the end of the last read, decided when its next bytes come.
    private int _start;
    private int _checked;
    private int _end;
    private bool _eof;
    private bool _started;
    /// <summary>File position of _buffer[0].</summary>
    private long _bufferOffset;
    /// <summary>Line of the next byte to check, and the file position where that line starts.</summary>
    private long _line = 1;
    private long _lineStart;
    /// <summary>The last byte checked was a CR: it ends a line unless an LF follows.</summary>
    private bool _carriageReturn;
    private long _lastInvalidLine;

    public Utf8CheckingStream(Stream inner, int bufferSize = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 4);
        _inner = inner;
        _buffer = new byte[bufferSize];
    }

    /// <summary>Whether any line not yet taken was invalid (a cheap test for the row loop).</summary>
    public bool HasInvalid => _invalid.Count > 0;

    /// <summary>Takes the first recorded invalid line before <paramref name="beforeLine"/>, if there is one.</summary>
    public bool TryTakeInvalid(long beforeLine, out InvalidUtf8Line line)
    {
        if (_invalid.TryPeek(out line) && line.Line < beforeLine)
        {
            _invalid.Dequeue();
            return true;
        }
        line = default;
        return false;
    }

    public override int Read(Span<byte> destination)
    {
        if (destination.IsEmpty) return 0;
        while (_start == _checked)
        {
            if (!Fill()) return 0;
        }
        int n = Math.Min(destination.Length, _checked - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    /// <summary>Reads more of the file and checks it; false once the file is exhausted and everything is handed out.</summary>
    private bool Fill()
    {
        if (_eof) return false;
        // Only the held-back tail (under 4 bytes) is left: move it to the front.
        int tail = _end - _start;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, tail).CopyTo(_buffer);
            _bufferOffset += _start;
            _checked -= _start;
            _end -= _start;
            _start = 0;
        }
        int read = _inner.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
            // A sequence cut by the end of the file is invalid.
            Check(final: true);
            return _checked > _start;
        }
        _end += read;
        if (!_started)
        {
            ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
            var head = _buffer.AsSpan(0, _end);
            // Wait for three bytes before deciding whether the file opens with a byte order mark.
            if (head.Length < bom.Length && bom.StartsWith(head)) return true;
            _started = true;
            if (head.StartsWith(bom)) _start = _checked = 3;
            _lineStart = _start;
        }
        Check(final: false);
        return true;
    }

    /// <summary>Checks _buffer[_checked.._end), leaving a sequence cut by the end of the read for later unless <paramref name="final"/>.</summary>
    private void Check(bool final)
    {
        _started = true;
        int from = _checked;
        var span = _buffer.AsSpan(from, _end - from);
        int complete = final ? span.Length : span.Length - CutSequenceLength(span);
        var head = span[..complete];
        if (Utf8.IsValid(head))
        {
            CountLines(head, from);
            _checked = from + complete;
            return;
        }
        // Rare: walk the chunk, replacing each invalid sequence and recording its line.
        int i = 0, counted = 0;
        while (i < head.Length)
        {
            int nonAscii = head[i..].IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
            if (nonAscii < 0) break;
            i += nonAscii;
            var status = Rune.DecodeFromUtf8(head[i..], out _, out int consumed);
            consumed = Math.Max(consumed, 1);
            if (status == OperationStatus.Done)
            {
                i += consumed;
                continue;
            }
            // InvalidData, or NeedMoreData: a sequence cut short, either by the end of the file or (at the
            // end of head) by the lead byte held back after it, which no continuation byte can be.
            CountLines(head[counted..i], from + counted);
            Record(head[i], _bufferOffset + from + i);
            head.Slice(i, consumed).Fill(Replacement);
            i += consumed;
            counted = i;
        }
        CountLines(head[counted..complete], from + counted);
        _checked = from + complete;
    }

    /// <summary>How many bytes at the end of <paramref name="span"/> begin a sequence that needs more bytes than are there.</summary>
    private static int CutSequenceLength(ReadOnlySpan<byte> span)
    {
        for (int k = 1; k <= 3 && k <= span.Length; k++)
        {
            byte b = span[^k];
            if (b < 0x80) return 0;
            if (b >= 0xC0)
            {
                int need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                return need > k ? k : 0;
            }
        }
        return 0;
    }

    /// <summary>Advances the line count over checked bytes; <paramref name="index"/> is where they start in the buffer.</summary>
    private void CountLines(ReadOnlySpan<byte> span, int index)
    {
        if (span.IsEmpty) return;
        long position = _bufferOffset + index;
        if (_carriageReturn)
        {
            _carriageReturn = false;
            if (span[0] != (byte)'\n') NewLine(position);
        }
        int lf = span.Count((byte)'\n');
        if (lf > 0)
        {
            _line += lf;
            _lineStart = position + span.LastIndexOf((byte)'\n') + 1;
        }
        int cr = span.IndexOf((byte)'\r');
        while (cr >= 0)
        {
            if (cr == span.Length - 1)
            {
                _carriageReturn = true;
                break;
            }
            if (span[cr + 1] != (byte)'\n') NewLine(position + cr + 1);
            int next = span[(cr + 1)..].IndexOf((byte)'\r');
            cr = next < 0 ? -1 : cr + 1 + next;
        }
    }

    private void NewLine(long start)
    {
        _line++;
        if (start > _lineStart) _lineStart = start;
    }

    private void Record(byte bad, long position)
    {
        if (_carriageReturn)
        {
            // A bad byte is never an LF: the CR before it ended a line.
            _carriageReturn = false;
            NewLine(position);
        }
        if (_line == _lastInvalidLine) return;
        _lastInvalidLine = _line;
        _invalid.Enqueue(new InvalidUtf8Line(_line, bad, position - _lineStart + 1));
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
