using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// A MovieLens release loaded into memory: its titles, members and ratings (in file order). The layout is
/// detected from the folder's files: u.data (100K), ratings.dat (1M) or ratings.csv (latest). The import
/// (<see cref="ImportRunner"/>) does not load a release whole: it reads the same small files, then streams
/// the ratings file through the same <see cref="MovieLensRatingReader"/>.
/// Ids are the MovieLens ids as strings ("196"); titles keep their names as released ("Toy Story (1995)").
/// </summary>
public sealed class MovieLensDataset
{
    private MovieLensDataset(MovieLensFormat format, string name, IReadOnlyList<string> genres, IReadOnlyList<Title> titles,
        IReadOnlyList<Member> members, IReadOnlyList<RatingRecord> ratings, SkippedLines skipped)
    {
        Format = format;
        Name = name;
        Genres = genres;
        Titles = titles;
        Members = members;
        Ratings = ratings;
        Skipped = skipped;
    }

    /// <summary>Which MovieLens release layout the folder has.</summary>
    public MovieLensFormat Format { get; }

    /// <summary>The folder's name, e.g. "ml-100k"; also the prefix of the event ids an import derives.</summary>
    public string Name { get; }

    /// <summary>The genre vocabulary: u.genre's list for 100K (19, "unknown" included), else the genres the titles use, sorted.</summary>
    public IReadOnlyList<string> Genres { get; }

    /// <summary>The films of the release, as catalogue titles.</summary>
    public IReadOnlyList<Title> Titles { get; }

    /// <summary>Members from u.user / users.dat; for the latest releases, everyone who rated, in order of first rating.</summary>
    public IReadOnlyList<Member> Members { get; }

    /// <summary>All ratings in file order.</summary>
    public IReadOnlyList<RatingRecord> Ratings { get; }

    /// <summary>Malformed lines skipped (only under <see cref="ImportErrorMode.Skip"/>).</summary>
    public SkippedLines Skipped { get; }

    /// <summary>Which layout <paramref name="folder"/> holds, or null when it is not a MovieLens folder.</summary>
    public static MovieLensFormat? Detect(string folder)
    {
        if (File.Exists(Path.Combine(folder, "u.data"))) return MovieLensFormat.Ml100k;
        if (File.Exists(Path.Combine(folder, "ratings.dat"))) return MovieLensFormat.Ml1m;
        if (File.Exists(Path.Combine(folder, "ratings.csv"))) return MovieLensFormat.Latest;
        return null;
    }

    /// <summary>Loads the release in <paramref name="folder"/>, stopping at the first malformed line.</summary>
    public static MovieLensDataset Load(string folder, CancellationToken ct = default) => Load(folder, ImportOptions.Default, ct);

    /// <summary>Loads the release in <paramref name="folder"/>; <paramref name="options"/> says whether malformed lines stop or are skipped.</summary>
    /// <exception cref="ImportException">The folder is not a MovieLens release, a file is missing or empty, or a line is malformed under Stop.</exception>
    public static MovieLensDataset Load(string folder, ImportOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var format = Open(folder);
        var name = new DirectoryInfo(folder).Name;
        var skipped = new SkippedLines(options);
        var ids = new StringPool();
        var catalogue = new Catalogue();
        ReadCatalogue(folder, format, ids, catalogue, skipped, ct);
        var ratingsFile = RatingsFile(folder, format);
        var ratings = new List<RatingRecord>(100_000);
        using (var reader = new MovieLensRatingReader(ratingsFile, format, ids)) reader.ReadAll(ratings, skipped, ct);
        if (ratings.Count == 0) throw new ImportException(ratingsFile, 0, "no ratings: the file is empty or every line was malformed");
        var members = format == MovieLensFormat.Latest ? MembersWhoRated(ratings) : catalogue.Members;
        var genres = format == MovieLensFormat.Ml100k ? catalogue.Genres : GenresOf(catalogue.Titles);
        return new MovieLensDataset(format, name, genres, catalogue.Titles, members, ratings, skipped);
    }

