using System.Text;

namespace Encore.Ingestion.Tests.Importers;

/// <summary>Writes small input files for the importer tests, with exact control of bytes and line ends.</summary>
internal static class Fixtures
{
    public static string WriteLatin1(string folder, string name, string text) => WriteBytes(folder, name, Encoding.Latin1.GetBytes(text));

    public static string WriteUtf8(string folder, string name, string text) => WriteBytes(folder, name, new UTF8Encoding(false).GetBytes(text));

    public static string WriteBytes(string folder, string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A 100K-layout folder: 3 titles (one accented), 2 users, 4 ratings, 19 genres.</summary>
    public static string Ml100k(string root, string? uData = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, "ml-100k")).FullName;
        WriteLatin1(folder, "u.genre", string.Concat(Genres.Select((g, i) => $"{g}|{i}\n")) + "\n");
        WriteLatin1(folder, "u.item",
            "1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n" +
            "2|Misérables, Les (1995)|01-Jan-1995||http://us.imdb.com/M/x|0|0|0|0|0|0|0|0|1|0|0|0|1|0|0|0|0|0|0\n" +
            "3|unknown||||1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n");
        WriteLatin1(folder, "u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n");
        WriteLatin1(folder, "u.data", uData ?? "1\t1\t5\t874965758\n1\t2\t3\t876893171\n2\t1\t4\t888550871\n2\t3\t1\t888551000\n");
        return folder;
    }

    public static readonly string[] Genres =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
        "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];
}
