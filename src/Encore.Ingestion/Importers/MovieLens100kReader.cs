using System.Globalization;
using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// Reads MovieLens 100K: u.data (user, item, rating, time; tab-separated), u.item (id|title|release date|
/// video release date|IMDb URL|one 0/1 flag per genre), u.user (id|age|gender|occupation|zip) and u.genre
/// (name|index). The '|' files are latin-1. (u.data is read by <see cref="MovieLensRatingReader"/>.)
/// </summary>
internal static class MovieLens100kReader
{
    /// <summary>The genres of u.genre, in flag order, for a folder that lacks the file.</summary>
    public static readonly IReadOnlyList<string> DefaultGenres =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
        "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    // Most dates are "01-Jan-1995"; a few have a one-digit day ("4-Feb-1971").
    private static readonly string[] ReleaseDateFormats = ["dd-MMM-yyyy", "d-MMM-yyyy"];

    public static IReadOnlyList<string> ReadGenres(string path, SkippedLines skips, CancellationToken ct)
    {
        if (!File.Exists(path)) return DefaultGenres;
        var byIndex = new SortedDictionary<int, string>();
        TextFiles.ForEachLine(path, TextEncoding.Latin1, skips, ct, line =>
        {
            Span<Range> f = stackalloc Range[3];
            MovieLensFields.Split(line, "|", f, "name|index");
            var name = line[f[0]].Trim();
            if (name.IsEmpty) throw new MalformedLineException("genre name is empty");
            if (!int.TryParse(line[f[1]].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                throw new MalformedLineException($"genre index {UnicodeText.Quote(line[f[1]])} is not a non-negative integer");
            if (!byIndex.TryAdd(index, name.ToString()))
                throw new MalformedLineException($"genre index {index} appears twice");
        });
        int expected = 0;
        foreach (var index in byIndex.Keys)
        {
            if (index != expected) throw new ImportException(path, 0, $"genre indices must run 0..{byIndex.Count - 1} without gaps; {expected} is missing");
            expected++;
        }
        return [.. byIndex.Values];
    }

    /// <summary>Adds u.item's titles to <paramref name="titles"/> (which keeps those read before a line that stops the file).</summary>
    public static void ReadTitles(string path, IReadOnlyList<string> genres, StringPool ids, List<Title> titles, SkippedLines skips, CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int fieldCount = 5 + genres.Count;
        string layout = $"id|title|release date|video release date|IMDb URL|{genres.Count} genre flags";
        TextFiles.ForEachLine(path, TextEncoding.Latin1, skips, ct, line =>
        {
            Span<Range> f = stackalloc Range[fieldCount + 1];
            MovieLensFields.Split(line, "|", f, layout);
            var id = MovieLensFields.Id(line[f[0]], "movie id", ids);
            if (!seen.Add(id)) throw new MalformedLineException($"movie id {id} appears twice");
            var name = line[f[1]].Trim().ToString();
            if (name.Length == 0) throw new MalformedLineException("title is empty");
            var releaseText = line[f[2]].Trim();
            DateOnly? release = null;
            if (!releaseText.IsEmpty)
            {
                if (!DateOnly.TryParseExact(releaseText, ReleaseDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    throw new MalformedLineException($"release date {UnicodeText.Quote(releaseText)} is not like 01-Jan-1995");
                release = date;
            }
            var titleGenres = new List<string>(3);
            for (int g = 0; g < genres.Count; g++)
            {
                var flag = line[f[5 + g]].Trim();
                if (flag.SequenceEqual("1")) titleGenres.Add(genres[g]);
                else if (!flag.SequenceEqual("0"))
                    throw new MalformedLineException($"genre flag {UnicodeText.Quote(flag)} for {genres[g]} is not 0 or 1");
            }
            titles.Add(new Title { Id = id, Name = name, Genres = titleGenres, ReleaseDate = release });
        });
    }

    /// <summary>Adds u.user's members to <paramref name="members"/>.</summary>
    public static void ReadMembers(string path, StringPool ids, List<Member> members, SkippedLines skips, CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        TextFiles.ForEachLine(path, TextEncoding.Latin1, skips, ct, line =>
        {
            Span<Range> f = stackalloc Range[6];
            MovieLensFields.Split(line, "|", f, "id|age|gender|occupation|zip code");
            var id = MovieLensFields.Id(line[f[0]], "user id", ids);
            if (!seen.Add(id)) throw new MalformedLineException($"user id {id} appears twice");
            var age = line[f[1]].Trim();
            if (!int.TryParse(age, NumberStyles.None, CultureInfo.InvariantCulture, out int years) || years > 150)
                throw new MalformedLineException($"age {UnicodeText.Quote(age)} is not a whole number of years");
            members.Add(new Member
            {
                Id = id,
                Attributes = new Dictionary<string, string>
                {
                    ["age"] = age.ToString(),
                    ["gender"] = line[f[2]].Trim().ToString(),
                    ["occupation"] = line[f[3]].Trim().ToString(),
                    ["zip"] = line[f[4]].Trim().ToString(),
                },
            });
        });
    }
}
