using System.Globalization;
using System.Text;
using Encore.Core;
using Encore.Ingestion.Importers;
using nietras.SeparatedValues;

namespace Encore.Evaluation.Interactions;

/// <summary>Where each column of an interactions file is (-1: absent), and whether its first line is a header.</summary>
public sealed record InteractionsLayout(bool HasHeader, char Separator, int Columns, int User, int Item, int Weight, int Timestamp)
{
    public bool HasWeight => Weight >= 0;
    public bool HasTimestamp => Timestamp >= 0;

    /// <summary>"user,item,weight,timestamp (header)": what the reader took the file to hold.</summary>
    public string Describe()
    {
        var columns = new List<string>(4) { "user", "item" };
        if (HasWeight) columns.Add("weight");
        if (HasTimestamp) columns.Add("timestamp");
        return string.Join(Separator == '\t' ? "\\t" : Separator.ToString(), columns) + (HasHeader ? " (header)" : " (no header)");
    }
}

/// <summary>One line of an interactions file: valid until the next <see cref="InteractionsReader.TryRead"/>.</summary>
internal readonly ref struct InteractionLine
{
    public InteractionLine(ReadOnlySpan<char> user, ReadOnlySpan<char> item, float weight, long unixSeconds, long line)
    {
        User = user;
        Item = item;
        Weight = weight;
        UnixSeconds = unixSeconds;
        Line = line;
    }

    public ReadOnlySpan<char> User { get; }
    public ReadOnlySpan<char> Item { get; }
    /// <summary>The weight column's value, 1 where the file has none.</summary>
    public float Weight { get; }
    /// <summary>The timestamp column's value in Unix seconds, 0 where the file has none.</summary>
    public long UnixSeconds { get; }
    /// <summary>The line it starts on (1-based).</summary>
    public long Line { get; }
}

