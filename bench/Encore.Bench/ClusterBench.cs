using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Encore.Service;
using Encore.Simulation;
using Encore.Storage.Postgres;
using Encore.TestSupport;

namespace Encore.Bench;

/// <summary>
/// The cluster as it ships, 1, 2 and 3 silos, each a separate `encore serve --cluster` process (artifacts/cli/encore, built
/// by ./encore) on 127.0.0.1 over one throwaway PostgreSQL 15 (tests/Encore.TestSupport/PostgresCluster). The database is
/// filled once with a simulated service and its first model is trained once, in process, by a single node (the model goes
/// to the store's registry and is named active there, so every silo loads the same version). Then, for N = 1, 2, 3: N
/// nodes started together (distinct HTTP, silo and gateway ports), /health/ready awaited on all, an unmeasured warm-up
/// (every member's page once, so that every member's grain is active; then 2 s idle and 4 s more whose CPU is reported,
/// by thread name; then --warmup seconds of the load), and a fixed-duration load from C# workers spread round-robin over
/// the nodes: each request is, at random, a TV homepage of a random member (GET) or, with the given share, one rating event for a random member (POST, durable and
/// folded into the member's grain before the answer), so that pages of the members who got one must be built again.
/// Reported per N: pages/s, events/s, p50/p99 of each, failed requests, each silo's CPU seconds over the measured window
/// (utime + stime from /proc/PID/stat), the load generator's own CPU and the whole machine's (from /proc/stat), the CPU
/// milliseconds the silos spent per answered request; then every figure as a ratio against the 1-silo run of the same
/// invocation. The nodes are stopped with SIGTERM (a clean Orleans leave) and the PostgreSQL server and its data deleted.
/// Usage: cluster [--members N (2,000)] [--titles N (1,000)] [--days N (14)] [--seconds S (20)] [--warmup S (5)]
/// [--connections N (16)] [--event-share F (0.1)] [--silos 1,2,3]
/// </summary>
public sealed class ClusterBench : IBench
{
    public string Name => "cluster";

    public string Description => "1, 2, 3 `encore serve --cluster` processes over one PostgreSQL: pages/s, events/s, p50/p99, per-silo CPU, ratios vs 1 silo";

    private const int IdleSeconds = 4;

    private const string IngestKey = "bench-ingest-key-00000001", ReadKey = "bench-read-key-000000002", AdminKey = "bench-admin-key-00000003";

