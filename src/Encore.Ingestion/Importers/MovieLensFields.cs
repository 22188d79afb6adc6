using System.Globalization;
using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>Field parsers shared by the MovieLens readers; each failure names the field and the bad text.</summary>
internal static class MovieLensFields
{
    /// <summary>Latest Unix time a DateTime can hold (9999-12-31T23:59:59Z).</summary>
    public const long MaxUnixSeconds = 253_402_300_799;

    /// <summary>A MovieLens id: a positive integer that fits in 32 bits, returned as the pooled text.</summary>
    public static string Id(ReadOnlySpan<char> text, string field, StringPool pool)
    {
        text = text.Trim();
        if (text.IsEmpty) throw new MalformedLineException($"{field} is empty");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value <= 0)
            throw new MalformedLineException($"{field} {UnicodeText.Quote(text)} is not a positive integer id");
        return pool.Get(text);
    }

    /// <summary>A star rating between 0.5 and 5 in steps of a half star.</summary>
    public static float Rating(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value))
            throw new MalformedLineException($"rating {UnicodeText.Quote(text)} is not a number");
        if (!(value >= 0.5 && value <= 5))
            throw new MalformedLineException($"rating {Clip(text)} is outside 0.5..5");
        if (value * 2 != Math.Round(value * 2))
            throw new MalformedLineException($"rating {Clip(text)} is not a whole or half star");
        return (float)value;
    }

    /// <summary>Unix seconds between 1970 and 9999.</summary>
    public static long UnixSeconds(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw new MalformedLineException($"timestamp {UnicodeText.Quote(text)} is not an integer number of Unix seconds");
        if (value < 0 || value > MaxUnixSeconds)
            throw new MalformedLineException($"timestamp {Clip(text)} is outside 1970..9999");
        return value;
    }

    /// <summary>The year in a MovieLens title such as "Toy Story (1995)", or null.</summary>
    public static int? YearFromName(string name)
    {
        var s = name.AsSpan().TrimEnd();
        if (s.Length < 6 || s[^1] != ')' || s[^6] != '(') return null;
        return int.TryParse(s[^5..^1], NumberStyles.None, CultureInfo.InvariantCulture, out int year) && year is > 1800 and < 3000
            ? year
            : null;
    }

    /// <summary>
    /// Splits <paramref name="line"/> on <paramref name="separator"/> into exactly fields.Length - 1 fields
    /// (the extra slot catches lines with too many).
    /// </summary>
    public static void Split(ReadOnlySpan<char> line, ReadOnlySpan<char> separator, Span<Range> fields, string layout)
    {
        int expected = fields.Length - 1;
        int count = line.Split(fields, separator);
        if (count != expected)
        {
            int actual = line.Count(separator) + 1;
            throw new MalformedLineException($"expected {expected} fields ({layout}) separated by '{separator}', found {actual}");
        }
    }

    /// <summary>
    /// One rating line of user, item, rating, Unix time separated by <paramref name="separator"/> (u.data's tab,
    /// ratings.dat's "::"); a bad one is reported against <paramref name="layout"/>.
    /// </summary>
    public static RatingRecord SeparatedRating(ReadOnlySpan<char> line, string separator, string layout, string itemField, StringPool ids)
    {
        Span<Range> f = stackalloc Range[5];
        Split(line, separator, f, layout);
        return new RatingRecord(Id(line[f[0]], "user id", ids), Id(line[f[1]], itemField, ids), Rating(line[f[2]]), UnixSeconds(line[f[3]]));
    }

    /// <summary>A bad value as an error message shows it: see <see cref="UnicodeText.Clip"/>.</summary>
    public static string Clip(ReadOnlySpan<char> text) => UnicodeText.Clip(text);
}
