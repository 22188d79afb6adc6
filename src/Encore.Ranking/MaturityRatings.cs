namespace Encore.Ranking;

/// <summary>
/// Maturity ratings on one scale of levels, so a profile's limit applies to films and series alike: 0 all ages
/// (G, TV-Y, TV-G), 1 guidance (PG, TV-Y7, TV-PG), 2 teens (PG-13, TV-14), 3 adults (R, NC-17, TV-MA, NR).
/// An unknown rating is treated as adults only, so a limit never lets an unrated title through.
/// </summary>
public static class MaturityRatings
{
    public const int AllAges = 0, Guidance = 1, Teens = 2, Adults = 3;

    /// <summary>The level of a rating as the catalogue spells it (case-insensitive); null means unrated (adults).</summary>
    public static int Level(string? rating) => rating?.Trim().ToUpperInvariant() switch
    {
        "G" or "TV-Y" or "TV-G" or "U" or "ALL" => AllAges,
        "PG" or "TV-Y7" or "TV-Y7-FV" or "TV-PG" => Guidance,
        "PG-13" or "TV-14" or "12" or "12A" or "15" => Teens,
        _ => Adults,
    };

    /// <summary>Parses a profile limit: a rating ("PG-13", "TV-14") or a level 0..3.</summary>
    /// <exception cref="ArgumentException">Neither a known rating nor a level.</exception>
    public static int ParseLimit(string limit)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(limit);
        if (int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int level) && level is >= AllAges and <= Adults)
            return level;
        var known = limit.Trim().ToUpperInvariant();
        if (known is "R" or "NC-17" or "TV-MA" or "NR" or "18") return Adults;
        int parsed = Level(known);
        if (parsed == Adults)
            throw new ArgumentException($"maturity limit '{Encore.Core.UnicodeText.Clip(limit)}' is not a rating (G, PG, PG-13, R, TV-Y, TV-PG, TV-14, TV-MA) or a level 0..3");
        return parsed;
    }
}
