using System.Globalization;

namespace Encore.Core;

/// <summary>
/// Text checks and the form in which messages echo values. <see cref="IsWellFormed"/>: whether a string is
/// well-formed UTF-16 (every surrogate is half of a pair); a lone surrogate cannot be written as UTF-8, so a
/// store would change it (two different ids could become one), and such text is refused.
/// <see cref="Clip"/> and <see cref="Quote"/>: a value as an error message shows it, at most
/// <see cref="ClipLength"/> characters of it, so that a megabyte id cannot flood a message.
/// </summary>
public static class UnicodeText
{
    /// <summary>The most characters of a value that <see cref="Clip"/> and <see cref="Quote"/> keep.</summary>
    public const int ClipLength = 60;

    /// <summary>Whether <paramref name="text"/> is well-formed UTF-16: every surrogate is half of a pair.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> text)
    {
        // Nearly every string has no surrogate at all: one vectorised search answers it.
        int at = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        while (at >= 0)
        {
            if (!char.IsHighSurrogate(text[at]) || at + 1 == text.Length || !char.IsLowSurrogate(text[at + 1])) return false;
            at += 2;
            int next = text[at..].IndexOfAnyInRange('\uD800', '\uDFFF');
            at = next < 0 ? -1 : at + next;
        }
        return true;
    }

    /// <summary>
    /// <paramref name="text"/> whole when it has at most <paramref name="max"/> characters; else its first ones,
    /// "..." and how long it was: <c>abc... (1,048,576 characters)</c>. A surrogate pair is never cut in half.
    /// </summary>
    public static string Clip(ReadOnlySpan<char> text, int max = ClipLength)
    {
        if (text.Length <= max) return text.ToString();
        return string.Create(CultureInfo.InvariantCulture, $"{Head(text, max)}... ({text.Length:N0} characters)");
    }

    /// <summary>
    /// <paramref name="text"/> in single quotes, clipped as by <see cref="Clip"/> with the length outside the
    /// quotes: <c>'m1'</c>, <c>'abc...' (1,048,576 characters)</c>.
    /// </summary>
    public static string Quote(ReadOnlySpan<char> text, int max = ClipLength)
    {
        if (text.Length <= max) return string.Concat("'", text, "'");
        return string.Create(CultureInfo.InvariantCulture, $"'{Head(text, max)}...' ({text.Length:N0} characters)");
    }

    private static ReadOnlySpan<char> Head(ReadOnlySpan<char> text, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        int keep = max;
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]) && char.IsLowSurrogate(text[keep])) keep--;
        return text[..keep];
    }
}
