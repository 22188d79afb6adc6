using System.Diagnostics;
using Encore.Core;
using Encore.Storage;

namespace Encore.Ingestion.Importers;

/// <summary>
/// Imports a file or folder into a store: detects the format (<see cref="ImportSource.Detect"/>), writes
/// catalogue and members with the store's upserts, and sends events through the
/// <see cref="IngestionPipeline"/> in batches, so that imported events obey the same validation as live
/// ones. Malformed lines and rejected events are reported as file:line: reason; under
/// <see cref="ImportErrorMode.Stop"/> the first one ends the import with an <see cref="ImportException"/>
/// (everything before it is stored, and at most the rest of its batch after it; its
/// <see cref="ImportException.Summary"/> says what was), under Skip they are counted in the summary.
/// One rule for empty files, whatever the format (JSON Lines, CSV, a MovieLens ratings file): a file of 0
/// bytes, only blank lines or only a byte order mark (or a CSV header alone) imports nothing and is no error;
/// the summary lists it in <see cref="ImportSummary.EmptyFiles"/>. A CSV file with content whose first line is
/// not a header naming the required columns is an error.
/// </summary>
public sealed class ImportRunner
{
    private const int TitleBatchSize = 1_000;

    private readonly IEventStore _store;
    private readonly IngestionPipeline _pipeline;
    private readonly ImportOptions _options;

