using System.Globalization;
using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// Reads MovieLens 1M: ratings.dat (UserID::MovieID::Rating::Timestamp), movies.dat
/// (MovieID::Title::Genre|Genre) and users.dat (UserID::Gender::Age::Occupation::Zip-code), all latin-1.
/// (ratings.dat is read by <see cref="MovieLensRatingReader"/>.)
/// </summary>
internal static class MovieLens1mReader
{
    /// <summary>The occupation codes of users.dat, as the release's README lists them.</summary>
    private static readonly string[] Occupations =
    [
        "other", "academic/educator", "artist", "clerical/admin", "college/grad student", "customer service",
        "doctor/health care", "executive/managerial", "farmer", "homemaker", "K-12 student", "lawyer",
        "programmer", "retired", "sales/marketing", "scientist", "self-employed", "technician/engineer",
        "tradesman/craftsman", "unemployed", "writer",
    ];

    /// <summary>Adds movies.dat's titles to <paramref name="titles"/> (which keeps those read before a line that stops the file).</summary>
    public static void ReadTitles(string path, StringPool ids, List<Title> titles, SkippedLines skips, CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        TextFiles.ForEachLine(path, TextEncoding.Latin1, skips, ct, line =>
        {
            Span<Range> f = stackalloc Range[4];
            MovieLensFields.Split(line, "::", f, "MovieID::Title::Genres");
            var id = MovieLensFields.Id(line[f[0]], "movie id", ids);
            if (!seen.Add(id)) throw new MalformedLineException($"movie id {id} appears twice");
            var name = line[f[1]].Trim().ToString();
            if (name.Length == 0) throw new MalformedLineException("title is empty");
            titles.Add(new Title { Id = id, Name = name, Genres = SplitGenres(line[f[2]]) });
        });
    }

    /// <summary>Adds users.dat's members to <paramref name="members"/>.</summary>
    public static void ReadMembers(string path, StringPool ids, List<Member> members, SkippedLines skips, CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        TextFiles.ForEachLine(path, TextEncoding.Latin1, skips, ct, line =>
        {
            Span<Range> f = stackalloc Range[6];
            MovieLensFields.Split(line, "::", f, "UserID::Gender::Age::Occupation::Zip-code");
            var id = MovieLensFields.Id(line[f[0]], "user id", ids);
            if (!seen.Add(id)) throw new MalformedLineException($"user id {id} appears twice");
            var occupationText = line[f[3]].Trim();
            if (!int.TryParse(occupationText, NumberStyles.None, CultureInfo.InvariantCulture, out int occupation)
                || occupation >= Occupations.Length)
                throw new MalformedLineException($"occupation {UnicodeText.Quote(occupationText)} is not a code 0..{Occupations.Length - 1}");
            members.Add(new Member
            {
                Id = id,
                Attributes = new Dictionary<string, string>
                {
                    ["gender"] = line[f[1]].Trim().ToString(),
                    // 1M gives an age band by its lower bound (1 = under 18, 18 = 18-24, ..., 56 = 56+).
                    ["age"] = line[f[2]].Trim().ToString(),
                    ["occupation"] = Occupations[occupation],
                    ["zip"] = line[f[4]].Trim().ToString(),
                },
            });
        });
    }

    /// <summary>"Animation|Children's|Comedy" as a list; "(no genres listed)" as none.</summary>
    public static List<string> SplitGenres(ReadOnlySpan<char> text)
    {
        var genres = new List<string>(3);
        text = text.Trim();
        if (text.IsEmpty || text.SequenceEqual("(no genres listed)")) return genres;
        foreach (var range in text.Split('|'))
        {
            var g = text[range].Trim();
            if (!g.IsEmpty) genres.Add(g.ToString());
        }
        return genres;
    }
}
