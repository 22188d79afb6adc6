using System.Diagnostics;
using System.Globalization;
using Encore.Core;
using Encore.Ingestion;
using Encore.Storage;
using Microsoft.Data.Sqlite;

namespace Encore.Bench;

/// <summary>
/// Ingestion speed: generated events in batches through <see cref="IngestionPipeline"/> into a fresh SQLite
/// file (validation, key resolution, durable commit per batch), against two same-run references: the same
/// rows inserted with a bare prepared INSERT into the classic row-per-event table with its id, member, title
/// and time indexes (the store's layout up to schema 4; keys already resolved, no validation), and into a
/// table with no index at all (the floor of SQLite on this machine).
/// Options: --events N (1,000,000), --batch N (1,000), --folder DIR (a temp folder), --pipeline-only (skip the references).
/// </summary>
public sealed class IngestBench : IBench
{
    public string Name => "ingest";

    public string Description => "1M generated events in batches of 1,000 through IngestionPipeline into SQLite: events/s, bytes/event, ratio to raw inserts";

    public async Task<int> RunAsync(string[] args)
    {
        int total = IntOption(args, "--events", 1_000_000);
        int batchSize = IntOption(args, "--batch", 1_000);
        var folder = StringOption(args, "--folder") ?? Path.Combine(Path.GetTempPath(), "encore-ingest-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        try
        {
            var now = DateTime.UtcNow;
            var generator = new SyntheticService(seed: 42, films: 4_000, series: 400, members: 50_000, now);
            // Beyond the timed events, 50 batches more: appended after the timing, so that reads are also
            // measured with events pending (not yet sealed), as they are in a running service.
            const int heldBack = 50_000;
            var all = generator.Batches(total + heldBack, batchSize);
            var batches = all.Take(total / batchSize).ToList();
            var later = all.Skip(total / batchSize).ToList();
            Console.WriteLine($"generated {total:N0} events ({generator.SessionCount:N0} sessions, {generator.MemberCount:N0} members) in batches of {batchSize:N0}; catalogue {generator.Titles.Count:N0} titles");

            // 1. Through the pipeline.
            var storePath = Path.Combine(folder, "pipeline.db");
            double pipelineSeconds, pipelineCpu;
            long bytes;
            int accepted = 0, duplicates = 0, rejected = 0;
            await using (var store = await SqliteEventStore.OpenAsync(storePath))
            {
                await store.UpsertTitlesAsync(generator.Titles);
                var pipeline = new IngestionPipeline(store);
                var cpu = CpuSeconds();
                var clock = Stopwatch.StartNew();
                foreach (var batch in batches)
                {
                    var result = await pipeline.IngestAsync(batch);
                    accepted += result.Accepted;
                    duplicates += result.Duplicates;
                    rejected += result.Rejected.Count;
                }
                // Count the sealing of the last pending events in, so every event ends in a segment.
                await store.FlushAsync();
                pipelineSeconds = clock.Elapsed.TotalSeconds;
                pipelineCpu = CpuSeconds() - cpu;
                if (rejected > 0 || accepted != total)
                {
                    Console.Error.WriteLine($"pipeline accepted {accepted}, duplicates {duplicates}, rejected {rejected}; expected all {total} accepted");
                    return 1;
                }
                await store.CheckpointAsync();
                bytes = store.SizeOnDisk();

                // Streaming read-back, the path training uses.
                clock.Restart();
                long rows = 0;
                await foreach (var row in store.ReadInteractionsAsync(EventQuery.All)) rows += row.Member >= 0 ? 1 : 0;
                double readSeconds = clock.Elapsed.TotalSeconds;
                Console.WriteLine($"read back   {rows,10:N0} interactions in {readSeconds,7:F2} s = {rows / readSeconds,12:N0} rows/s (ReadInteractionsAsync, time order)");

                // One member's history at a time, the homepage's read: 1,000 members spread over the popularity range,
                // with everything sealed, then with 50,000 events pending.
                foreach (var state in new[] { "all sealed", $"{heldBack:N0} pending" })
                {
                    if (state != "all sealed")
                    {
                        foreach (var batch in later) await pipeline.IngestAsync(batch);
                    }
                    clock.Restart();
                    long memberEvents = 0;
                    const int memberReads = 1_000;
                    for (int m = 0; m < memberReads; m++)
                    {
                        var query = new EventQuery { MemberId = $"member-{m * (generator.MemberCount / memberReads)}" };
                        await foreach (var e in store.ReadEventsAsync(query)) memberEvents++;
                    }
                    double memberSeconds = clock.Elapsed.TotalSeconds;

                    Console.WriteLine($"by member   {memberReads,10:N0} histories ({memberEvents:N0} events) in {memberSeconds,7:F2} s = {memberSeconds * 1000 / memberReads,8:F2} ms each (ReadEventsAsync, {state})");
                }
            }

            // 2. Same rows, a row per event with four indexes, bare prepared INSERT with pre-resolved keys.
            if (args.Contains("--pipeline-only"))
            {
                // For profiling and quick comparisons: the references take most of the run.
                Console.WriteLine($"pipeline    {total,10:N0} events in {pipelineSeconds,7:F2} s = {total / pipelineSeconds,12:N0} events/s; {pipelineCpu,6:F2} CPU s = {total / pipelineCpu,12:N0} events/CPU-s; {bytes / (double)total:F1} bytes/event");
                return 0;
            }
            var (sameSchemaSeconds, sameSchemaCpu) = await RawInsertAsync(Path.Combine(folder, "raw-schema.db"), batches, withSchema: true);
            // 3. Same rows into an index-free table: what SQLite itself costs here.
            var (bareSeconds, bareCpu) = await RawInsertAsync(Path.Combine(folder, "raw-bare.db"), batches, withSchema: false);

            // CPU seconds are printed beside wall seconds: on a shared, loaded machine they wander far less.
            Console.WriteLine($"pipeline    {total,10:N0} events in {pipelineSeconds,7:F2} s = {total / pipelineSeconds,12:N0} events/s; {pipelineCpu,6:F2} CPU s = {total / pipelineCpu,12:N0} events/CPU-s (validate, dedup, durable commit per batch, seal)");
            Console.WriteLine($"raw indexed {total,10:N0} events in {sameSchemaSeconds,7:F2} s = {total / sameSchemaSeconds,12:N0} events/s; {sameSchemaCpu,6:F2} CPU s = {total / sameSchemaCpu,12:N0} events/CPU-s (prepared INSERT into a row-per-event table with id, member, title and time indexes, keys pre-resolved)");
            Console.WriteLine($"raw bare    {total,10:N0} events in {bareSeconds,7:F2} s = {total / bareSeconds,12:N0} events/s; {bareCpu,6:F2} CPU s = {total / bareCpu,12:N0} events/CPU-s (prepared INSERT, table without indexes)");
            Console.WriteLine($"ratio       pipeline / raw-indexed: wall {pipelineSeconds / sameSchemaSeconds:F2}, CPU {pipelineCpu / sameSchemaCpu:F2}; pipeline / raw-bare: wall {pipelineSeconds / bareSeconds:F2}, CPU {pipelineCpu / bareCpu:F2}");
            Console.WriteLine($"size        {bytes:N0} bytes on disk after checkpoint = {bytes / (double)total:F1} bytes/event (pragmas: WAL, synchronous=NORMAL)");
            return 0;
        }
        finally
        {
            if (StringOption(args, "--folder") is null)
            {
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            }
        }
    }

    /// <summary>
    /// Inserts the same rows with one reused prepared INSERT, one transaction per batch, the store's pragmas;
    /// ids become integer keys before the clock starts, so only SQLite's own work is timed.
    /// </summary>
    private static async Task<(double Wall, double Cpu)> RawInsertAsync(string path, IReadOnlyList<ViewingEvent[]> batches, bool withSchema)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        foreach (var pragma in new[] { "PRAGMA page_size = 8192", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY" })
        {
            using var p = connection.CreateCommand();
            p.CommandText = pragma;
            p.ExecuteNonQuery();
        }
        using (var create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE events (event_key INTEGER PRIMARY KEY, event_id TEXT NOT NULL, kind INTEGER NOT NULL, member_key INTEGER NOT NULL,
                    title_key INTEGER, episode_key INTEGER, device INTEGER NOT NULL, ts_ms INTEGER NOT NULL, session_key INTEGER NOT NULL,
                    position REAL, rating REAL, pause_seconds REAL, seek_from REAL, query TEXT, results TEXT, row_name TEXT, row_position INTEGER, propensity REAL)
                """;
            create.ExecuteNonQuery();
            if (withSchema)
            {
                create.CommandText = """
                    CREATE UNIQUE INDEX events_by_id ON events (event_id);
                    CREATE INDEX events_by_member ON events (member_key, ts_ms);
                    CREATE INDEX events_by_title ON events (title_key, ts_ms);
                    CREATE INDEX events_by_time ON events (ts_ms);
                    """;
                create.ExecuteNonQuery();
            }
        }
        var members = new Dictionary<string, long>(StringComparer.Ordinal);
        var sessions = new Dictionary<string, long>(StringComparer.Ordinal);
        var titles = new Dictionary<string, long>(StringComparer.Ordinal);
        var episodes = new Dictionary<string, long>(StringComparer.Ordinal);
        var keys = new List<(long Member, long? Title, long? Episode, long Session)[]>(batches.Count);
        foreach (var batch in batches)
        {
            var k = new (long, long?, long?, long)[batch.Length];
            for (int i = 0; i < batch.Length; i++)
            {
                var e = batch[i];
                k[i] = (Key(members, e.MemberId), e.TitleId is null ? null : Key(titles, e.TitleId),
                    e.EpisodeId is null ? null : Key(episodes, e.EpisodeId), Key(sessions, e.SessionId));
            }
            keys.Add(k);
        }
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO events (event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key,
                position, rating, pause_seconds, seek_from, query, results, row_name, row_position, propensity)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
            """ + (withSchema ? " ON CONFLICT (event_id) DO NOTHING" : "");
        var ps = new SqliteParameter[17];
        for (int i = 0; i < ps.Length; i++) ps[i] = insert.Parameters.Add(new SqliteParameter { ParameterName = "$" + (i + 1).ToString(CultureInfo.InvariantCulture) });

        var cpu = CpuSeconds();
        var clock = Stopwatch.StartNew();
        for (int b = 0; b < batches.Count; b++)
        {
            using var tx = connection.BeginTransaction();
            insert.Transaction = tx;
            var batch = batches[b];
            var k = keys[b];
            for (int i = 0; i < batch.Length; i++)
            {
                var e = batch[i];
                ps[0].Value = e.EventId;
                ps[1].Value = (int)e.Kind;
                ps[2].Value = k[i].Member;
                ps[3].Value = k[i].Title is { } t ? t : DBNull.Value;
                ps[4].Value = k[i].Episode is { } ep ? ep : DBNull.Value;
                ps[5].Value = (int)e.Device;
                ps[6].Value = (e.TimestampUtc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
                ps[7].Value = k[i].Session;
                ps[8].Value = e.PositionSeconds is { } pos ? pos : DBNull.Value;
                ps[9].Value = e.Rating is { } r ? r : DBNull.Value;
                ps[10].Value = e.PauseSeconds is { } pa ? pa : DBNull.Value;
                ps[11].Value = e.SeekFromSeconds is { } sf ? sf : DBNull.Value;
                ps[12].Value = (object?)e.Query ?? DBNull.Value;
                ps[13].Value = e.ResultsShown is null ? DBNull.Value : System.Text.Json.JsonSerializer.Serialize(e.ResultsShown);
                ps[14].Value = (object?)e.Row ?? DBNull.Value;
                ps[15].Value = e.RowPosition is { } rp ? rp : DBNull.Value;
                ps[16].Value = e.Propensity is { } pr ? pr : DBNull.Value;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        return (clock.Elapsed.TotalSeconds, CpuSeconds() - cpu);
    }

    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static long Key(Dictionary<string, long> keys, string id)
    {
        if (!keys.TryGetValue(id, out var key)) keys[id] = key = keys.Count + 1;
        return key;
    }

    private static int IntOption(string[] args, string name, int fallback)
        => StringOption(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? StringOption(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>
    /// A deterministic stream of plausible viewing sessions: impressions, an occasional search, play start,
    /// pause/resume, seeks, stop or completion, skipped intros on series, and ratings; event ids are random
    /// UUIDs (as senders make them), members and titles skewed towards a popular head.
    /// </summary>
    internal sealed class SyntheticService
    {
        private readonly Random _random;
        private readonly DateTime _start;
        private readonly int _members;
        private readonly List<(string TitleId, string? EpisodeId, int Runtime, bool Series)> _playable = [];
        private readonly byte[] _guid = new byte[16];

        public SyntheticService(int seed, int films, int series, int members, DateTime nowUtc)
        {
            _random = new Random(seed);
            _members = members;
            _start = nowUtc.AddDays(-60);
            var titles = new List<Title>();
            for (int f = 0; f < films; f++)
            {
                int runtime = 60 * _random.Next(80, 160);
                titles.Add(new Title { Id = $"film-{f}", Name = $"Film {f}", RuntimeSeconds = runtime, Genres = ["drama"] });
                _playable.Add(($"film-{f}", null, runtime, false));
            }
            for (int s = 0; s < series; s++)
            {
                var seasons = new List<Season>();
                for (int n = 1; n <= 3; n++)
                {
                    var episodes = new List<Episode>();
                    for (int e = 1; e <= 8; e++)
                    {
                        var id = $"series-{s}-s{n}e{e}";
                        int runtime = 60 * _random.Next(22, 60);
                        episodes.Add(new Episode(id, n, e, $"Episode {e}", runtime));
                        _playable.Add(($"series-{s}", id, runtime, true));
                    }
                    seasons.Add(new Season(n, episodes));
                }
                titles.Add(new Title { Id = $"series-{s}", Name = $"Series {s}", Kind = TitleKind.Series, RuntimeSeconds = 2700, Seasons = seasons });
            }
            Titles = titles;
        }

        public IReadOnlyList<Title> Titles { get; }
        public int SessionCount { get; private set; }
        public int MemberCount => _members;

        public IReadOnlyList<ViewingEvent[]> Batches(int total, int batchSize)
        {
            var all = new List<ViewingEvent>(total + 32);
            double spacingMs = 60 * 86_400_000.0 / (total / 8.0);
            while (all.Count < total)
            {
                var t0 = _start.AddMilliseconds(SessionCount * spacingMs + _random.Next(0, 60_000));
                Session(all, t0, SessionCount++);
            }
            all.RemoveRange(total, all.Count - total);
            var batches = new List<ViewingEvent[]>((total + batchSize - 1) / batchSize);
            for (int i = 0; i < total; i += batchSize) batches.Add(all.GetRange(i, Math.Min(batchSize, total - i)).ToArray());
            return batches;
        }

        private void Session(List<ViewingEvent> into, DateTime t, int index)
        {
            // Squaring a uniform draw skews towards low indices: a popular head and a long tail.
            var member = "member-" + (int)(_members * Math.Pow(_random.NextDouble(), 2));
            var session = "session-" + index.ToString(CultureInfo.InvariantCulture);
            var device = (DeviceKind)_random.Next(0, 5);
            var (title, episode, runtime, series) = _playable[(int)(_playable.Count * Math.Pow(_random.NextDouble(), 2))];
            ViewingEvent New(EventKind kind, DateTime at) => new()
            {
                EventId = NextGuid(), Kind = kind, MemberId = member, SessionId = session, Device = device, TimestampUtc = at,
                TitleId = title, EpisodeId = episode,
            };
            for (int slot = 0; slot < 2; slot++)
                into.Add(New(EventKind.Impression, t) with { Row = "top-picks", RowPosition = slot, Propensity = 0.05 + 0.9 * _random.NextDouble() });
            if (_random.NextDouble() < 0.2)
                into.Add(New(EventKind.Search, t.AddSeconds(5)) with { EpisodeId = null, Query = title[..4], ResultsShown = [title, "film-1", "film-2"] });
            into.Add(New(EventKind.PlayStart, t.AddSeconds(10)) with { PositionSeconds = 0 });
            if (series) into.Add(New(EventKind.SkipIntro, t.AddSeconds(40)) with { PositionSeconds = 30 });
            double paused = runtime * _random.NextDouble() * 0.5;
            into.Add(New(EventKind.Pause, t.AddSeconds(10 + paused)) with { PositionSeconds = paused, PauseSeconds = 30 + _random.Next(0, 600) });
            into.Add(New(EventKind.Resume, t.AddSeconds(700 + paused)) with { PositionSeconds = paused });
            double to = Math.Min(runtime, paused + 300);
            into.Add(New(EventKind.Seek, t.AddSeconds(720 + paused)) with { SeekFromSeconds = paused + 20, PositionSeconds = to });
            bool completed = _random.NextDouble() < 0.6;
            var end = t.AddSeconds(720 + runtime);
            into.Add(completed
                ? New(EventKind.Completion, end) with { PositionSeconds = runtime }
                : New(EventKind.Stop, end) with { PositionSeconds = to + (runtime - to) * _random.NextDouble() });
            if (_random.NextDouble() < 0.3)
                into.Add(New(EventKind.Rating, end.AddSeconds(20)) with { EpisodeId = null, Rating = _random.Next(1, 11) / 2.0 });
        }

        private string NextGuid()
        {
            _random.NextBytes(_guid);
            return new Guid(_guid).ToString();
        }
    }
}
