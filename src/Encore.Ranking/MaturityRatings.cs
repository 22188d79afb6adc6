namespace Encore.Ranking;

/// <summary>
/// Maturity ratings on one scale, the youngest age each suits: US film ratings (G 0, PG 10, PG-13 13, R 17, NC-17 18),
/// US TV ratings (TV-Y 0, TV-G 0, TV-Y7 7, TV-PG 10, TV-14 14, TV-MA 17), and plain ages ("12", "16", "18+"). A
/// limit lets through the titles whose age is at most the limit's, so "PG-13" admits PG and TV-PG but not TV-14.
/// A title with no rating (or one this scale does not know) is left out under any limit, so a limit never lets an
/// unrated title through. Search and the homepage both apply it.
/// </summary>
public static class MaturityRatings
{
    private static readonly Dictionary<string, int> Ages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["G"] = 0, ["TV-Y"] = 0, ["TV-G"] = 0, ["U"] = 0, ["ALL"] = 0,
        ["TV-Y7"] = 7, ["TV-Y7-FV"] = 7,
        ["PG"] = 10, ["TV-PG"] = 10,
        ["PG-13"] = 13,
        ["TV-14"] = 14,
        ["R"] = 17, ["TV-MA"] = 17,
        ["NC-17"] = 18,
    };

    /// <summary>The names this scale knows (ages are known too).</summary>
    public static IReadOnlyCollection<string> Known => Ages.Keys;

    /// <summary>The youngest age <paramref name="rating"/> suits, or null for an unknown or missing rating.</summary>
    public static int? AgeOf(string? rating)
    {
        if (string.IsNullOrWhiteSpace(rating)) return null;
        var text = rating.Trim();
        if (Ages.TryGetValue(text, out int age)) return age;
        var digits = text.EndsWith('+') ? text[..^1] : text;
        return int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out age) && age <= 21
            ? age : null;
    }

    /// <summary>The age of a limit given by a user.</summary>
    /// <exception cref="ArgumentException">Not a rating this scale knows (the message lists them).</exception>
    public static int RequireAge(string limit)
        => AgeOf(limit) ?? throw new ArgumentException(
            $"unknown maturity rating {Encore.Core.UnicodeText.Quote(limit ?? "")}; known: {string.Join(", ", Ages.OrderBy(a => a.Value).Select(a => a.Key))}, or an age such as 12");
}