    /// <summary>An importer into <paramref name="store"/>; the options default to <see cref="ImportOptions.Default"/> and <see cref="IngestionOptions.Default"/>, the clock to the system's.</summary>
    public ImportRunner(IEventStore store, ImportOptions? options = null, IngestionOptions? ingestion = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? ImportOptions.Default;
        if (_options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), _options.BatchSize, "BatchSize must be positive");
        _pipeline = new IngestionPipeline(store, ingestion, clock);
    }

    /// <summary>Imports the file or folder at <paramref name="path"/>, reporting progress, and says what was stored; a problem under <see cref="ImportErrorMode.Stop"/> throws an <see cref="ImportException"/>.</summary>
    public async Task<ImportSummary> ImportAsync(string path, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        var sources = ImportSource.Detect(path);
        var format = sources.Count == 1 ? sources[0].Describe() : $"folder of {sources.Count} files";
        var run = new Run(_options, progress);
        // Members and titles that events register are created by the store, not counted on the way: the
        // store's totals before and after say how many the import added.
        var before = await _store.GetStatisticsAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var source in sources)
            {
                ct.ThrowIfCancellationRequested();
                switch (source.Kind)
                {
                    case ImportSourceKind.MovieLens: await ImportMovieLensAsync(source.Path, run, ct).ConfigureAwait(false); break;
                    case ImportSourceKind.TitlesJsonLines: await ImportTitlesAsync(source.Path, run, ct).ConfigureAwait(false); break;
                    case ImportSourceKind.EventsCsv: await ImportEventsAsync(new CsvEventReader(source.Path), run, ct).ConfigureAwait(false); break;
                    default: await ImportEventsAsync(new JsonLinesEventReader(source.Path), run, ct).ConfigureAwait(false); break;
                }
            }
        }
        catch (ImportException e) when (e.Summary is null)
        {
            // Whoever reports the stop can then say truly what is stored.
            StoreStatistics after;
            try
            {
                after = await _store.GetStatisticsAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The problem in the file is the error to report; without the totals no new ones are counted.
                after = before;
            }
            e.Summary = run.Summary(path, format, before, after);
            throw;
        }
        return run.Summary(path, format, before, await _store.GetStatisticsAsync(ct).ConfigureAwait(false));
    }

    /// <summary>
    /// A MovieLens release: its small files (genres, titles, members) read and stored first, then its ratings
    /// file streamed through the pipeline in batches like any events file, with real line numbers. Under Stop a
    /// bad line stores what came before it, catalogue lines included.
    /// </summary>
    private async Task ImportMovieLensAsync(string folder, Run run, CancellationToken ct)
    {
        var format = MovieLensDataset.Open(folder);
        var name = new DirectoryInfo(folder).Name;
        var ids = new StringPool();
        var catalogue = new MovieLensDataset.Catalogue();
        run.Report($"reading {name}", 0, 0, "files");
        try
        {
            MovieLensDataset.ReadCatalogue(folder, format, ids, catalogue, run.Skipped, ct);
        }
        catch (ImportException)
        {
            await StoreCatalogueAsync(catalogue, run, ct).ConfigureAwait(false);
            throw;
        }
        await StoreCatalogueAsync(catalogue, run, ct).ConfigureAwait(false);

        var ratings = new MovieLensRatingEventReader(name, new MovieLensRatingReader(MovieLensDataset.RatingsFile(folder, format), format, ids));
        if (format != MovieLensFormat.Latest)
        {
            await ImportEventsAsync(ratings, run, ct).ConfigureAwait(false);
            return;
        }
        // Latest has no users file: its members are its raters, stored as they first appear (also when the
        // ingestion options reject unknown members), never replacing a member the store already has.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var fresh = new List<string>();
        await ImportEventsAsync(ratings, run, ct, async (batch, ct) =>
        {
            fresh.Clear();
            foreach (var e in batch)
                if (seen.Add(e.MemberId)) fresh.Add(e.MemberId);
            if (fresh.Count == 0) return;
            var known = await _store.GetKnownMemberIdsAsync(fresh, ct).ConfigureAwait(false);
            var members = new List<Member>(fresh.Count);
            foreach (var id in fresh)
                if (!known.Contains(id)) members.Add(new Member { Id = id });
            if (members.Count == 0) return;
            await _store.UpsertMembersAsync(members, ct).ConfigureAwait(false);
            run.Members += members.Count;
        }).ConfigureAwait(false);
    }

    private async Task StoreCatalogueAsync(MovieLensDataset.Catalogue catalogue, Run run, CancellationToken ct)
    {
        var titles = catalogue.Titles;
        run.Report("catalogue", 0, titles.Count, "titles");
        for (int i = 0; i < titles.Count; i += TitleBatchSize)
        {
            var chunk = titles.GetRange(i, Math.Min(TitleBatchSize, titles.Count - i));
            await _store.UpsertTitlesAsync(chunk, ct).ConfigureAwait(false);
            run.Titles += chunk.Count;
            run.Report("catalogue", run.Titles, titles.Count, "titles");
        }
        if (catalogue.Members.Count == 0) return;
        run.Report("members", 0, catalogue.Members.Count, "members");
        await _store.UpsertMembersAsync(catalogue.Members, ct).ConfigureAwait(false);
        run.Members += catalogue.Members.Count;
    }

    private async Task ImportTitlesAsync(string path, Run run, CancellationToken ct)
    {
        var stage = Path.GetFileName(path);
        using var reader = new LineReader(path, TextEncoding.Utf8);
        var chunk = new List<Title>(TitleBatchSize);
        while (true)
        {
            bool more = false;
            try
            {
                while (reader.TryReadDataLine(ct, out ReadOnlySpan<byte> line))
                {
                    try
                    {
                        chunk.Add(TitleJson.Parse(line));
                    }
                    catch (MalformedLineException e)
                    {
                        run.Skipped.Report(path, reader.LineNumber, e.Reason);
                    }
                    if (chunk.Count == TitleBatchSize)
                    {
                        more = true;
                        break;
                    }
                }
            }
            catch (ImportException)
            {
                // Stop: the titles before the bad line are imported, as events are.
                await UpsertTitlesAsync(chunk, run, ct).ConfigureAwait(false);
                throw;
            }
            await UpsertTitlesAsync(chunk, run, ct).ConfigureAwait(false);
            run.Report(stage, reader.BytesConsumed, reader.Length, "bytes");
            if (!more) break;
        }
    }

    private async Task UpsertTitlesAsync(List<Title> chunk, Run run, CancellationToken ct)
    {
        if (chunk.Count == 0) return;
        await _store.UpsertTitlesAsync(chunk, ct).ConfigureAwait(false);
        run.Titles += chunk.Count;
        chunk.Clear();
    }

    /// <summary>
    /// Streams one file's events through the pipeline a batch at a time; <paramref name="beforeEachBatch"/>, if
    /// given, sees each batch before it is sent.
    /// </summary>
    private async Task ImportEventsAsync(IEventFileReader reader, Run run, CancellationToken ct,
        Func<List<ViewingEvent>, CancellationToken, Task>? beforeEachBatch = null)
    {
        using (reader)
        {
            var stage = Path.GetFileName(reader.Path);
            long readBefore = run.EventsRead;
            int skippedBefore = run.Skipped.Count;
            var batch = new List<ViewingEvent>(_options.BatchSize);
            var lines = new List<long>(_options.BatchSize);
            run.Report(stage, 0, reader.Length, "bytes");
            while (true)
            {
                bool more;
                try
                {
                    more = reader.ReadBatch(batch, lines, _options.BatchSize, run.Skipped, ct);
                }
                catch (ImportException)
                {
                    // Stop: what came before the bad line is imported, nothing after it.
                    await FlushAsync(reader.Path, batch, lines, run, beforeEachBatch, ct).ConfigureAwait(false);
                    throw;
                }
                await FlushAsync(reader.Path, batch, lines, run, beforeEachBatch, ct).ConfigureAwait(false);
                run.Report(stage, reader.Position, reader.Length, "bytes");
                if (!more) break;
            }
            if (run.EventsRead == readBefore && run.Skipped.Count == skippedBefore) run.EmptyFiles.Add(reader.Path);
        }
    }

    private async Task FlushAsync(string file, List<ViewingEvent> batch, List<long> lines, Run run,
        Func<List<ViewingEvent>, CancellationToken, Task>? beforeEachBatch, CancellationToken ct)
    {
        if (batch.Count == 0) return;
        run.EventsRead += batch.Count;
        if (beforeEachBatch is not null) await beforeEachBatch(batch, ct).ConfigureAwait(false);
        var result = await _pipeline.IngestAsync(batch, ct).ConfigureAwait(false);
        run.Imported += result.Accepted;
        run.Duplicates += result.Duplicates;
        foreach (var rejection in result.Rejected)
        {
            var reason = $"{EventFields.FromPropertyName(rejection.Field)}: {rejection.Reason} (event {(rejection.EventId is { } id ? UnicodeText.Clip(id) : "without id")})";
            run.Rejected.Report(file, lines[rejection.Index], reason);
        }
        batch.Clear();
        lines.Clear();
    }

    /// <summary>The tallies of one import.</summary>
    private sealed class Run(ImportOptions options, IProgress<ImportProgress>? progress)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public SkippedLines Skipped { get; } = new(options);
        public SkippedLines Rejected { get; } = new(options);
        public List<string> EmptyFiles { get; } = [];
        public int Titles { get; set; }
        public int Members { get; set; }
        public long EventsRead { get; set; }
        public long Imported { get; set; }
        public long Duplicates { get; set; }

        public void Report(string stage, long done, long total, string unit)
            => progress?.Report(new ImportProgress(stage, done, total, unit, Imported));

        public ImportSummary Summary(string source, string format, StoreStatistics before, StoreStatistics after)
        {
            var problems = new List<ImportException>(Skipped.Examples);
            problems.AddRange(Rejected.Examples);
            return new ImportSummary
            {
                Source = source,
                Format = format,
                Titles = Titles,
                Members = Members,
                NewTitles = Math.Max(0, after.Titles - before.Titles),
                NewMembers = Math.Max(0, after.Members - before.Members),
                EventsRead = EventsRead,
                Imported = Imported,
                Duplicates = Duplicates,
                Rejected = Rejected.Count,
                Skipped = Skipped.Count,
                EmptyFiles = [.. EmptyFiles],
                Problems = problems,
                Elapsed = _clock.Elapsed,
            };
        }
    }
}
