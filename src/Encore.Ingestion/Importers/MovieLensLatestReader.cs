using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// Reads the "latest" MovieLens releases (ml-latest-small, 20M, 25M, 32M): ratings.csv
/// (userId,movieId,rating,timestamp; half stars) and movies.csv (movieId,title,genres; titles with commas
/// are quoted). UTF-8, LF or CRLF line ends. There is no users file: members are those who rated.
/// </summary>
internal static class MovieLensLatestReader
{
    public static List<Title> ReadTitles(string path, StringPool ids, SkippedLines skips, CancellationToken ct)
    {
        var titles = new List<Title>(16_384);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int idCol = 0, titleCol = 0, genresCol = 0;
        TextFiles.ForEachCsvRow(path, ["movieId", "title", "genres"], skips, ct,
            header => (idCol, titleCol, genresCol) = (header.IndexOf("movieId"), header.IndexOf("title"), header.IndexOf("genres")),
            row =>
            {
                var id = MovieLensFields.Id(row[idCol].Span, "movieId", ids);
                if (!seen.Add(id)) throw new MalformedLineException($"movieId {id} appears twice");
                var name = row[titleCol].Span.Trim().ToString();
                if (name.Length == 0) throw new MalformedLineException("title is empty");
                titles.Add(new Title { Id = id, Name = name, Genres = MovieLens1mReader.SplitGenres(row[genresCol].Span) });
            });
        return titles;
    }

    public static void ReadRatings(string path, StringPool ids, List<RatingRecord> ratings, SkippedLines skips, CancellationToken ct)
    {
        int userCol = 0, movieCol = 0, ratingCol = 0, timeCol = 0;
        TextFiles.ForEachCsvRow(path, ["userId", "movieId", "rating", "timestamp"], skips, ct,
            header => (userCol, movieCol, ratingCol, timeCol) =
                (header.IndexOf("userId"), header.IndexOf("movieId"), header.IndexOf("rating"), header.IndexOf("timestamp")),
            row => ratings.Add(new RatingRecord(
                MovieLensFields.Id(row[userCol].Span, "userId", ids),
                MovieLensFields.Id(row[movieCol].Span, "movieId", ids),
                MovieLensFields.Rating(row[ratingCol].Span),
                MovieLensFields.UnixSeconds(row[timeCol].Span))));
    }
}
