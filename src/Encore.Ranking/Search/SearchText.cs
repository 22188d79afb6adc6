using System.Runtime.CompilerServices;

namespace Encore.Ranking.Search;

/// <summary>
/// The one normalization of search text, for the index and the query alike (and for grouping queries, e.g. the
/// searches that led nowhere): lower case, diacritics removed (é -> e, ł -> l, ß -> ss, æ -> ae, ё -> е), letters and
/// digits kept, every other character a separator. The result is the tokens joined by single spaces.
/// </summary>
/// <remarks>
/// The build runs with invariant globalization, where <see cref="string.Normalize()"/> does nothing; the folding is
/// therefore a table of its own for Latin (U+0080..U+024F, U+1E00..U+1EFF), Greek and Cyrillic, generated from
/// Unicode 14's decompositions (NFKD, combining marks dropped; a letter "with stroke" or "with hook" folded to its
/// base letter by name). Combining marks (U+0300..U+036F) are dropped; any other letter or digit is kept in lower
/// case (CJK runs stay one token); everything else, including apostrophes, separates tokens.
/// </remarks>
public static class SearchText
{
    /// <summary>The longest token kept; a longer one is cut (the same way in the index and the query).</summary>
    public const int MaxTokenLength = 32;

    /// <summary>The most characters <see cref="Normalize(ReadOnlySpan{char}, Span{char})"/> can write for a text of <paramref name="length"/> characters.</summary>
    public static int MaxNormalizedLength(int length) => 2 * length;

