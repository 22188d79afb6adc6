using System.Text;
using Encore.Ingestion.Importers;
using Encore.TestSupport;
using Xunit;

namespace Encore.Ingestion.Tests.Importers;

public sealed class MovieLensDatasetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Ml100k_reads_titles_members_ratings_and_latin1_names()
    {
        using var temp = new TempFolder();
        var folder = Fixtures.Ml100k(temp.Path);

        var data = MovieLensDataset.Load(folder, Ct);

        Assert.Equal(MovieLensFormat.Ml100k, data.Format);
        Assert.Equal("ml-100k", data.Name);
        Assert.Equal(19, data.Genres.Count);
        Assert.Equal(3, data.Titles.Count);
        Assert.Equal("Misérables, Les (1995)", data.Titles[1].Name);
        Assert.Equal(["Drama", "Musical"], data.Titles[1].Genres);
        Assert.Equal(["Animation", "Children's", "Comedy"], data.Titles[0].Genres);
        Assert.Equal(new DateOnly(1995, 1, 1), data.Titles[0].ReleaseDate);
        Assert.Null(data.Titles[2].ReleaseDate);
        Assert.Equal(["unknown"], data.Titles[2].Genres);
        Assert.Equal(1995, MovieLensDataset.YearOf(data.Titles[1]));
        Assert.Equal(2, data.Members.Count);
        Assert.Equal("technician", data.Members[0].Attributes["occupation"]);
        Assert.Equal("53", data.Members[1].Attributes["age"]);
        Assert.Equal(
            [new("1", "1", 5f, 874965758), new("1", "2", 3f, 876893171), new("2", "1", 4f, 888550871), new RatingRecord("2", "3", 1f, 888551000)],
            data.Ratings);
        Assert.Equal(0, data.Skipped.Count);
    }

    [Fact]
    public void Ml1m_reads_double_colon_files_in_latin1()
    {
        using var temp = new TempFolder();
        var folder = Directory.CreateDirectory(Path.Combine(temp.Path, "ml-1m")).FullName;
        Fixtures.WriteLatin1(folder, "movies.dat", "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Misérables, Les (1995)::Drama|Musical\n");
        Fixtures.WriteLatin1(folder, "users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n");
        Fixtures.WriteLatin1(folder, "ratings.dat", "1::1::5::978300760\n1::2::3::978302109\n2::2::4::978301968\n");

        var data = MovieLensDataset.Load(folder, Ct);

        Assert.Equal(MovieLensFormat.Ml1m, data.Format);
        Assert.Equal("ml-1m", data.Name);
        Assert.Equal("Misérables, Les (1995)", data.Titles[1].Name);
        Assert.Equal(["Drama", "Musical"], data.Titles[1].Genres);
        Assert.Equal(["Animation", "Children's", "Comedy", "Drama", "Musical"], data.Genres);
        Assert.Equal("K-12 student", data.Members[0].Attributes["occupation"]);
        Assert.Equal("self-employed", data.Members[1].Attributes["occupation"]);
        Assert.Equal(3, data.Ratings.Count);
        Assert.Equal(new RatingRecord("2", "2", 4f, 978301968), data.Ratings[2]);
    }

    [Fact]
    public void Latest_reads_quoted_commas_crlf_half_stars_and_utf8()
    {
        using var temp = new TempFolder();
        var folder = Directory.CreateDirectory(Path.Combine(temp.Path, "ml-latest-small")).FullName;
        Fixtures.WriteUtf8(folder, "movies.csv",
            "movieId,title,genres\r\n" +
            "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\r\n" +
            "11,\"American President, The (1995)\",Comedy|Drama|Romance\r\n" +
            "73,\"Misérables, Les (1995)\",Drama|War\r\n" +
            "99,\"Quote \"\"Inside\"\" (2001)\",(no genres listed)\r\n");
        Fixtures.WriteUtf8(folder, "ratings.csv",
            "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,11,3.5,964981247\r\n7,73,0.5,1106635946\r\n1,99,5.0,964982224\r\n");

        var data = MovieLensDataset.Load(folder, Ct);

        Assert.Equal(MovieLensFormat.Latest, data.Format);
        Assert.Equal(4, data.Titles.Count);
        Assert.Equal("American President, The (1995)", data.Titles[1].Name);
        Assert.Equal(["Comedy", "Drama", "Romance"], data.Titles[1].Genres);
        Assert.Equal("Misérables, Les (1995)", data.Titles[2].Name);
        Assert.Equal("Quote \"Inside\" (2001)", data.Titles[3].Name);
        Assert.Empty(data.Titles[3].Genres);
        Assert.Equal(2001, MovieLensDataset.YearOf(data.Titles[3]));
        Assert.Equal([3.5f, 0.5f], [data.Ratings[1].Rating, data.Ratings[2].Rating]);
        Assert.Equal(["1", "7"], data.Members.Select(m => m.Id));
    }

    [Fact]
    public void Malformed_line_stops_with_file_line_and_reason()
    {
        using var temp = new TempFolder();
        var folder = Fixtures.Ml100k(temp.Path, "1\t1\t5\t874965758\n1\t2\tfive\t876893171\n2\t1\t4\t888550871\n");

        var e = Assert.Throws<ImportException>(() => MovieLensDataset.Load(folder, Ct));

        Assert.Equal(Path.Combine(folder, "u.data"), e.File);
        Assert.Equal(2, e.Line);
        Assert.Contains("rating 'five' is not a number", e.Reason);
        Assert.Equal($"{e.File}:2: {e.Reason}", e.Message);
    }

    [Fact]
    public void Skip_mode_counts_malformed_lines_and_keeps_the_good_ones()
    {
        using var temp = new TempFolder();
        var folder = Fixtures.Ml100k(temp.Path,
            "1\t1\t5\t874965758\n" +
            "1\t2\n" +                               // too few fields
            "2\t1\t1e40\t888550871\n" +              // huge rating
            "99999999999\t1\t4\t888550871\n" +       // id beyond 32 bits
            "2\t1\t4\t99999999999999999999\n" +      // timestamp beyond long
            "2\t1\t4\t888550871\t7\n" +              // too many fields
            "\n" +                                   // blank: ignored, not an error
            "2\t3\t2.5\t888551000\n");

        var data = MovieLensDataset.Load(folder, new ImportOptions { OnError = ImportErrorMode.Skip }, Ct);

        Assert.Equal(2, data.Ratings.Count);
        Assert.Equal(5, data.Skipped.Count);
        Assert.Equal([2L, 3, 4, 5, 6], data.Skipped.Examples.Select(e => e.Line));
        Assert.Contains("expected 4 fields", data.Skipped.Examples[0].Reason);
        Assert.Contains("outside 0.5..5", data.Skipped.Examples[1].Reason);
        Assert.Contains("not a positive integer id", data.Skipped.Examples[2].Reason);
        Assert.Contains("timestamp", data.Skipped.Examples[3].Reason);
        Assert.Contains("found 5", data.Skipped.Examples[4].Reason);
    }

    [Fact]
    public void Empty_ratings_file_is_an_error()
    {
        using var temp = new TempFolder();
        var folder = Fixtures.Ml100k(temp.Path, "");

        var e = Assert.Throws<ImportException>(() => MovieLensDataset.Load(folder, Ct));

        Assert.EndsWith("u.data", e.File);
        Assert.Contains("no ratings", e.Reason);
    }

    [Fact]
    public void Latin1_bytes_in_a_utf8_csv_stop_at_their_line_or_are_skipped()
    {
        using var temp = new TempFolder();
        var folder = Directory.CreateDirectory(Path.Combine(temp.Path, "ml-latest")).FullName;
        Fixtures.WriteLatin1(folder, "movies.csv", "movieId,title,genres\n1,Toy Story (1995),Comedy\n2,\"Misérables, Les (1995)\",Drama\n3,Heat (1995),Action\n");
        Fixtures.WriteUtf8(folder, "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n");

        var stop = Assert.Throws<ImportException>(() => MovieLensDataset.Load(folder, Ct));
        var skip = MovieLensDataset.Load(folder, new ImportOptions { OnError = ImportErrorMode.Skip }, Ct);

        Assert.EndsWith("movies.csv", stop.File);
        Assert.Equal(3, stop.Line);
        Assert.Contains("invalid UTF-8: byte 0xE9", stop.Reason);
        Assert.Equal(["1", "3"], skip.Titles.Select(t => t.Id));
        var skipped = Assert.Single(skip.Skipped.Examples);
        Assert.Equal((3L, stop.Reason), (skipped.Line, skipped.Reason));
    }

    [Fact]
    public void Invalid_utf8_deep_in_a_latest_ratings_file_is_skipped_without_losing_the_rows_around_it()
    {
        using var temp = new TempFolder();
        var folder = Directory.CreateDirectory(Path.Combine(temp.Path, "ml-latest")).FullName;
        Fixtures.WriteUtf8(folder, "movies.csv", "movieId,title,genres\n1,Toy Story (1995),Comedy\n");
        var ratings = new StringBuilder("userId,movieId,rating,timestamp\n");
        for (int i = 1; i <= 30_000; i++) ratings.Append(i).Append(",1,4.0,964982703\n");
        byte[] bytes = [.. Encoding.UTF8.GetBytes(ratings.ToString()), .. Encoding.Latin1.GetBytes("7,1,4.0,9649827é3\n"), .. "8,1,3.5,964982704\n"u8];
        Fixtures.WriteBytes(folder, "ratings.csv", bytes);

        var data = MovieLensDataset.Load(folder, new ImportOptions { OnError = ImportErrorMode.Skip }, Ct);

        Assert.Equal(30_001, data.Ratings.Count);
        Assert.Equal(new RatingRecord("8", "1", 3.5f, 964982704), data.Ratings[^1]);
        Assert.Equal(30_002, Assert.Single(data.Skipped.Examples).Line);
    }

    [Fact]
    public void Utf16_file_is_rejected_with_a_reason()
    {
        using var temp = new TempFolder();
        var folder = Fixtures.Ml100k(temp.Path);
        Fixtures.WriteBytes(folder, "u.data", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("1\t1\t5\t874965758\n")]);

        var e = Assert.Throws<ImportException>(() => MovieLensDataset.Load(folder, Ct));

        Assert.Contains("UTF-16", e.Reason);
    }

    [Fact]
    public void Csv_row_with_an_open_quote_is_malformed()
    {
        using var temp = new TempFolder();
        var folder = Directory.CreateDirectory(Path.Combine(temp.Path, "ml-latest")).FullName;
        Fixtures.WriteUtf8(folder, "movies.csv", "movieId,title,genres\n1,\"Toy Story (1995),Comedy\n2,Heat (1995),Action\n");
        Fixtures.WriteUtf8(folder, "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n");

        var e = Assert.Throws<ImportException>(() => MovieLensDataset.Load(folder, Ct));

        Assert.EndsWith("movies.csv", e.File);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Folder_without_ratings_is_not_movielens()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("notes.txt"), "hello");

        var e = Assert.Throws<ImportException>(() => MovieLensDataset.Load(temp.Path, Ct));

        Assert.Contains("not a MovieLens folder", e.Reason);
        Assert.Null(MovieLensDataset.Detect(temp.Path));
    }

    [Fact]
    public void Missing_companion_file_is_named()
    {
        using var temp = new TempFolder();
        var folder = Fixtures.Ml100k(temp.Path);
        File.Delete(Path.Combine(folder, "u.user"));

        var e = Assert.Throws<ImportException>(() => MovieLensDataset.Load(folder, Ct));

        Assert.EndsWith("u.user", e.File);
    }

    [Fact]
    public void ReadRatingsFile_reads_one_fold_file()
    {
        using var temp = new TempFolder();
        var path = Fixtures.WriteLatin1(temp.Path, "u1.test", "1\t6\t5\t887431973\r\n1\t10\t3\t875693118\r\n");

        var ratings = MovieLensDataset.ReadRatingsFile(path, Ct);

        Assert.Equal([new("1", "6", 5f, 887431973), new RatingRecord("1", "10", 3f, 875693118)], ratings);
    }

    [Fact]
    public void Real_MovieLens_100k_has_the_published_counts()
    {
        var folder = SharedData.RequireMl100k();

        var data = MovieLensDataset.Load(folder, Ct);

        Assert.Equal(100_000, data.Ratings.Count);
        Assert.Equal(943, data.Members.Count);
        Assert.Equal(1_682, data.Titles.Count);
        Assert.Equal(19, data.Genres.Count);
        Assert.Contains("unknown", data.Genres);
        Assert.Equal(new RatingRecord("196", "242", 3f, 881250949), data.Ratings[0]);
        Assert.Contains(data.Titles, t => t.Name == "Misérables, Les (1995)");
        Assert.Contains(data.Titles, t => t.Name == "Á köldum klaka (Cold Fever) (1994)");
        Assert.DoesNotContain(data.Titles, t => t.Name.Contains('\uFFFD'));
        Assert.Equal(80_000, MovieLensDataset.ReadRatingsFile(Path.Combine(folder, "u1.base"), Ct).Count);
    }
}
