using System.Diagnostics;
using System.Globalization;
using Encore.Storage;
using Encore.Storage.Postgres;
using Encore.TestSupport;
using Npgsql;

namespace Encore.Bench;

/// <summary>
/// The PostgreSQL store against the SQLite store in the same run, on the same generated events (IngestBench's synthetic
/// service: sessions of impressions, plays, pauses, seeks, ratings; random UUID event ids; members skewed to a popular head):
/// durable appends in batches (one <see cref="IEventStore.AppendAsync"/> per batch, acknowledged once committed), the
/// streaming training read, and one member's history (<see cref="IEventStore.ReadEventsAsync"/> by member) timed one by one
/// for p50/p99.
/// Options: --events N (200,000), --batch N (1,000), --members-read N (1,000), --db postgres://... (default: a throwaway
/// cluster from Debian's package, started and deleted by the bench), --folder DIR (a temp folder, for the SQLite file).
/// </summary>
public sealed class PostgresBench : IBench
{
    public string Name => "postgres";

    public string Description => "PostgreSQL vs SQLite in one run: durable appends in batches of 1,000 (events/s, ratio), training read, member history p50/p99";

    public async Task<int> RunAsync(string[] args)
    {
        int total = IntOption(args, "--events", 200_000);
        int batchSize = IntOption(args, "--batch", 1_000);
        int memberReads = IntOption(args, "--members-read", 1_000);
        var folder = StringOption(args, "--folder") ?? Path.Combine(Path.GetTempPath(), "encore-postgres-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        PostgresCluster? cluster = null;
        try
        {
            string url;
            if (StringOption(args, "--db") is { } given) url = given;
            else
            {
                cluster = new PostgresCluster();
                if (!cluster.Started)
                {
                    Console.Error.WriteLine(cluster.SkipReason);
                    return 1;
                }
                url = cluster.NewDatabaseUrl("bench");
                Console.WriteLine($"throwaway cluster: PostgreSQL from /usr/lib/postgresql on 127.0.0.1:{cluster.Port} (initdb defaults: fsync on, synchronous_commit on, shared_buffers 128MB)");
            }
            var generator = new IngestBench.SyntheticService(seed: 42, films: 4_000, series: 400, members: 50_000, DateTime.UtcNow);
            var batches = generator.Batches(total, batchSize);
            Console.WriteLine($"generated {total:N0} events in batches of {batchSize:N0} ({generator.MemberCount:N0} members, {generator.Titles.Count:N0} titles)");
            var members = Enumerable.Range(0, memberReads).Select(m => $"member-{m * (generator.MemberCount / memberReads)}").ToList();

            var results = new List<(string Name, Figures F)>();
            await using (var sqlite = await SqliteEventStore.OpenAsync(Path.Combine(folder, "bench.db")))
                results.Add(("sqlite", await MeasureAsync(sqlite, generator, batches, members, async () => await sqlite.FlushAsync())));
            await using (var postgres = await PostgresEventStore.OpenAsync(url))
            {
                if ((await postgres.GetStatisticsAsync()).Events != 0)
                {
                    Console.Error.WriteLine($"{postgres.Location} already holds events: give the bench an empty database");
                    return 1;
                }
                var f = await MeasureAsync(postgres, generator, batches, members, null);
                await using var source = NpgsqlDataSource.Create(PostgresAddressConnectionString(url));
                await using var size = source.CreateCommand("SELECT pg_database_size(current_database())");
                f.Bytes = (long)(await size.ExecuteScalarAsync())!;
                results.Add(("postgres", f));
            }
            results[0].F.Bytes = new FileInfo(Path.Combine(folder, "bench.db")).Length + (File.Exists(Path.Combine(folder, "bench.db-wal")) ? new FileInfo(Path.Combine(folder, "bench.db-wal")).Length : 0);

            foreach (var (name, f) in results)
            {
                Console.WriteLine($"{name,-9} ingest {total,9:N0} events in {f.IngestSeconds,7:F2} s = {total / f.IngestSeconds,10:N0} events/s ({f.IngestCpu:F2} CPU s in this process); batch commit p50 {f.BatchP50:F2} ms, p99 {f.BatchP99:F2} ms");
                Console.WriteLine($"{name,-9} read   {f.Rows,9:N0} interactions in {f.ReadSeconds,7:F2} s = {f.Rows / f.ReadSeconds,10:N0} rows/s (ReadInteractionsAsync, time order)");
                Console.WriteLine($"{name,-9} member {memberReads,9:N0} histories ({f.MemberEvents:N0} events): p50 {f.MemberP50:F2} ms, p99 {f.MemberP99:F2} ms, mean {f.MemberMean:F2} ms (ReadEventsAsync by member)");
                Console.WriteLine($"{name,-9} size   {f.Bytes,9:N0} bytes = {f.Bytes / (double)total:F0} bytes/event");
            }
            var (s, p) = (results[0].F, results[1].F);
            Console.WriteLine($"ratio     postgres/sqlite ingestion rate {s.IngestSeconds / p.IngestSeconds:F2}; read rate {s.ReadSeconds / p.ReadSeconds:F2}; member history p50 {p.MemberP50 / s.MemberP50:F2}x, p99 {p.MemberP99 / s.MemberP99:F2}x");
            return 0;
        }
        finally
        {
            if (cluster is not null) await cluster.DisposeAsync();
            if (StringOption(args, "--folder") is null)
            {
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            }
        }
    }

    private sealed class Figures
    {
        public double IngestSeconds, IngestCpu, BatchP50, BatchP99, ReadSeconds, MemberP50, MemberP99, MemberMean;
        public long Rows, MemberEvents, Bytes;
    }

    private static async Task<Figures> MeasureAsync(IEventStore store, IngestBench.SyntheticService generator, IReadOnlyList<Core.ViewingEvent[]> batches,
        List<string> members, Func<Task>? finish)
    {
        var f = new Figures();
        await store.UpsertTitlesAsync(generator.Titles);
        var perBatch = new double[batches.Count];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var clock = Stopwatch.StartNew();
        for (int b = 0; b < batches.Count; b++)
        {
            long start = Stopwatch.GetTimestamp();
            var result = await store.AppendAsync(batches[b]);
            perBatch[b] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (result.Duplicates != 0) throw new InvalidOperationException($"{store.Location}: batch {b} had {result.Duplicates} duplicates");
        }
        if (finish is not null) await finish();
        f.IngestSeconds = clock.Elapsed.TotalSeconds;
        f.IngestCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpu;
        (f.BatchP50, f.BatchP99) = (Percentile(perBatch, 0.5), Percentile(perBatch, 0.99));

        clock.Restart();
        await foreach (var row in store.ReadInteractionsAsync(EventQuery.All)) f.Rows += row.Member >= 0 ? 1 : 0;
        f.ReadSeconds = clock.Elapsed.TotalSeconds;

        // One warm-up pass over a few members (connection pool, statement plans), then every member timed alone.
        foreach (var m in members.Take(20)) await foreach (var _ in store.ReadEventsAsync(new EventQuery { MemberId = m })) { }
        var times = new double[members.Count];
        for (int i = 0; i < members.Count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await foreach (var _ in store.ReadEventsAsync(new EventQuery { MemberId = members[i] })) f.MemberEvents++;
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        (f.MemberP50, f.MemberP99, f.MemberMean) = (Percentile(times, 0.5), Percentile(times, 0.99), times.Average());
        return f;
    }

    private static string PostgresAddressConnectionString(string url)
    {
        // The bench only reads the database's size: the URL's pieces as an Npgsql connection string.
        var a = PostgresAddress.Parse(url);
        var b = new NpgsqlConnectionStringBuilder { Host = a.Host, Port = a.Port, Database = a.Database, Pooling = false };
        if (a.User is not null) b.Username = a.User;
        return b.ConnectionString;
    }

    private static double Percentile(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }

    private static int IntOption(string[] args, string name, int fallback)
        => StringOption(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? StringOption(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
