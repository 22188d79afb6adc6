using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Encore.Core;
using Encore.Service;
using Encore.Simulation;
using Encore.Storage;

namespace Encore.Bench;

/// <summary>
/// The server under load, as it ships: `encore serve` (artifacts/cli/encore, built by ./encore) over a simulated store on
/// 127.0.0.1, driven by wrk (Debian's; a C# client where wrk is missing) for homepages of random members (TV pages, 10
/// rows x 40 titles) and by concurrent C# senders for events in durable batches of 1,000. The same-run reference is the
/// page build in process (EncoreService.Homepage over the same store, before the server starts). With --soak SECONDS the
/// homepage load runs that long and the server's resident set is read at its start and end. Without it, a second homepage
/// run follows for returning members: 500 members whose pages were built once before it, answered from the page cache
/// while nothing they depend on changes (the server's encore_pages_cached_total says how many were).
/// Usage: server-load [members=5000] [titles=50000] [days=14] [seconds=30] [connections=16] [--soak SECONDS]
/// </summary>
public sealed class ServerLoadBench : IBench
{
    public string Name => "server-load";
    public string Description => "homepages/s and latency, events/s over HTTP, against `encore serve`: [members] [titles] [days] [seconds] [connections] [--soak SECONDS]";

    private const string IngestKey = "bench-ingest-key-00000001", ReadKey = "bench-read-key-000000002", AdminKey = "bench-admin-key-00000003";

    public async Task<int> RunAsync(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        int soak = 0;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--soak" && i + 1 < args.Length) soak = int.Parse(args[++i], c);
            else rest.Add(args[i]);
        }
        var options = new SimulationOptions
        {
            Members = rest.Count > 0 ? int.Parse(rest[0], c) : 5_000,
            Titles = rest.Count > 1 ? int.Parse(rest[1], c) : 50_000,
            Days = rest.Count > 2 ? int.Parse(rest[2], c) : 14,
        };
        int seconds = rest.Count > 3 ? int.Parse(rest[3], c) : 30;
        int connections = rest.Count > 4 ? int.Parse(rest[4], c) : 16;
        var encore = FindEncore();
        var folder = Path.Combine(Path.GetTempPath(), "encore-bench");
        Directory.CreateDirectory(folder);
        var db = Path.Combine(folder, string.Create(c, $"server-{options.Members}-{options.Titles}-{options.Days}.db"));
        var clock = Stopwatch.StartNew();
        await using (var store = await SqliteEventStore.OpenAsync(db))
        {
            var outcome = await SimulatedDatabase.EnsureAsync(store, options);
            long events = (await store.GetStatisticsAsync()).Events;
            Console.WriteLine(string.Create(c, $"store {db}: {events:N0} events ({(outcome.Reused ? "reused" : "simulated")} in {clock.Elapsed.TotalSeconds:F1} s)"));
        }
        var members = new SimulatedService(options).Members.Ids;

        // The reference, in process over the same store: page builds alone (no HTTP, no JSON).
        await ReferenceAsync(db, members, c);

