using System.Diagnostics;
using System.Globalization;
using Encore.Core;
using Encore.Ingestion;
using Encore.Ingestion.Importers;
using Encore.Storage;

namespace Encore.Bench;

/// <summary>
/// Import of MovieLens 100K into a fresh SQLite file (what `encore import` does: read and parse the files,
/// upsert catalogue and members, ratings through the ingestion pipeline in batches of 5,000, sealed), against
/// two same-run references: parsing the files alone, and the pipeline ingest alone of the same events
/// already built (catalogue already stored). Each is run --runs times (3); medians are reported.
/// Options: --data DIR (../shared/data/ml-100k), --runs N.
/// </summary>
public sealed class ImportBench : IBench
{
    public string Name => "import";

    public string Description => "MovieLens 100K into a fresh SQLite file (encore import): wall time, ratio to parsing alone and to ingest alone";

    public async Task<int> RunAsync(string[] args)
    {
        var data = Option(args, "--data") ?? FindMl100k();
        if (data is null || MovieLensDataset.Detect(data) is null)
        {
            Console.Error.WriteLine("MovieLens 100K not found: pass --data DIR (a folder with u.data) or put it at ../shared/data/ml-100k");
            return 2;
        }
        int runs = Option(args, "--runs") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 3;
        var folder = Path.Combine(Path.GetTempPath(), "encore-import-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        try
        {
            var parse = new List<(double Wall, double Cpu)>();
            var import = new List<(double Wall, double Cpu)>();
            var ingest = new List<(double Wall, double Cpu)>();
            long events = 0;
            // Warm-up: JIT and file cache, so that run 1 is not an outlier of the first-time costs.
            await ImportOnceAsync(data, Path.Combine(folder, "warmup.db"));
            for (int run = 0; run < runs; run++)
            {
                parse.Add(Measure(() => events = MovieLensDataset.Load(data).Ratings.Count));
                import.Add(await MeasureAsync(() => ImportOnceAsync(data, Path.Combine(folder, $"import-{run}.db"))));
                ingest.Add(await IngestOnlyAsync(data, Path.Combine(folder, $"ingest-{run}.db")));
            }
            var (parseWall, parseCpu) = Median(parse);
            var (importWall, importCpu) = Median(import);
            var (ingestWall, ingestCpu) = Median(ingest);
            Console.WriteLine($"data        {data} ({events:N0} ratings), {runs} runs, medians; {Environment.ProcessorCount} cores");
            Console.WriteLine($"import      {importWall,7:F3} s wall, {importCpu,7:F3} CPU s = {events / importWall,10:N0} ratings/s (parse + catalogue + pipeline + seal, fresh file)");
            Console.WriteLine($"parse only  {parseWall,7:F3} s wall, {parseCpu,7:F3} CPU s = {events / parseWall,10:N0} ratings/s (MovieLensDataset.Load: u.data, u.item, u.user, u.genre)");
            Console.WriteLine($"ingest only {ingestWall,7:F3} s wall, {ingestCpu,7:F3} CPU s = {events / ingestWall,10:N0} events/s (IngestionPipeline of the prebuilt events, batches of 5,000, + seal)");
            Console.WriteLine($"ratio       import / parse: wall {importWall / parseWall:F1}, CPU {importCpu / parseCpu:F1}; import / (parse + ingest): wall {importWall / (parseWall + ingestWall):F2}, CPU {importCpu / (parseCpu + ingestCpu):F2}");
            return 0;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task ImportOnceAsync(string data, string databasePath)
    {
        await using var store = await SqliteEventStore.OpenAsync(databasePath);
        var summary = await new ImportRunner(store).ImportAsync(data);
        await store.FlushAsync();
        if (summary.Rejected + summary.Skipped > 0) throw new InvalidOperationException($"import rejected {summary.Rejected} and skipped {summary.Skipped}");
    }

    private static async Task<(double Wall, double Cpu)> IngestOnlyAsync(string data, string databasePath)
    {
        var dataset = MovieLensDataset.Load(data);
        var batches = dataset.Ratings.Select(r => MovieLensEvents.ToEvent(dataset.Name, r)).Chunk(ImportOptions.Default.BatchSize).ToList();
        await using var store = await SqliteEventStore.OpenAsync(databasePath);
        await store.UpsertTitlesAsync(dataset.Titles);
        await store.UpsertMembersAsync(dataset.Members);
        var pipeline = new IngestionPipeline(store);
        return await MeasureAsync(async () =>
        {
            foreach (var batch in batches) await pipeline.IngestAsync(batch);
            await store.FlushAsync();
        });
    }

    private static (double, double) Measure(Action work)
    {
        double cpu = CpuSeconds();
        var clock = Stopwatch.StartNew();
        work();
        return (clock.Elapsed.TotalSeconds, CpuSeconds() - cpu);
    }

    private static async Task<(double, double)> MeasureAsync(Func<Task> work)
    {
        double cpu = CpuSeconds();
        var clock = Stopwatch.StartNew();
        await work();
        return (clock.Elapsed.TotalSeconds, CpuSeconds() - cpu);
    }

    private static (double Wall, double Cpu) Median(List<(double Wall, double Cpu)> samples)
    {
        var walls = samples.Select(s => s.Wall).Order().ToList();
        var cpus = samples.Select(s => s.Cpu).Order().ToList();
        return (walls[walls.Count / 2], cpus[cpus.Count / 2]);
    }

    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static string? FindMl100k()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "ml-100k");
            if (File.Exists(Path.Combine(candidate, "u.data"))) return candidate;
        }
        return null;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
