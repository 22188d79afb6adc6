using System.Text;
using System.Text.Unicode;
using Encore.Ingestion.Importers;
using Xunit;

namespace Encore.Ingestion.Tests.Importers;

/// <summary>
/// The stream that checks UTF-8 between a CSV file and its decoder: what it hands on must decode strictly,
/// and it must name exactly the lines (as Sep counts them: LF, CRLF or a lone CR) that are not UTF-8, with the
/// reason a line-by-line check gives, however the reads cut the bytes.
/// </summary>
public sealed class Utf8CheckingStreamTests
{
    private static readonly byte[][] Valid =
    [
        "a"u8.ToArray(), "b"u8.ToArray(), "7"u8.ToArray(), ","u8.ToArray(), " "u8.ToArray(), "\""u8.ToArray(),
        "é"u8.ToArray(), "€"u8.ToArray(), "\U0001F3AC"u8.ToArray(),
        // U+FFFD written on purpose is text like any other, not a sign of damage.
        "\uFFFD"u8.ToArray(),
        "\n"u8.ToArray(), "\r\n"u8.ToArray(), "\r"u8.ToArray(),
    ];

    private static readonly byte[][] Invalid =
    [
        [0xE9],                   // Latin-1 é
        [0xFF],
        [0x80],                   // a continuation byte alone
        [0xC0, 0x80],             // overlong NUL
        [0xED, 0xA0, 0x80],       // an encoded surrogate
        [0xF4, 0x90, 0x80, 0x80], // beyond U+10FFFF
        [0xE2, 0x82],             // cut short (followed by whatever comes next)
        [0xF0, 0x9F, 0x8E],       // cut short
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Random_text_is_checked_exactly_whatever_the_reads(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 40; round++)
        {
            var input = new List<byte>();
            bool bom = random.Next(4) == 0;
            if (bom) input.AddRange([0xEF, 0xBB, 0xBF]);
            int pieces = random.Next(0, 400);
            for (int i = 0; i < pieces; i++)
                input.AddRange(random.Next(12) == 0 ? Invalid[random.Next(Invalid.Length)] : Valid[random.Next(Valid.Length)]);
            // Now and then end the file in the middle of a sequence.
            if (random.Next(5) == 0) input.AddRange(Invalid[^1]);
            var bytes = input.ToArray();

            var (output, invalid) = Pass(bytes, random, bufferSize: random.Next(4, 64));

            var body = bom ? bytes[3..] : bytes;
            Assert.Equal(body.Length, output.Length);
            Assert.True(Utf8.IsValid(output), "what the stream hands on must decode strictly");
            var expected = new List<(long, string)>();
            var lines = Lines(body);
            var outLines = Lines(output);
            for (int i = 0; i < lines.Count; i++)
            {
                var line = body.AsSpan(lines[i].Start, lines[i].Length);
                if (Utf8.IsValid(line)) Assert.True(line.SequenceEqual(output.AsSpan(outLines[i].Start, outLines[i].Length)), $"line {i + 1} changed");
                else expected.Add((i + 1, LineReader.DescribeInvalidUtf8(line)));
            }
            Assert.Equal(expected, invalid.Select(b => (b.Line, b.Reason)));
        }
    }

    [Fact]
    public void A_file_of_valid_text_passes_through_unchanged_with_nothing_recorded()
    {
        var bytes = Encoding.UTF8.GetBytes("id,name\r\n1,Amélie\r\n2,\"Léon\nthe professional\"\r\n3,replacement \uFFFD char\r\n");

        var (output, invalid) = Pass(bytes, new Random(1), bufferSize: 5);

        Assert.Equal(bytes, output);
        Assert.Empty(invalid);
    }

    [Fact]
    public void Line_numbers_count_lf_crlf_and_a_lone_cr_as_sep_does()
    {
        byte[] bytes = [.. "h\r1\r\n2\n3\r\r"u8, 0xE9, .. "\n\r\n"u8, 0xE9, (byte)'x', 0xE9, .. "\r"u8];

        var (_, invalid) = Pass(bytes, new Random(2), bufferSize: 4);

        // Lines: h | 1 | 2 | 3 | (empty) | é | (empty) | éxé | (end)
        Assert.Equal([6L, 8], invalid.Select(b => b.Line));
        Assert.Contains("byte 0xE9 at byte 1 of the line", invalid[0].Reason);
    }

    [Fact]
    public void The_column_of_an_invalid_byte_counts_from_its_line_start_across_reads()
    {
        byte[] bytes = [.. "\uFEFF"u8, .. "abc"u8, 0xE9, .. "\n"u8, .. Encoding.ASCII.GetBytes(new string('x', 100)), 0xFF, .. "\n"u8];

        var (_, invalid) = Pass(bytes, new Random(3), bufferSize: 7);

        Assert.Equal([(1L, LineReader.DescribeInvalidUtf8([.. "abc"u8, 0xE9])), (2L, LineReader.DescribeInvalidUtf8([.. Encoding.ASCII.GetBytes(new string('x', 100)), 0xFF]))],
            invalid.Select(b => (b.Line, b.Reason)));
        Assert.Contains("at byte 4 of the line", invalid[0].Reason);
        Assert.Contains("at byte 101 of the line", invalid[1].Reason);
    }

    /// <summary>Sends <paramref name="bytes"/> through the stream in reads of random sizes from an inner stream that also returns random amounts.</summary>
    private static (byte[] Output, List<InvalidUtf8Line> Invalid) Pass(byte[] bytes, Random random, int bufferSize)
    {
        using var stream = new Utf8CheckingStream(new TrickleStream(bytes, random), bufferSize);
        var output = new MemoryStream();
        var invalid = new List<InvalidUtf8Line>();
        var buffer = new byte[16];
        while (true)
        {
            int n = stream.Read(buffer, 0, random.Next(1, buffer.Length + 1));
            if (n == 0) break;
            output.Write(buffer, 0, n);
            while (stream.TryTakeInvalid(long.MaxValue, out var bad)) invalid.Add(bad);
        }
        while (stream.TryTakeInvalid(long.MaxValue, out var bad)) invalid.Add(bad);
        return (output.ToArray(), invalid);
    }

    /// <summary>Line ranges as Sep counts them: a line ends at LF, CRLF or a lone CR; the ending is not part of the line.</summary>
    private static List<(int Start, int Length)> Lines(byte[] bytes)
    {
        var lines = new List<(int, int)>();
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
            {
                lines.Add((start, i - start));
                start = i + 1;
            }
            else if (bytes[i] == '\r')
            {
                lines.Add((start, i - start));
                if (i + 1 < bytes.Length && bytes[i + 1] == '\n') i++;
                start = i + 1;
            }
        }
        lines.Add((start, bytes.Length - start));
        return lines;
    }

    /// <summary>A stream that hands out its bytes a few at a time, as a pipe or a slow disk might.</summary>
    private sealed class TrickleStream(byte[] bytes, Random random) : Stream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, random.Next(1, 9)), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
