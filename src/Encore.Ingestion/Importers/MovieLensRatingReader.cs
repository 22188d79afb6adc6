using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// The one reader of MovieLens ratings files, a rating at a time with its line: u.data and the 100K folds
/// (user, item, rating, Unix time; tab-separated, latin-1), ratings.dat ("::", latin-1) and ratings.csv
/// (a header userId,movieId,rating,timestamp; UTF-8). <see cref="MovieLensDataset"/> collects what it reads;
/// the import streams it to the store through <see cref="MovieLensRatingEventReader"/>. Malformed lines are
/// reported to the caller's <see cref="SkippedLines"/> at their line (which throws under Stop) and passed over.
/// </summary>
internal sealed class MovieLensRatingReader : IDisposable
{
    private readonly LineReader? _lines;
    private readonly CsvRowReader? _rows;
    private readonly StringPool _ids;
    private readonly string _separator = "";
    private readonly string _layout = "";
    private readonly string _itemField = "";
    private readonly int _user, _movie, _rating, _time;

    /// <summary>Opens <paramref name="path"/> as the ratings file of <paramref name="format"/>; ids are pooled in <paramref name="ids"/>.</summary>
    public MovieLensRatingReader(string path, MovieLensFormat format, StringPool ids)
    {
        _ids = ids;
        switch (format)
        {
            case MovieLensFormat.Ml100k:
                (_separator, _layout, _itemField) = ("\t", "user id, item id, rating, timestamp", "item id");
                _lines = new LineReader(path, TextEncoding.Latin1);
                break;
            case MovieLensFormat.Ml1m:
                (_separator, _layout, _itemField) = ("::", "UserID::MovieID::Rating::Timestamp", "movie id");
                _lines = new LineReader(path, TextEncoding.Latin1);
                break;
            default:
                _rows = new CsvRowReader(path, ["userId", "movieId", "rating", "timestamp"]);
                (_user, _movie, _rating, _time) =
                    (_rows.ColumnIndex("userId"), _rows.ColumnIndex("movieId"), _rows.ColumnIndex("rating"), _rows.ColumnIndex("timestamp"));
                break;
        }
        Path = path;
    }

    public string Path { get; }

    /// <summary>Bytes of the file read so far, and in all: the progress measure.</summary>
    public long Position => _lines?.BytesConsumed ?? _rows!.Position;
    public long Length => _lines?.Length ?? _rows!.Length;

    /// <summary>The line of the rating last read (1-based).</summary>
    public long LineNumber => _lines?.LineNumber ?? _rows!.LineNumber;

    /// <summary>
    /// Reads up to <paramref name="max"/> well-formed ratings into <paramref name="sink"/>, each with its line;
    /// returns how many (0 at the end of the file). A generic sink rather than one rating per call: handing a
    /// rating (two references) out through a parameter costs its write barriers, a tenth of the loop.
    /// </summary>
    public int Read<TSink>(ref TSink sink, int max, SkippedLines skips, CancellationToken ct) where TSink : struct, IRatingSink
    {
        int read = 0;
        if (_lines is { } lines)
        {
            while (read < max && lines.TryReadText(skips, ct, out var line))
            {
                try
                {
                    sink.Add(MovieLensFields.SeparatedRating(line, _separator, _layout, _itemField, _ids), lines.LineNumber);
                }
                catch (MalformedLineException e)
                {
                    skips.Report(Path, lines.LineNumber, e.Reason);
                    continue;
                }
                read++;
            }
            return read;
        }
        var rows = _rows!;
        while (read < max && rows.TryReadRow(skips, ct, out var row))
        {
            try
            {
                sink.Add(new RatingRecord(
                    MovieLensFields.Id(row[_user].Span, "userId", _ids),
                    MovieLensFields.Id(row[_movie].Span, "movieId", _ids),
                    MovieLensFields.Rating(row[_rating].Span),
                    MovieLensFields.UnixSeconds(row[_time].Span)), rows.LineNumber);
            }
            catch (MalformedLineException e)
            {
                skips.Report(Path, rows.LineNumber, e.Reason);
                continue;
            }
            read++;
        }
        return read;
    }

    /// <summary>Reads every well-formed rating into <paramref name="ratings"/>.</summary>
    public void ReadAll(List<RatingRecord> ratings, SkippedLines skips, CancellationToken ct)
    {
        var sink = new ListSink(ratings);
        Read(ref sink, int.MaxValue, skips, ct);
    }

    private readonly struct ListSink(List<RatingRecord> ratings) : IRatingSink
    {
        public void Add(in RatingRecord rating, long line) => ratings.Add(rating);
    }

    public void Dispose()
    {
        _lines?.Dispose();
        _rows?.Dispose();
    }
}

/// <summary>Receives what <see cref="MovieLensRatingReader.Read"/> reads: a rating and its line.</summary>
internal interface IRatingSink
{
    void Add(in RatingRecord rating, long line);
}

/// <summary>A MovieLens ratings file as rating events (<see cref="MovieLensEvents.ToEvent"/>), each with its line.</summary>
internal sealed class MovieLensRatingEventReader(string datasetName, MovieLensRatingReader ratings) : IEventFileReader
{
    public string Path => ratings.Path;
    public long Position => ratings.Position;
    public long Length => ratings.Length;

    public bool ReadBatch(List<ViewingEvent> events, List<long> lines, int max, SkippedLines skipped, CancellationToken ct)
    {
        var sink = new EventSink(datasetName, events, lines);
        return ratings.Read(ref sink, max, skipped, ct) > 0;
    }

    private readonly struct EventSink(string datasetName, List<ViewingEvent> events, List<long> lines) : IRatingSink
    {
        public void Add(in RatingRecord rating, long line)
        {
            events.Add(MovieLensEvents.ToEvent(datasetName, rating));
            lines.Add(line);
        }
    }

    public void Dispose() => ratings.Dispose();
}
