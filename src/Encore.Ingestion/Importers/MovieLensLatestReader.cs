using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// Reads the "latest" MovieLens releases (ml-latest-small, 20M, 25M, 32M): ratings.csv
/// (userId,movieId,rating,timestamp; half stars) and movies.csv (movieId,title,genres; titles with commas
/// are quoted). UTF-8, LF or CRLF line ends. There is no users file: members are those who rated.
/// (ratings.csv is read by <see cref="MovieLensRatingReader"/>.)
/// </summary>
internal static class MovieLensLatestReader
{
    /// <summary>Adds movies.csv's titles to <paramref name="titles"/> (which keeps those read before a line that stops the file).</summary>
    public static void ReadTitles(string path, StringPool ids, List<Title> titles, SkippedLines skips, CancellationToken ct)
    {
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
    }
}