        // The server as it ships.
        using var server = StartServer(encore, db);
        var url = await server.ReadyAsync(TimeSpan.FromMinutes(10));
        Console.WriteLine($"server ready at {url} (pid {server.Process.Id}) after {clock.Elapsed.TotalSeconds:F0} s in all");
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        long rssStart = Rss(server.Process.Id);
        int duration = soak > 0 ? soak : seconds;
        bool useWrk = Environment.GetEnvironmentVariable("ENCORE_BENCH_NO_WRK") is null && File.Exists("/usr/bin/wrk");
        // In a soak the members come round again and again: a page is built again only when what it depends on changed.
        string label = soak > 0 ? string.Create(c, $"{members.Length:N0} members in turn") : "every page built";
        using var sampling = new CancellationTokenSource();
        var samples = soak > 0 ? SampleMemoryAsync(http, server.Process.Id, TimeSpan.FromSeconds(60), sampling.Token) : Task.FromResult(new List<string>());
        if (useWrk) await Task.Run(() => Wrk(url, members, duration, connections, label, c));
        else await ClientLoadAsync(http, members, duration, connections, label, c);
        await sampling.CancelAsync();
        foreach (var line in await samples) Console.WriteLine(line);
        if (soak == 0)
        {
            // Members who come back to an unchanged page (nothing they depend on changed since it was built) are answered
            // from the page cache: 500 members, each page built once before the clock starts.
            var returning = members.Take(500).ToArray();
            await Parallel.ForEachAsync(returning, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (m, ct) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/members/{m}/homepage?device=tv");
                request.Headers.Add("X-API-Key", ReadKey);
                using var response = await http.SendAsync(request, ct);
                response.EnsureSuccessStatusCode();
            });
            if (useWrk) Wrk(url, returning, seconds, connections, "returning members, pages from the cache", c);
            else await ClientLoadAsync(http, returning, seconds, connections, "returning members, pages from the cache", c);
        }
        long rssEnd = Rss(server.Process.Id);
        Console.WriteLine(string.Create(c, $"server resident set: {rssStart / 1024.0 / 1024:F0} MiB at the start of the load, {rssEnd / 1024.0 / 1024:F0} MiB after {duration} s"));
        var metrics = await http.GetStringAsync("/metrics");
        Console.WriteLine("server-side page build over the run (from /metrics): " + HistogramSummary(metrics, "encore_page_build_seconds")
            + "; answered from the page cache: " + Regex.Match(metrics, @"^encore_pages_cached_total (\d+)$", RegexOptions.Multiline).Groups[1].Value);
        if (soak == 0) await IngestAsync(http, options, seconds, c);
        server.Stop();
        return 0;
    }

    private static async Task ReferenceAsync(string db, string[] members, CultureInfo c)
    {
        var models = db + ".models";
        await using var store = await SqliteEventStore.OpenAsync(db);
        var clock = Stopwatch.StartNew();
        await using var service = await EncoreService.StartAsync(store, ServiceOptions.ForDatabase(db) with { Clock = ServiceClock.LatestEvent });
        Console.WriteLine(string.Create(c, $"in-process service loaded (and its model {service.ActiveVersion?.Version} ready) in {clock.Elapsed.TotalSeconds:F1} s"));
        var rng = new Random(7);
        for (int i = 0; i < 50; i++) service.Homepage(members[rng.Next(members.Length)], DeviceKind.Tv);
        var times = new double[1_000];
        int titles = 0;
        for (int i = 0; i < times.Length; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var page = service.Homepage(members[rng.Next(members.Length)], DeviceKind.Tv);
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            titles += page.Rows.Sum(r => r.Titles.Count);
        }
        Array.Sort(times);
        Console.WriteLine(string.Create(c, $"reference, a TV page built in process: p50 {times[500]:F2} ms, p99 {times[989]:F2} ms, {titles / (double)times.Length:F0} titles a page (one thread)"));
        _ = models;
    }

    private static void Wrk(string url, string[] members, int seconds, int connections, string label, CultureInfo c)
    {
        var script = Path.Combine(Path.GetTempPath(), "encore-bench-homepage.lua");
        var ids = string.Join(",", members.Select(m => "\"" + m + "\""));
        File.WriteAllText(script, $$"""
            local members = { {{ids}} }
            local n = 0
            request = function()
              n = n + 1
              local m = members[(n * 7919) % #members + 1]
              return wrk.format("GET", "/v1/members/" .. m .. "/homepage?device=tv", { ["X-API-Key"] = "{{ReadKey}}" })
            end
            """);
        var start = new ProcessStartInfo("/usr/bin/wrk", ["-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url])
        {
            RedirectStandardOutput = true, UseShellExecute = false,
        };
        using var wrk = Process.Start(start)!;
        var output = wrk.StandardOutput.ReadToEnd();
        wrk.WaitForExit();
        string Field(string pattern) => Regex.Match(output, pattern, RegexOptions.Multiline).Groups[1].Value;
        Console.WriteLine(string.Create(c, $"homepages over HTTP, {label} (wrk, {connections} connections, {seconds} s): {Field(@"Requests/sec:\s+([\d.]+)")} requests/s, "
            + $"p50 {Field(@"^\s+50%\s+(\S+)")}, p99 {Field(@"^\s+99%\s+(\S+)")}, non-2xx {(Field(@"Non-2xx or 3xx responses: (\d+)") is { Length: > 0 } n ? n : "0")}, "
            + $"errors {(Field(@"Socket errors: (.*)$") is { Length: > 0 } e ? e : "none")}"));
    }

    private static async Task ClientLoadAsync(HttpClient http, string[] members, int seconds, int connections, string label, CultureInfo c)
    {
        var latencies = new List<double>[connections];
        int failures = 0;
        var until = DateTime.UtcNow.AddSeconds(seconds);
        var tasks = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            var own = latencies[w] = [];
            var rng = new Random(w);
            while (DateTime.UtcNow < until)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/members/{members[rng.Next(members.Length)]}/homepage?device=tv");
                request.Headers.Add("X-API-Key", ReadKey);
                var t0 = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                own.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Console.WriteLine(string.Create(c, $"homepages over HTTP, {label} (C# client, {connections} connections, {seconds} s): {all.Length / (double)seconds:F0} requests/s, "
            + $"p50 {all[all.Length / 2]:F2} ms, p99 {all[(int)(all.Length * 0.99)]:F2} ms, failures {failures}"));
    }

    private static async Task IngestAsync(HttpClient http, SimulationOptions options, int seconds, CultureInfo c)
    {
        // Batches prepared before the clock starts: the figure is the server's, not the JSON writer's.
        var world = new SimulatedService(options);
        var start = options.EndUtc.AddDays(1);
        // Ids new to the store on every run, so that each batch is stored, not answered as duplicates of an earlier run.
        var run = DateTime.UtcNow.ToString("yyyyMMddHHmmss", c);
        const int batchSize = 1_000, senders = 4, prepared = 400;
        var bodies = new byte[prepared][];
        for (int b = 0; b < prepared; b++)
        {
            var events = new List<Dictionary<string, object>>(batchSize);
            for (int i = 0; i < batchSize; i++)
            {
                int m = (b * batchSize + i) % world.Members.Count, t = (b * 31 + i * 7) % world.Catalogue.Count;
                var e = new Dictionary<string, object>
                {
                    ["event_id"] = $"load-{run}-{b}-{i}", ["kind"] = "rating", ["member_id"] = world.Members.Ids[m], ["title_id"] = world.Catalogue.Ids[t],
                    ["device"] = "phone", ["timestamp"] = start.AddSeconds(b * batchSize + i).ToString("O", c), ["session_id"] = $"load-{run}-{b}", ["rating"] = 1 + i % 5,
                };
                events.Add(e);
            }
            bodies[b] = JsonSerializer.SerializeToUtf8Bytes(events);
        }
        long stored = 0, duplicates = 0;
        int next = -1, failures = 0;
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        var tasks = Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            int b;
            while (clock.Elapsed < until && (b = Interlocked.Increment(ref next)) < prepared)
            {
                using var content = new ByteArrayContent(bodies[b]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = content };
                request.Headers.Add("X-API-Key", IngestKey);
                using var response = await http.SendAsync(request);
                var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
                if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref failures); continue; }
                Interlocked.Add(ref stored, json.RootElement.GetProperty("stored").GetInt32());
                Interlocked.Add(ref duplicates, json.RootElement.GetProperty("duplicates").GetInt32());
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        double elapsed = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(c, $"events over HTTP ({senders} senders, batches of {batchSize:N0}, durable before each answer): {stored:N0} stored "
            + $"({duplicates:N0} already there from an earlier run) in {elapsed:F1} s: {(stored + duplicates) / elapsed:N0} events/s, failures {failures}"));
    }

    private static string HistogramSummary(string metrics, string name)
    {
        var buckets = Regex.Matches(metrics, $@"^{name}_bucket\{{le=""([^""]+)""\}} (\d+)$", RegexOptions.Multiline)
            .Select(m => (Bound: m.Groups[1].Value, Count: long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        if (buckets.Count == 0) return "(none)";
        long total = buckets[^1].Count;
        string Quantile(double q) => buckets.First(b => b.Count >= q * total).Bound;
        return $"{total:N0} pages, p50 <= {Quantile(0.5)} s, p99 <= {Quantile(0.99)} s (histogram bounds)";
    }

    /// <summary>Every <paramref name="every"/>: the server's resident set, its managed heap and the pages it keeps.</summary>
    private static async Task<List<string>> SampleMemoryAsync(HttpClient http, int pid, TimeSpan every, CancellationToken ct)
    {
        var lines = new List<string>();
        var clock = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                await Task.Delay(every, ct);
                var metrics = await http.GetStringAsync("/metrics", ct);
                string Gauge(string name) => Regex.Match(metrics, $@"^{name} (\d+)$", RegexOptions.Multiline).Groups[1].Value;
                double heap = double.TryParse(Gauge("dotnet_gc_heap_bytes"), CultureInfo.InvariantCulture, out var hb) ? hb / 1024 / 1024 : double.NaN;
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"  at {clock.Elapsed.TotalSeconds:F0} s: resident {Rss(pid) / 1024.0 / 1024:F0} MiB, managed heap {heap:F0} MiB, pages kept {Gauge("encore_page_cache_entries")}"));
            }
        }
        catch (OperationCanceledException) { }
        return lines;
    }

    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    private static string FindEncore()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "artifacts", "cli", "encore");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("artifacts/cli/encore not found: run ./encore --help once to build it");
    }

    private static ServerChild StartServer(string encore, string db) => new(encore, db);

    /// <summary>`encore serve` as a child process, with the bench's keys.</summary>
    private sealed class ServerChild : IDisposable
    {
        private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ServerChild(string encore, string db)
        {
            var start = new ProcessStartInfo(encore, ["serve", "--db", db, "--urls", "http://127.0.0.1:0", "--clock", "events"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            start.Environment["ENCORE_INGEST_KEY"] = IngestKey;
            start.Environment["ENCORE_READ_KEY"] = ReadKey;
            start.Environment["ENCORE_ADMIN_KEY"] = AdminKey;
            Process = Process.Start(start)!;
            Process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && line.StartsWith("Encore is ready at ", StringComparison.Ordinal))
                    _ready.TrySetResult(Regex.Match(line, @"http://127\.0\.0\.1:\d+").Value);
            };
            Process.ErrorDataReceived += (_, e) => { if (e.Data is { } line && line.Contains("encore:", StringComparison.Ordinal)) _ready.TrySetException(new InvalidOperationException(line)); };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public Task<string> ReadyAsync(TimeSpan timeout) => _ready.Task.WaitAsync(timeout);

        public void Stop()
        {
            if (Process.HasExited) return;
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        public void Dispose()
        {
            Stop();
            Process.Dispose();
        }
    }
}