    /// <summary>
    /// Reads one ratings file on its own, such as a 100K fold (u1.base, u1.test): tab-separated user, item,
    /// rating, time. A .dat file is read as 1M ("::") and a .csv file as latest (with a header).
    /// </summary>
    public static IReadOnlyList<RatingRecord> ReadRatingsFile(string path, CancellationToken ct = default)
        => ReadRatingsFile(path, ImportOptions.Default, ct);

    /// <inheritdoc cref="ReadRatingsFile(string, CancellationToken)"/>
    public static IReadOnlyList<RatingRecord> ReadRatingsFile(string path, ImportOptions options, CancellationToken ct = default)
    {
        if (!File.Exists(path)) throw new ImportException(path, 0, "no such file");
        var skipped = new SkippedLines(options);
        var format = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".dat" => MovieLensFormat.Ml1m,
            ".csv" => MovieLensFormat.Latest,
            _ => MovieLensFormat.Ml100k,
        };
        var ratings = new List<RatingRecord>(100_000);
        using var reader = new MovieLensRatingReader(path, format, new StringPool());
        reader.ReadAll(ratings, skipped, ct);
        return ratings;
    }

    /// <summary>The layout of <paramref name="folder"/>, which must be a MovieLens release.</summary>
    internal static MovieLensFormat Open(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) throw new ImportException(folder, 0, "no such folder");
        return Detect(folder)
            ?? throw new ImportException(folder, 0, "not a MovieLens folder: expected u.data (100K), ratings.dat (1M) or ratings.csv (latest)");
    }

    /// <summary>The ratings file of a release of <paramref name="format"/>.</summary>
    internal static string RatingsFile(string folder, MovieLensFormat format) => Path.Combine(folder, format switch
    {
        MovieLensFormat.Ml100k => "u.data",
        MovieLensFormat.Ml1m => "ratings.dat",
        _ => "ratings.csv",
    });

    /// <summary>A release's genres, titles and members (none for latest, whose members are its raters), as read so far.</summary>
    internal sealed class Catalogue
    {
        public IReadOnlyList<string> Genres { get; set; } = [];
        public List<Title> Titles { get; } = new(4096);
        public List<Member> Members { get; } = new(1024);
    }

    /// <summary>
    /// Reads the small files of a release (genres, titles, members) into <paramref name="into"/>, which keeps
    /// what was read when a malformed line stops a file; every file needed is checked for first.
    /// </summary>
    internal static void ReadCatalogue(string folder, MovieLensFormat format, StringPool ids, Catalogue into, SkippedLines skipped, CancellationToken ct)
    {
        switch (format)
        {
            case MovieLensFormat.Ml100k:
            {
                string items = Require(folder, "u.item"), users = Require(folder, "u.user");
                into.Genres = MovieLens100kReader.ReadGenres(Path.Combine(folder, "u.genre"), skipped, ct);
                MovieLens100kReader.ReadTitles(items, into.Genres, ids, into.Titles, skipped, ct);
                MovieLens100kReader.ReadMembers(users, ids, into.Members, skipped, ct);
                break;
            }
            case MovieLensFormat.Ml1m:
            {
                string movies = Require(folder, "movies.dat"), users = Require(folder, "users.dat");
                MovieLens1mReader.ReadTitles(movies, ids, into.Titles, skipped, ct);
                MovieLens1mReader.ReadMembers(users, ids, into.Members, skipped, ct);
                break;
            }
            default:
                MovieLensLatestReader.ReadTitles(Require(folder, "movies.csv"), ids, into.Titles, skipped, ct);
                break;
        }
    }

    /// <summary>The year in a MovieLens title name such as "Toy Story (1995)", or null.</summary>
    public static int? YearOf(Title title) => title.ReleaseDate?.Year ?? MovieLensFields.YearFromName(title.Name);

    private static string Require(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        if (!File.Exists(path)) throw new ImportException(path, 0, $"missing: a MovieLens folder of this layout needs {file}");
        return path;
    }

    private static List<string> GenresOf(List<Title> titles)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var t in titles) set.UnionWith(t.Genres);
        return [.. set];
    }

    private static List<Member> MembersWhoRated(List<RatingRecord> ratings)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var members = new List<Member>();
        foreach (var r in ratings)
            if (seen.Add(r.MemberId)) members.Add(new Member { Id = r.MemberId });
        return members;
    }
}
