using System.Globalization;
using Encore.Core;

namespace Encore.Analytics.Audience;

/// <summary>
/// The metadata features of titles, one-hot: genres (weighted 1/√count), format (film or series), cast (the lead also as
/// its own feature), directors, language, maturity rating, runtime bucket, release year in five-year buckets and decade.
/// Built from the titles a model was trained on: a feature carried by fewer than <c>minTitles</c> of them is dropped
/// (it could not generalize), so a proposed title is described only by what the catalogue has seen.
/// </summary>
public sealed class TitleFeatureSpace
{
    private readonly Dictionary<string, int> _index;
    private readonly string[] _names;

    private TitleFeatureSpace(Dictionary<string, int> index, string[] names)
    {
        _index = index;
        _names = names;
    }

    /// <summary>How many features.</summary>
    public int Count => _names.Length;

    /// <summary>A feature's name, e.g. "genre:drama", "director:jo park", "runtime:90-119".</summary>
    public string Name(int feature) => _names[feature];

    /// <summary>The feature's index, or -1 when the space has no such feature.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out int i) ? i : -1;

    /// <summary>The features of <paramref name="titles"/> (null entries skipped) carried by at least <paramref name="minTitles"/> of them.</summary>
    public static TitleFeatureSpace Build(IEnumerable<Title?> titles, int minTitles = 2)
    {
        ArgumentNullException.ThrowIfNull(titles);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in titles)
        {
            if (t is null) continue;
            seen.Clear();
            foreach (var (name, _) in Raw(t))
                if (seen.Add(name)) counts[name] = counts.GetValueOrDefault(name) + 1;
        }
        var names = counts.Where(p => p.Value >= minTitles).Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++) index[names[i]] = i;
        return new TitleFeatureSpace(index, names);
    }

    /// <summary>The title's features in this space (indices ascending, weights); unknown metadata is left out.</summary>
    public (int[] Indices, float[] Values) Encode(Title title)
    {
        ArgumentNullException.ThrowIfNull(title);
        var acc = new SortedDictionary<int, float>();
        foreach (var (name, value) in Raw(title))
            if (_index.TryGetValue(name, out int i)) acc[i] = acc.GetValueOrDefault(i) + value;
        var indices = new int[acc.Count];
        var values = new float[acc.Count];
        int k = 0;
        foreach (var (i, v) in acc) { indices[k] = i; values[k] = v; k++; }
        return (indices, values);
    }

    /// <summary>The names of the title's features that this space does not know (what a prediction cannot use).</summary>
    public IReadOnlyList<string> Unknown(Title title)
    {
        var unknown = new List<string>();
        foreach (var (name, _) in Raw(title))
            if (!_index.ContainsKey(name) && !unknown.Contains(name)) unknown.Add(name);
        return unknown;
    }

    /// <summary>Normalizes a name as features spell it: trimmed, lower case (invariant).</summary>
    public static string Key(string text) => text.Trim().ToLowerInvariant();

    private static IEnumerable<(string Name, float Value)> Raw(Title t)
    {
        var c = CultureInfo.InvariantCulture;
        yield return (t.Kind == TitleKind.Series ? "format:series" : "format:film", 1f);
        if (t.Genres.Count > 0)
        {
            float w = 1f / MathF.Sqrt(t.Genres.Count);
            foreach (var g in t.Genres) yield return ("genre:" + Key(g), w);
        }
        int cast = Math.Min(4, t.Cast.Count);
        if (cast > 0)
        {
            float w = 1f / MathF.Sqrt(cast);
            for (int i = 0; i < cast; i++) yield return ("cast:" + Key(t.Cast[i]), w);
            yield return ("lead:" + Key(t.Cast[0]), 1f);
        }
        foreach (var d in t.Directors) yield return ("director:" + Key(d), 1f);
        if (!string.IsNullOrWhiteSpace(t.Language)) yield return ("language:" + Key(t.Language), 1f);
        if (!string.IsNullOrWhiteSpace(t.MaturityRating)) yield return ("maturity:" + Key(t.MaturityRating), 1f);
        if (t.RuntimeSeconds > 0)
        {
            int minutes = t.RuntimeSeconds / 60;
            string bucket = minutes < 30 ? "0-29" : minutes < 60 ? "30-59" : minutes < 90 ? "60-89" : minutes < 120 ? "90-119" : minutes < 150 ? "120-149" : "150+";
            yield return ("runtime:" + bucket, 1f);
        }
        if (t.ReleaseDate is { } date)
        {
            int y = date.Year;
            yield return (string.Create(c, $"years:{y / 5 * 5}"), 1f);
            yield return (string.Create(c, $"decade:{y / 10 * 10}"), 0.5f);
            yield return (y >= 1990 ? (y >= 2010 ? "era:2010+" : "era:1990-2009") : "era:-1989", 0.5f);
        }
    }
}
