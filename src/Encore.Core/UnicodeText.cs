namespace Encore.Core;

/// <summary>
/// Whether a string is well-formed UTF-16: every surrogate is half of a pair. A lone surrogate cannot be
/// written as UTF-8, so a store would change it (two different ids could become one); such text is refused.
/// </summary>
public static class UnicodeText
{
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
}