    /// <summary><paramref name="text"/> normalized: folded tokens joined by single spaces ("" when it has none).</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return "";
        char[]? rented = null;
        int max = MaxNormalizedLength(text.Length);
        Span<char> buffer = max <= 512 ? stackalloc char[max] : (rented = System.Buffers.ArrayPool<char>.Shared.Rent(max));
        int n = Normalize(text, buffer);
        var result = new string(buffer[..n]);
        if (rented is not null) System.Buffers.ArrayPool<char>.Shared.Return(rented);
        return result;
    }

    /// <summary>
    /// Writes <paramref name="text"/> normalized into <paramref name="destination"/> (at least
    /// <see cref="MaxNormalizedLength"/> characters) and returns its length. Tokens longer than
    /// <see cref="MaxTokenLength"/> are cut.
    /// </summary>
    public static int Normalize(ReadOnlySpan<char> text, Span<char> destination)
    {
        if (destination.Length < MaxNormalizedLength(text.Length))
            throw new ArgumentException($"the destination holds {destination.Length} characters; {MaxNormalizedLength(text.Length)} may be needed", nameof(destination));
        int n = 0, token = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            char a, b = '\0';
            if (c < 0x80)
            {
                if ((uint)(c - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9) a = c;
                else if ((uint)(c - 'A') <= 'Z' - 'A') a = (char)(c | 0x20);
                else a = '\0';
            }
            else if ((uint)(c - 0x300) < 0x70) continue; // a combining mark: dropped, it separates nothing
            else a = Fold(c, out b);
            if (a == '\0')
            {
                token = 0;
                continue;
            }
            if (token == 0 && n > 0) destination[n++] = ' ';
            if (token < MaxTokenLength) { destination[n++] = a; token++; }
            if (b != '\0' && token < MaxTokenLength) { destination[n++] = b; token++; }
        }
        return n;
    }

    /// <summary>Whether <paramref name="c"/> (as written, before folding) separates tokens.</summary>
    public static bool IsSeparator(char c)
    {
        if (c < 0x80) return !((uint)(c - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || (uint)(c - 'A') <= 'Z' - 'A');
        if ((uint)(c - 0x300) < 0x70) return false;
        return Fold(c, out _) == '\0';
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static char Fold(char c, out char second)
    {
        second = '\0';
        char a;
        if (c <= 0x24F) a = Latin[c - 0x80];
        else if ((uint)(c - 0x370) < 0x90) a = Greek[c - 0x370];
        else if ((uint)(c - 0x400) < 0x100) a = Cyrillic[c - 0x400];
        else if ((uint)(c - 0x1E00) < 0x100) a = LatinAdditional[c - 0x1E00];
        else if ((uint)(c - 0xFF10) < 10) return (char)('0' + (c - 0xFF10)); // fullwidth digits
        else if ((uint)(c - 0xFF21) < 26) return (char)('a' + (c - 0xFF21)); // fullwidth letters
        else if ((uint)(c - 0xFF41) < 26) return (char)('a' + (c - 0xFF41));
        else if (char.IsSurrogate(c)) return '\0';
        else return char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '\0';
        if (a != '\u0001') return a;
        var pair = Expand(c);
        second = pair[1];
        return pair[0];
    }

    /// <summary>The letters that fold to two (ß -> ss, æ -> ae, þ -> th, ...).</summary>
    private static string Expand(char c) => c switch
    {
            '\u00C6' => "ae", // Æ
            '\u00DE' => "th", // Þ
            '\u00DF' => "ss", // ß
            '\u00E6' => "ae", // æ
            '\u00FE' => "th", // þ
            '\u0132' => "ij", // Ĳ
            '\u0133' => "ij", // ĳ
            '\u0152' => "oe", // Œ
            '\u0153' => "oe", // œ
            '\u0195' => "hv", // ƕ
            '\u01A2' => "oi", // Ƣ
            '\u01A3' => "oi", // ƣ
            '\u01C4' => "dz", // Ǆ
            '\u01C5' => "dz", // ǅ
            '\u01C6' => "dz", // ǆ
            '\u01C7' => "lj", // Ǉ
            '\u01C8' => "lj", // ǈ
            '\u01C9' => "lj", // ǉ
            '\u01CA' => "nj", // Ǌ
            '\u01CB' => "nj", // ǋ
            '\u01CC' => "nj", // ǌ
            '\u01E2' => "ae", // Ǣ
            '\u01E3' => "ae", // ǣ
            '\u01F1' => "dz", // Ǳ
            '\u01F2' => "dz", // ǲ
            '\u01F3' => "dz", // ǳ
            '\u01F6' => "hv", // Ƕ
            '\u01FC' => "ae", // Ǽ
            '\u01FD' => "ae", // ǽ
            '\u0222' => "ou", // Ȣ
            '\u0223' => "ou", // ȣ
            '\u1E9E' => "ss", // ẞ
        _ => throw new System.Diagnostics.UnreachableException($"U+{(int)c:X4} is marked as folding to two letters but has no entry"),
    };

    /// <summary>U+0080..U+024F folded: a letter or digit, \0 for a separator, \u0001 for two letters (<see cref="Expand"/>).</summary>
    private const string Latin =
        "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
        + "\0\0\0\0\0\0\0\0\0\0a\0\0\0\0\0\0\023\0\u03BC\0\0\01o\0\0\0\0\0"
        + "aaaaaa\u0001ceeeeiiiidnooooo\0ouuuuy\u0001\u0001"
        + "aaaaaa\u0001ceeeeiiiidnooooo\0ouuuuy\u0001y"
        + "aaaaaaccccccccddddeeeeeeeeeegggg"
        + "gggghhhhiiiiiiiiii\u0001\u0001jjkkklllllll"
        + "lllnnnnnnnnnoooooo\u0001\u0001rrrrrrssssss"
        + "ssttttttuuuuuuuuuuuuwwyyyzzzzzzs"
        + "bbbb\u0185\u0185\u0254cc\u0256ddd\u018D\u01DDe\u025Bffg\u0263\u0001\u0269ikkl\u019B\u026Fnno"
        + "oo\u0001\u0001pp\u0280\u01A8\u01A8\u0283\u01AAttttuu\u028Avyyzz\u0292\u01B9\u01B9\u01BA\u01BB\u01BD\u01BD\u01BE\u01BF"
        + "\u01C0\u01C1\u01C2\u01C3\u0001\u0001\u0001\u0001\u0001\u0001\u0001\u0001\u0001aaiioouuuuuuuuuu\u01DDaa"
        + "aa\u0001\u0001ggggkkoooo\u0292\u0292j\u0001\u0001\u0001gg\u0001\u01BFnnaa\u0001\u0001oo"
        + "aaaaeeeeiiiioooorrrruuuusstt\u021D\u021Dhh"
        + "nd\u0001\u0001zzaaeeooooooooyylnt\u0237\u0238\u0239acclts"
        + "z\u0242\u0242b\u0289\u028Ceejj\u024Bqrryy";
    /// <summary>U+0370..U+03FF folded: a letter or digit, \0 for a separator, \u0001 for two letters (<see cref="Expand"/>).</summary>
    private const string Greek =
        "\u0371\u0371\u0373\u0373\u02B9\0\u0377\u0377\0\0\0\u037B\u037C\u037D\0\u03F3\0\0\0\0\0\0\u03B1\0\u03B5\u03B7\u03B9\0\u03BF\0\u03C5\u03C9"
        + "\u03B9\u03B1\u03B2\u03B3\u03B4\u03B5\u03B6\u03B7\u03B8\u03B9\u03BA\u03BB\u03BC\u03BD\u03BE\u03BF\u03C0\u03C1\0\u03C3\u03C4\u03C5\u03C6\u03C7\u03C8\u03C9\u03B9\u03C5\u03B1\u03B5\u03B7\u03B9"
        + "\u03C5\u03B1\u03B2\u03B3\u03B4\u03B5\u03B6\u03B7\u03B8\u03B9\u03BA\u03BB\u03BC\u03BD\u03BE\u03BF\u03C0\u03C1\u03C2\u03C3\u03C4\u03C5\u03C6\u03C7\u03C8\u03C9\u03B9\u03C5\u03BF\u03C5\u03C9\u03D7"
        + "\u03B2\u03B8\u03A5\u03A5\u03A5\u03C6\u03C0\u03D7\u03D9\u03D9\u03DB\u03DB\u03DD\u03DD\u03DF\u03DF\u03E1\u03E1\u03E3\u03E3\u03E5\u03E5\u03E7\u03E7\u03E9\u03E9\u03EB\u03EB\u03ED\u03ED\u03EF\u03EF"
        + "\u03BA\u03C1\u03C2\u03F3\u03B8\u03B5\0\u03F8\u03F8\u03C2\u03FB\u03FB\u03FC\u037B\u037C\u037D";
    /// <summary>U+0400..U+04FF folded: a letter or digit, \0 for a separator, \u0001 for two letters (<see cref="Expand"/>).</summary>
    private const string Cyrillic =
        "\u0435\u0435\u0452\u0433\u0454\u0455\u0456\u0456\u0458\u0459\u045A\u045B\u043A\u0438\u0443\u045F\u0430\u0431\u0432\u0433\u0434\u0435\u0436\u0437\u0438\u0439\u043A\u043B\u043C\u043D\u043E\u043F"
        + "\u0440\u0441\u0442\u0443\u0444\u0445\u0446\u0447\u0448\u0449\u044A\u044B\u044C\u044D\u044E\u044F\u0430\u0431\u0432\u0433\u0434\u0435\u0436\u0437\u0438\u0439\u043A\u043B\u043C\u043D\u043E\u043F"
        + "\u0440\u0441\u0442\u0443\u0444\u0445\u0446\u0447\u0448\u0449\u044A\u044B\u044C\u044D\u044E\u044F\u0435\u0435\u0452\u0433\u0454\u0455\u0456\u0456\u0458\u0459\u045A\u045B\u043A\u0438\u0443\u045F"
        + "\u0461\u0461\u0463\u0463\u0465\u0465\u0467\u0467\u0469\u0469\u046B\u046B\u046D\u046D\u046F\u046F\u0471\u0471\u0473\u0473\u0475\u0475\u0475\u0475\u0479\u0479\u047B\u047B\u047D\u047D\u047F\u047F"
        + "\u0481\u0481\0\0\0\0\0\0\0\0\u048B\u048B\u048D\u048D\u048F\u048F\u0491\u0491\u0493\u0493\u0495\u0495\u0497\u0497\u0499\u0499\u049B\u049B\u049D\u049D\u049F\u049F"
        + "\u04A1\u04A1\u04A3\u04A3\u04A5\u04A5\u04A7\u04A7\u04A9\u04A9\u04AB\u04AB\u04AD\u04AD\u04AF\u04AF\u04B1\u04B1\u04B3\u04B3\u04B5\u04B5\u04B7\u04B7\u04B9\u04B9\u04BB\u04BB\u04BD\u04BD\u04BF\u04BF"
        + "\u04CF\u0436\u0436\u04C4\u04C4\u04C6\u04C6\u04C8\u04C8\u04CA\u04CA\u04CC\u04CC\u04CE\u04CE\u04CF\u0430\u0430\u0430\u0430\u04D5\u04D5\u0435\u0435\u04D9\u04D9\u04D9\u04D9\u0436\u0436\u0437\u0437"
        + "\u04E1\u04E1\u0438\u0438\u0438\u0438\u043E\u043E\u04E9\u04E9\u04E9\u04E9\u044D\u044D\u0443\u0443\u0443\u0443\u0443\u0443\u0447\u0447\u04F7\u04F7\u044B\u044B\u04FB\u04FB\u04FD\u04FD\u04FF\u04FF";
    /// <summary>U+1E00..U+1EFF folded: a letter or digit, \0 for a separator, \u0001 for two letters (<see cref="Expand"/>).</summary>
    private const string LatinAdditional =
        "aabbbbbbccddddddddddeeeeeeeeeeff"
        + "gghhhhhhhhhhiiiikkkkkkllllllllmm"
        + "mmmmnnnnnnnnoooooooopppprrrrrrrr"
        + "ssssssssssttttttttuuuuuuuuuuvvvv"
        + "wwwwwwwwwwxxxxyyzzzzzzhtwy\0s\u1E9C\u1E9D\u0001\u1E9F"
        + "aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee"
        + "eeeeeeeeiiiioooooooooooooooooooo"
        + "oooouuuuuuuuuuuuuuyyyyyyyy\u1EFB\u1EFB\u1EFD\u1EFDyy";
}
