namespace Encore.Evaluation.Ranking;

/// <summary>
/// The order of title ids the protocols use to break ties in time ("by timestamp, then item id"): numeric
/// when both ids are integers (MovieLens ids, so "9" comes before "10"), ordinal otherwise.
/// </summary>
internal sealed class TitleIdOrder : IComparer<string>
{
    public static TitleIdOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        bool nx = long.TryParse(x, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var a);
        bool ny = long.TryParse(y, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var b);
        if (nx && ny) return a.CompareTo(b);
        if (nx != ny) return nx ? -1 : 1; // integers first, so a mixed catalogue still has one total order
        return string.CompareOrdinal(x, y);
    }
}