    public async Task<int> RunAsync(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        var options = new SimulationOptions
        {
            Members = IntOption(args, "--members", 2_000),
            Titles = IntOption(args, "--titles", 1_000),
            Days = IntOption(args, "--days", 14),
        };
        int seconds = IntOption(args, "--seconds", 20), warmup = IntOption(args, "--warmup", 5), connections = IntOption(args, "--connections", 16);
        double eventShare = double.Parse(StringOption(args, "--event-share") ?? "0.1", c);
        if (eventShare is < 0 or > 1) throw new ArgumentException($"--event-share must be in [0, 1] (got {eventShare})");
        var silos = (StringOption(args, "--silos") ?? "1,2,3").Split(',').Select(s => int.Parse(s, c)).ToArray();
        if (silos.Length == 0 || silos.Any(n => n is < 1 or > 8)) throw new ArgumentException("--silos: a comma-separated list of counts in 1..8, e.g. 1,2,3");
        var encore = FindEncore();
        long ticksPerSecond = ClockTicks();

        await using var postgres = new PostgresCluster();
        if (!postgres.Started)
        {
            Console.Error.WriteLine(postgres.SkipReason);
            return 1;
        }
        var url = postgres.NewDatabaseUrl("cluster_bench");
        Console.WriteLine($"throwaway PostgreSQL 15 on 127.0.0.1:{postgres.Port}, database {url}; {Environment.ProcessorCount} cores on this machine");
        var clock = Stopwatch.StartNew();
        await using (var store = await PostgresEventStore.OpenAsync(url))
        {
            await SimulatedDatabase.EnsureAsync(store, options);
            var stats = await store.GetStatisticsAsync();
            Console.WriteLine(string.Create(c, $"simulated {options.Members:N0} members, {options.Titles:N0} titles, {options.Days} days: {stats.Events:N0} events in {clock.Elapsed.TotalSeconds:F1} s"));
            clock.Restart();
            // The first model, trained once by a single node over the same store: registered in the store and named active there.
            await using var single = await EncoreService.StartAsync(store, ServiceOptions.ForDatabase(url) with { Clock = ServiceClock.LatestEvent });
            if (single.ActiveVersion is null) throw new InvalidOperationException("the single node trained no model over the simulated store");
            Console.WriteLine(string.Create(c, $"model {single.ActiveVersion.Version} trained and registered in {clock.Elapsed.TotalSeconds:F1} s"));
        }
        var world = new SimulatedService(options);
        var members = world.Members.Ids.ToArray();
        var titles = world.Catalogue.Ids.ToArray();
        var eventsFrom = options.EndUtc.AddHours(1);

        var results = new List<RunFigures>();
        foreach (int n in silos)
        {
            var nodes = new List<Node>();
            try
            {
                clock.Restart();
                for (int i = 0; i < n; i++) nodes.Add(new Node(encore, url, i));
                foreach (var node in nodes) await node.ReadyAsync(TimeSpan.FromMinutes(5));
                Console.WriteLine(string.Create(c, $"{n} silo(s) ready in {clock.Elapsed.TotalSeconds:F1} s: ")
                    + string.Join(", ", nodes.Select(x => $"pid {x.Process.Id} at {x.Url} (silo {x.SiloPort}, gateway {x.GatewayPort})")));
                var load = new Load(nodes, members, titles, eventsFrom, eventShare, connections, n);
                clock.Restart();
                long warmFailures = await load.EveryPageOnceAsync();
                Console.WriteLine(string.Create(c, $"  warm-up: every member's page once ({members.Length:N0} grains activated, each from its events in PostgreSQL) in {clock.Elapsed.TotalSeconds:F1} s, {warmFailures} failed"));
                // Idle: what the silos spend with no request (membership, the view's poll of the log, Orleans' own timers).
                await Task.Delay(TimeSpan.FromSeconds(2));
                var idleFrom = nodes.Select(x => CpuSeconds(x.Process.Id, ticksPerSecond)).ToArray();
                var threadsFrom = ThreadCpu(nodes, ticksPerSecond);
                await Task.Delay(TimeSpan.FromSeconds(IdleSeconds));
                var threads = ThreadCpu(nodes, ticksPerSecond);
                var idle = nodes.Select((x, i) => (CpuSeconds(x.Process.Id, ticksPerSecond) - idleFrom[i]) / IdleSeconds).ToArray();
                Console.WriteLine(string.Create(c, $"  idle for {IdleSeconds} s, from 2 s after the warm-up: silos' CPU {string.Join(" + ", idle.Select(x => x.ToString("F3", c)))} = {idle.Sum():F3} cores; by thread (all silos): ")
                    + string.Join(", ", threads.Select(t => (t.Key, Cores: (t.Value - threadsFrom.GetValueOrDefault(t.Key)) / IdleSeconds)).OrderByDescending(t => t.Cores).Take(4)
                        .Select(t => string.Create(c, $"{t.Key} {t.Cores:F3}"))));
                await load.RunAsync(TimeSpan.FromSeconds(warmup), measure: null);
                var figures = new RunFigures { Silos = n, Seconds = seconds };
                await load.RunAsync(TimeSpan.FromSeconds(seconds), figures, () =>
                {
                    figures.SiloCpu = nodes.Select(x => CpuSeconds(x.Process.Id, ticksPerSecond)).ToArray();
                    figures.GeneratorCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
                    figures.MachineCpu = MachineBusySeconds(ticksPerSecond);
                }, () =>
                {
                    for (int i = 0; i < nodes.Count; i++) figures.SiloCpu[i] = CpuSeconds(nodes[i].Process.Id, ticksPerSecond) - figures.SiloCpu[i];
                    figures.GeneratorCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - figures.GeneratorCpu;
                    figures.MachineCpu = MachineBusySeconds(ticksPerSecond) - figures.MachineCpu;
                });
                eventsFrom = load.NextTimestamp;
                results.Add(figures);
                Print(figures, c);
            }
            finally
            {
                foreach (var node in nodes) node.Stop(TimeSpan.FromSeconds(60));
                foreach (var node in nodes) node.Dispose();
            }
        }

        if (results.Count > 0)
        {
            var b = results[0];
            Console.WriteLine();
            Console.WriteLine($"ratios against the {b.Silos}-silo run of this invocation (machine: {Environment.ProcessorCount} cores, shared by every silo, PostgreSQL and the load generator):");
            Console.WriteLine("| silos | pages/s | events/s | page p50 | page p99 | event p50 | event p99 | silo CPU s (sum) | silo CPU ms / request | failed |");
            Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var r in results)
                Console.WriteLine(string.Create(c, $"| {r.Silos} | {r.PagesPerSecond / b.PagesPerSecond:F2} | {r.EventsPerSecond / b.EventsPerSecond:F2} | {r.PageP50 / b.PageP50:F2} | {r.PageP99 / b.PageP99:F2} | "
                    + $"{r.EventP50 / b.EventP50:F2} | {r.EventP99 / b.EventP99:F2} | {r.SiloCpu.Sum() / b.SiloCpu.Sum():F2} | {r.CpuPerRequestMs / b.CpuPerRequestMs:F2} | {r.Failed} |"));
        }
        Console.WriteLine("stopping PostgreSQL and deleting its data");
        return results.Any(r => r.Failed > 0) ? 2 : 0;
    }

    private static void Print(RunFigures f, CultureInfo c)
    {
        Console.WriteLine(string.Create(c, $"  {f.Silos} silo(s), {f.Seconds} s: {f.Pages:N0} pages = {f.PagesPerSecond:F0} pages/s (p50 {f.PageP50:F1} ms, p99 {f.PageP99:F1} ms); "
            + $"{f.Events:N0} events = {f.EventsPerSecond:F1} events/s (p50 {f.EventP50:F1} ms, p99 {f.EventP99:F1} ms); failed requests {f.Failed}"));
        Console.WriteLine(string.Create(c, $"  CPU seconds over the window: silos {string.Join(" + ", f.SiloCpu.Select(x => x.ToString("F1", c)))} = {f.SiloCpu.Sum():F1}; "
            + $"load generator {f.GeneratorCpu:F1}; whole machine {f.MachineCpu:F1} of {f.Seconds * Environment.ProcessorCount} (the rest: PostgreSQL and other work); "
            + $"silos' CPU per answered request {f.CpuPerRequestMs:F2} ms"));
        if (f.FirstFailure is not null) Console.WriteLine("  first failure: " + f.FirstFailure);
    }

    /// <summary>What one N-silo run measured.</summary>
    private sealed class RunFigures
    {
        public int Silos, Seconds;
        public long Pages, Events, Failed;
        public double PageP50, PageP99, EventP50, EventP99, GeneratorCpu, MachineCpu;
        public double[] SiloCpu = [];
        public string? FirstFailure;
        public double PagesPerSecond => Pages / (double)Seconds;
        public double EventsPerSecond => Events / (double)Seconds;
        public double CpuPerRequestMs => SiloCpu.Sum() * 1000 / Math.Max(1, Pages + Events);
    }

    /// <summary>
    /// The load: <c>connections</c> workers, worker w on node w mod N (its own HTTP connection pool per node), each sending
    /// one request after another until the time is up.
    /// </summary>
    private sealed class Load(List<Node> nodes, string[] members, string[] titles, DateTime eventsFrom, double eventShare, int connections, int run)
    {
        private long _sequence;
        private readonly HttpClient[] _clients = nodes.Select(n => new HttpClient { BaseAddress = new Uri(n.Url), Timeout = TimeSpan.FromSeconds(60) }).ToArray();

        /// <summary>A timestamp after every event this load sent (the next run's events start there).</summary>
        public DateTime NextTimestamp => eventsFrom.AddSeconds(Interlocked.Read(ref _sequence) + 1);

        /// <summary>Every member's page once, spread over the nodes: each member's grain is activated before the clock starts.</summary>
        public async Task<long> EveryPageOnceAsync()
        {
            long failed = 0;
            int next = -1;
            await Task.WhenAll(Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
            {
                var http = _clients[w % _clients.Length];
                int m;
                while ((m = Interlocked.Increment(ref next)) < members.Length)
                {
                    using var request = PageRequest(members[m]);
                    try
                    {
                        using var response = await http.SendAsync(request);
                        await response.Content.ReadAsByteArrayAsync();
                        if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failed);
                    }
                    catch (HttpRequestException) { Interlocked.Increment(ref failed); }
                }
            })));
            return failed;
        }

        public async Task RunAsync(TimeSpan duration, RunFigures? measure, Action? before = null, Action? after = null)
        {
            var pages = new List<double>[connections];
            var events = new List<double>[connections];
            long failed = 0;
            string? firstFailure = null;
            before?.Invoke();
            var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
            {
                var (ownPages, ownEvents) = (pages[w] = new List<double>(4_096), events[w] = new List<double>(512));
                var http = _clients[w % _clients.Length];
                var rng = new Random(run * 1_000 + w + (measure is null ? 0 : 500));
                while (Stopwatch.GetTimestamp() < until)
                {
                    var member = members[rng.Next(members.Length)];
                    bool isEvent = rng.NextDouble() < eventShare;
                    using var request = isEvent ? EventRequest(member, titles[rng.Next(titles.Length)]) : PageRequest(member);
                    var t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        using var response = await http.SendAsync(request);
                        var body = await response.Content.ReadAsByteArrayAsync();
                        double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                        if (!response.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref failed);
                            Interlocked.CompareExchange(ref firstFailure, $"{request.Method} {request.RequestUri} on {http.BaseAddress}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300))}", null);
                        }
                        else (isEvent ? ownEvents : ownPages).Add(ms);
                    }
                    catch (HttpRequestException e)
                    {
                        Interlocked.Increment(ref failed);
                        Interlocked.CompareExchange(ref firstFailure, $"{request.Method} {request.RequestUri} on {http.BaseAddress}: {e.Message}", null);
                    }
                }
            })).ToArray();
            await Task.WhenAll(workers);
            after?.Invoke();
            if (measure is null) return;
            var allPages = pages.SelectMany(p => p).Order().ToArray();
            var allEvents = events.SelectMany(p => p).Order().ToArray();
            measure.Pages = allPages.Length;
            measure.Events = allEvents.Length;
            measure.Failed = failed;
            measure.FirstFailure = firstFailure;
            (measure.PageP50, measure.PageP99) = (Percentile(allPages, 0.5), Percentile(allPages, 0.99));
            (measure.EventP50, measure.EventP99) = (Percentile(allEvents, 0.5), Percentile(allEvents, 0.99));
        }

        private static HttpRequestMessage PageRequest(string member)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/members/{Uri.EscapeDataString(member)}/homepage?device=tv");
            request.Headers.Add("X-API-Key", ReadKey);
            return request;
        }

        private HttpRequestMessage EventRequest(string member, string title)
        {
            long n = Interlocked.Increment(ref _sequence);
            var body = JsonSerializer.SerializeToUtf8Bytes(new[]
            {
                new Dictionary<string, object>
                {
                    ["event_id"] = string.Create(CultureInfo.InvariantCulture, $"cluster-bench-{eventsFrom.Ticks}-{n}"), ["kind"] = "rating",
                    ["member_id"] = member, ["title_id"] = title, ["device"] = "tv",
                    ["timestamp"] = eventsFrom.AddSeconds(n).ToString("O", CultureInfo.InvariantCulture),
                    ["session_id"] = string.Create(CultureInfo.InvariantCulture, $"cluster-bench-{n}"), ["rating"] = 1 + (int)(n % 5),
                },
            });
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = content };
            request.Headers.Add("X-API-Key", IngestKey);
            return request;
        }
    }

    /// <summary>One `encore serve --cluster` process with the bench's keys and its own free ports.</summary>
    private sealed class Node : IDisposable
    {
        private readonly StringBuilder _errors = new();

        public Node(string encore, string database, int index)
        {
            int http = FreePort();
            SiloPort = FreePort();
            GatewayPort = FreePort();
            Url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{http}");
            var start = new ProcessStartInfo(encore,
                ["serve", "--db", database, "--cluster", "--urls", Url, "--clock", "events",
                 "--silo-port", SiloPort.ToString(CultureInfo.InvariantCulture), "--gateway-port", GatewayPort.ToString(CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            start.Environment["ENCORE_INGEST_KEY"] = IngestKey;
            start.Environment["ENCORE_READ_KEY"] = ReadKey;
            start.Environment["ENCORE_ADMIN_KEY"] = AdminKey;
            Index = index;
            Process = Process.Start(start)!;
            Process.OutputDataReceived += (_, _) => { };
            Process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line) lock (_errors) { if (_errors.Length < 20_000) _errors.AppendLine(line); }
            };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public int Index { get; }
        public int SiloPort { get; }
        public int GatewayPort { get; }
        public string Url { get; }
        public Process Process { get; }

        /// <summary>Polls /health/ready until it answers 200; fails with the node's standard error when the process exits.</summary>
        public async Task ReadyAsync(TimeSpan timeout)
        {
            using var http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(5) };
            var until = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < until)
            {
                if (Process.HasExited) throw new InvalidOperationException($"silo {Index} ({Url}) exited with {Process.ExitCode}:\n{Errors}");
                try
                {
                    using var response = await http.GetAsync("/health/ready");
                    if (response.StatusCode == HttpStatusCode.OK) return;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                await Task.Delay(250);
            }
            throw new TimeoutException($"silo {Index} ({Url}) not ready after {timeout}:\n{Errors}");
        }

        private string Errors { get { lock (_errors) return _errors.ToString(); } }

        /// <summary>SIGTERM (the server leaves the cluster and stops cleanly), then SIGKILL if it is still there after the wait.</summary>
        public void Stop(TimeSpan wait)
        {
            if (Process.HasExited) return;
            using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
                kill.WaitForExit();
            if (Process.WaitForExit(wait))
            {
                if (Process.ExitCode != 0) Console.WriteLine($"  silo {Index} exited with {Process.ExitCode} after SIGTERM:\n{Errors}");
                return;
            }
            Console.WriteLine($"  silo {Index} still running {wait.TotalSeconds:F0} s after SIGTERM: killed");
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A process's CPU seconds so far: utime + stime (fields 14 and 15 of /proc/PID/stat, in clock ticks).</summary>
    private static double CpuSeconds(int pid, long ticksPerSecond)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: the fields after it start after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / (double)ticksPerSecond;
    }

    /// <summary>The silos' CPU seconds so far by thread name (/proc/PID/task/TID/stat; a thread that ended is not counted).</summary>
    private static Dictionary<string, double> ThreadCpu(List<Node> nodes, long ticksPerSecond)
    {
        var byName = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var node in nodes)
            foreach (var task in Directory.EnumerateDirectories($"/proc/{node.Process.Id}/task"))
            {
                string stat;
                try { stat = File.ReadAllText(Path.Combine(task, "stat")); }
                catch (IOException) { continue; }
                int open = stat.IndexOf('(', StringComparison.Ordinal), close = stat.LastIndexOf(')');
                var name = stat[(open + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                double cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / (double)ticksPerSecond;
                byName[name] = byName.GetValueOrDefault(name) + cpu;
            }
        return byName;
    }

    /// <summary>The whole machine's busy CPU seconds so far (every core: /proc/stat's cpu line less idle and iowait).</summary>
    private static double MachineBusySeconds(long ticksPerSecond)
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        long busy = v.Take(Math.Min(v.Length, 8)).Sum() - v[3] - v[4];
        return busy / (double)ticksPerSecond;
    }

    /// <summary>The kernel's clock ticks per second (getconf CLK_TCK), the unit of /proc's CPU times.</summary>
    private static long ClockTicks()
    {
        using var getconf = Process.Start(new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var text = getconf.StandardOutput.ReadToEnd().Trim();
        getconf.WaitForExit();
        return long.TryParse(text, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks
            : throw new InvalidOperationException($"getconf CLK_TCK answered '{text}', not a tick rate");
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

    private static double Percentile(double[] sorted, double q)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1))];

    private static int IntOption(string[] args, string name, int fallback)
        => StringOption(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? StringOption(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
