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
/// </summary>
public sealed class ImportRunner
{
    private const int TitleBatchSize = 1_000;

    private readonly IEventStore _store;
    private readonly IngestionPipeline _pipeline;
    private readonly ImportOptions _options;

    public ImportRunner(IEventStore store, ImportOptions? options = null, IngestionOptions? ingestion = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? ImportOptions.Default;
        if (_options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), _options.BatchSize, "BatchSize must be positive");
        _pipeline = new IngestionPipeline(store, ingestion, clock);
    }

    public async Task<ImportSummary> ImportAsync(string path, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        var sources = ImportSource.Detect(path);
        var format = sources.Count == 1 ? sources[0].Describe() : $"folder of {sources.Count} files";
        var run = new Run(_options, progress);
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
            e.Summary = run.Summary(path, format);
            throw;
        }
        return run.Summary(path, format);
    }

    private async Task ImportMovieLensAsync(string folder, Run run, CancellationToken ct)
    {
        var name = new DirectoryInfo(folder).Name;
        run.Report($"reading {name}", 0, 0, "files");
        var data = MovieLensDataset.Load(folder, _options, ct);
        run.Skipped.AddFrom(data.Skipped);

        run.Report("catalogue", 0, data.Titles.Count, "titles");
        for (int i = 0; i < data.Titles.Count; i += TitleBatchSize)
        {
            var chunk = data.Titles.Skip(i).Take(TitleBatchSize).ToList();
            await _store.UpsertTitlesAsync(chunk, ct).ConfigureAwait(false);
            run.Titles += chunk.Count;
            run.Report("catalogue", run.Titles, data.Titles.Count, "titles");
        }
        run.Report("members", 0, data.Members.Count, "members");
        await _store.UpsertMembersAsync(data.Members, ct).ConfigureAwait(false);
        run.Members += data.Members.Count;

        var ratingsFile = Path.Combine(folder, data.Format switch
        {
            MovieLensFormat.Ml100k => "u.data",
            MovieLensFormat.Ml1m => "ratings.dat",
            _ => "ratings.csv",
        });
        var batch = new List<ViewingEvent>(Math.Min(_options.BatchSize, data.Ratings.Count));
        var lines = new List<long>(batch.Capacity);
        for (int i = 0; i < data.Ratings.Count; i++)
        {
            batch.Add(MovieLensEvents.ToEvent(data.Name, data.Ratings[i]));
            // The dataset keeps no line numbers (blank and skipped lines shift them): name the event instead.
            lines.Add(0);
            if (batch.Count == _options.BatchSize || i == data.Ratings.Count - 1)
            {
                run.EventsRead += batch.Count;
                await FlushAsync(ratingsFile, batch, lines, run, ct).ConfigureAwait(false);
                run.Report("ratings", i + 1, data.Ratings.Count, "ratings");
            }
        }
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
                while (reader.TryReadLine(out ReadOnlySpan<byte> line))
                {
                    if ((reader.LineNumber & 0xFFF) == 0) ct.ThrowIfCancellationRequested();
                    if (line.Trim(" \t"u8).IsEmpty) continue;
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

    private async Task ImportEventsAsync(IEventFileReader reader, Run run, CancellationToken ct)
    {
        using (reader)
        {
            var stage = Path.GetFileName(reader.Path);
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
                    run.EventsRead += batch.Count;
                    await FlushAsync(reader.Path, batch, lines, run, ct).ConfigureAwait(false);
                    throw;
                }
                run.EventsRead += batch.Count;
                await FlushAsync(reader.Path, batch, lines, run, ct).ConfigureAwait(false);
                run.Report(stage, reader.Position, reader.Length, "bytes");
                if (!more) break;
            }
        }
    }

    private async Task FlushAsync(string file, List<ViewingEvent> batch, List<long> lines, Run run, CancellationToken ct)
    {
        if (batch.Count == 0) return;
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
        public int Titles { get; set; }
        public int Members { get; set; }
        public long EventsRead { get; set; }
        public long Imported { get; set; }
        public long Duplicates { get; set; }

        public void Report(string stage, long done, long total, string unit)
            => progress?.Report(new ImportProgress(stage, done, total, unit, Imported));

        public ImportSummary Summary(string source, string format)
        {
            var problems = new List<ImportException>(Skipped.Examples);
            problems.AddRange(Rejected.Examples);
            return new ImportSummary
            {
                Source = source,
                Format = format,
                Titles = Titles,
                Members = Members,
                EventsRead = EventsRead,
                Imported = Imported,
                Duplicates = Duplicates,
                Rejected = Rejected.Count,
                Skipped = Skipped.Count,
                Problems = problems,
                Elapsed = _clock.Elapsed,
            };
        }
    }
}