/// <summary>
/// Reads a plain interactions file, <c>user,item[,weight][,timestamp]</c>: the P-SCALE file of
/// ../shared/tools/gen_synth.py and of `encore simulate --export-interactions`, a split exported by another
/// library, or a MovieLens <c>u.data</c>-like file. The rules:
/// <list type="bullet">
/// <item>Separator: a comma, else a tab, else a semicolon, whichever the first line holds first in that order; fields may be quoted (Sep).</item>
/// <item>Header: the first line is a header when one of its fields is a known column name (case, '_', '-' and spaces
/// ignored): user <c>user, userid, member, memberid, uid</c>; item <c>item, itemid, title, titleid, movie, movieid, iid</c>;
/// weight <c>weight, rating, value, count, plays, score, confidence</c>; timestamp <c>timestamp, time, ts, datetime, unixtime, date</c>.
/// A header must name a user and an item column; it may list them in any order and name other columns, which are ignored.</item>
/// <item>Without a header the columns are positional: 2 fields user,item; 3 user,item,weight; 4 or more user,item,weight,timestamp (the rest ignored).</item>
/// <item>Every line has the first line's number of fields. Ids are trimmed and may not be empty; a weight is a finite
/// number; a timestamp is Unix seconds (digits, optionally a fraction) or ISO 8601 date-time text (UTC unless it says otherwise).</item>
/// <item>Blank lines are passed over. The file is UTF-8 (a byte order mark is dropped).</item>
/// </list>
/// Every problem is an <see cref="ImportException"/> naming <c>file:line</c>. Rows are handed out one at a time as
/// spans: the reader allocates nothing per line.
/// </summary>
internal sealed class InteractionsReader : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly string[] UserNames = ["user", "userid", "member", "memberid", "uid"];
    private static readonly string[] ItemNames = ["item", "itemid", "title", "titleid", "movie", "movieid", "iid"];
    private static readonly string[] WeightNames = ["weight", "rating", "value", "count", "plays", "score", "confidence"];
    private static readonly string[] TimestampNames = ["timestamp", "time", "ts", "datetime", "unixtime", "date"];

    private readonly StreamReader? _text;
    private readonly SepReader? _reader;
    private bool _pendingFirst;

    public InteractionsReader(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
        if (Directory.Exists(path)) throw new ImportException(path, 0, "is a folder; an interactions file was expected");
        if (!File.Exists(path)) throw new ImportException(path, 0, "no such file");
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            Length = stream.Length;
            _text = new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportException(path, 0, $"cannot open the file: {e.Message}", e);
        }
        try
        {
            char separator = SniffSeparator(path);
            _reader = Open(separator, _text);
            Layout = ReadLayout(separator);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>The file's size in bytes.</summary>
    public long Length { get; }

    /// <summary>The columns the file holds; <see cref="InteractionsLayout.Columns"/> is 0 for an empty file.</summary>
    public InteractionsLayout Layout { get; } = new(false, ',', 0, -1, -1, -1, -1);

    /// <summary>The next interaction, or false at the end of the file.</summary>
    /// <exception cref="ImportException">A malformed line (file:line: reason).</exception>
    public bool TryRead(out InteractionLine line)
    {
        var reader = _reader;
        while (reader is not null && (_pendingFirst || MoveNext(reader)))
        {
            _pendingFirst = false;
            var row = reader.Current;
            if (row.ColCount == 1 && row.Span.IsWhiteSpace()) continue;
            line = Parse(row);
            return true;
        }
        line = default;
        return false;
    }

    private InteractionLine Parse(SepReader.Row row)
    {
        var layout = Layout;
        long number = LineOf(row);
        if (row.ColCount != layout.Columns)
            throw new ImportException(Path, number, $"expected {layout.Columns} fields as on the first line ({layout.Describe()}), found {row.ColCount}"
                + (row.LineNumberToExcl - number > 1 ? $" (the row runs to line {row.LineNumberToExcl - 1}: is a quote left open?)" : ""));
        var user = Id(row[layout.User].Span, "user", number);
        var item = Id(row[layout.Item].Span, "item", number);
        float weight = 1f;
        if (layout.Weight >= 0)
        {
            var text = row[layout.Weight].Span.Trim();
            if (TryParseDigits(text, out long whole)) weight = whole;
            else if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || !float.IsFinite(weight))
                throw new ImportException(Path, number, $"weight {UnicodeText.Quote(text)} is not a finite number");
        }
        long time = layout.Timestamp >= 0 ? ParseTimestamp(row[layout.Timestamp].Span, number) : 0;
        return new InteractionLine(user, item, weight, time, number);
    }

    /// <summary>
    /// Plain digits (at most 18) as a number: the common case of a weight or a timestamp, parsed without the general
    /// number parser, which costs several times more per line.
    /// </summary>
    internal static bool TryParseDigits(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 18) return false;
        foreach (char ch in text)
        {
            uint d = (uint)(ch - '0');
            if (d > 9) return false;
            value = value * 10 + d;
        }
        return true;
    }

    /// <summary>The line a row starts on. (Sep 0.17 without a header numbers its first row's start 2: the first row starts on line 1.)</summary>
    private static long LineOf(SepReader.Row row) => row.RowIndex == 0 ? 1 : row.LineNumberFrom;

    private ReadOnlySpan<char> Id(ReadOnlySpan<char> text, string column, long line)
    {
        text = text.Trim();
        if (text.IsEmpty) throw new ImportException(Path, line, $"the {column} id is empty");
        return text;
    }

    /// <summary>Unix seconds (digits with an optional fraction, floored) or ISO 8601 text, as whole Unix seconds.</summary>
    private long ParseTimestamp(ReadOnlySpan<char> text, long line)
    {
        text = text.Trim();
        if (TryParseDigits(text, out long digits)) return digits;
        if (text.IsEmpty) throw new ImportException(Path, line, "the timestamp is empty");
        if ((char.IsAsciiDigit(text[0]) || text[0] == '-') && !text[1..].ContainsAny('-', ':', 'T'))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds)) return seconds;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double fractional) && double.IsFinite(fractional)
                && Math.Abs(fractional) < 1e15)
                return (long)Math.Floor(fractional);
            throw new ImportException(Path, line, $"timestamp {UnicodeText.Quote(text)} is neither Unix seconds nor ISO 8601");
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var time))
            throw new ImportException(Path, line, $"timestamp {UnicodeText.Quote(text)} is neither Unix seconds nor ISO 8601 (e.g. 2024-05-01T20:15:00Z)");
        return time.ToUnixTimeSeconds();
    }

    private InteractionsLayout ReadLayout(char separator)
    {
        var reader = _reader!;
        while (MoveNext(reader))
        {
            var row = reader.Current;
            if (row.ColCount == 1 && row.Span.IsWhiteSpace()) continue;
            long line = LineOf(row);
            int columns = row.ColCount;
            int user = -1, item = -1, weight = -1, timestamp = -1;
            bool header = false;
            for (int c = 0; c < columns; c++)
            {
                var role = Role(row[c].Span);
                if (role is null) continue;
                header = true;
                ref int slot = ref role == "user" ? ref user : ref role == "item" ? ref item : ref role == "weight" ? ref weight : ref timestamp;
                if (slot >= 0)
                    throw new ImportException(Path, line, $"the header names a {role} column twice ({UnicodeText.Quote(row[slot].Span)} and {UnicodeText.Quote(row[c].Span)})");
                slot = c;
            }
            if (header)
            {
                if (user < 0 || item < 0)
                    throw new ImportException(Path, line, $"the header {UnicodeText.Quote(row.Span)} lacks {(user < 0 ? "a user" : "an item")} column "
                        + $"(a user column is one of {string.Join(", ", UserNames)}; an item column one of {string.Join(", ", ItemNames)})");
                return new InteractionsLayout(true, separator, columns, user, item, weight, timestamp);
            }
            if (columns < 2)
                throw new ImportException(Path, line, $"{UnicodeText.Quote(row.Span)} has {columns} field; an interactions line is user,item[,weight][,timestamp]"
                    + " separated by commas (or tabs)");
            _pendingFirst = true; // the first line is data
            return new InteractionsLayout(false, separator, columns, 0, 1, columns >= 3 ? 2 : -1, columns >= 4 ? 3 : -1);
        }
        return new InteractionsLayout(false, separator, 0, -1, -1, -1, -1);
    }

    private static string? Role(ReadOnlySpan<char> field)
    {
        Span<char> buffer = stackalloc char[32];
        int n = 0;
        foreach (var ch in field.Trim())
        {
            if (ch is '_' or '-' or ' ') continue;
            if (n == buffer.Length) return null;
            buffer[n++] = char.ToLowerInvariant(ch);
        }
        var name = buffer[..n];
        if (Contains(UserNames, name)) return "user";
        if (Contains(ItemNames, name)) return "item";
        if (Contains(WeightNames, name)) return "weight";
        if (Contains(TimestampNames, name)) return "timestamp";
        return null;
    }

    private static bool Contains(string[] names, ReadOnlySpan<char> name)
    {
        foreach (var n in names)
            if (name.SequenceEqual(n)) return true;
        return false;
    }

    /// <summary>The separator the first non-blank line uses: a comma, else a tab, else a semicolon (a comma when it has none).</summary>
    private static char SniffSeparator(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var buffer = new byte[64 * 1024];
        int n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var bytes = buffer.AsSpan(0, n);
        while (true)
        {
            int end = bytes.IndexOf((byte)'\n');
            var line = end < 0 ? bytes : bytes[..end];
            if (line.IndexOfAnyExcept(" \t\r"u8) >= 0 && !(line.Length == 3 && line.SequenceEqual((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])))
            {
                if (line.Contains((byte)',')) return ',';
                if (line.Contains((byte)'\t')) return '\t';
                return line.Contains((byte)';') ? ';' : ',';
            }
            if (end < 0) return ',';
            bytes = bytes[(end + 1)..];
        }
    }

    /// <summary>Sep's next row, turning bytes that are not UTF-8 into an error at their line.</summary>
    private bool MoveNext(SepReader reader)
    {
        try
        {
            return reader.MoveNext();
        }
        catch (DecoderFallbackException e)
        {
            throw new ImportException(Path, FirstInvalidUtf8Line(Path), "the line is not valid UTF-8 (save the file as UTF-8)", e);
        }
    }

    private SepReader Open(char separator, TextReader text)
    {
        try
        {
            return Sep.New(separator).Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).From(text);
        }
        catch (DecoderFallbackException e)
        {
            throw new ImportException(Path, FirstInvalidUtf8Line(Path), "the line is not valid UTF-8 (save the file as UTF-8)", e);
        }
    }

    /// <summary>The line of the first bytes that are not UTF-8 (0 when none is found). Only on the error path: simple, not fast.</summary>
    private static long FirstInvalidUtf8Line(string path)
    {
        using var stream = new BufferedStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1), 1 << 16);
        var line = new List<byte>(256);
        long number = 1;
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b != '\n')
            {
                line.Add((byte)b);
                continue;
            }
            if (!System.Text.Unicode.Utf8.IsValid(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(line))) return number;
            line.Clear();
            number++;
        }
        return System.Text.Unicode.Utf8.IsValid(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(line)) ? 0 : number;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _text?.Dispose();
    }
}
