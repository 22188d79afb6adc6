using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Encore.Server;
using Encore.Service;
using Encore.Simulation;
using Encore.Storage.Postgres;
using Encore.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Encore.Cluster.Tests;

/// <summary>Two Encore servers run as silos of one cluster over one PostgreSQL store: the same HTTP API answers from either.</summary>
public sealed class ServeClusterTests(PostgresCluster postgres)
{
    private static readonly ApiKeySet Keys = new("cluster-ingest-key-0001", "cluster-read-key-000002", "cluster-admin-key-00003");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static HttpClient Client(RunningServer server, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(server.Urls[0]), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    [Fact]
    public async Task An_event_sent_to_one_server_is_on_the_members_homepage_from_the_other_at_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = postgres.NewDatabaseUrl("serve");
        string member, title;
        DateTime last = default;
        await using (var store = await PostgresEventStore.OpenAsync(db, ct))
        {
            await SimulatedDatabase.EnsureAsync(store, new SimulationOptions { Members = 80, Titles = 60, Days = 21 }, ct: ct);
            await foreach (var e in store.ReadEventsAsync(Storage.EventQuery.All, ct)) if (e.TimestampUtc > last) last = e.TimestampUtc;
            member = (await store.ReadMemberIdsAsync(ct))[3];
            title = (await store.ReadTitleIdsAsync(ct))[0];
            await foreach (var t in store.ReadTitlesAsync(ct)) if (t.Kind == Core.TitleKind.Film) { title = t.Id; break; }
        }
        // One cluster id for both servers (each its own silo and gateway ports): two silos of one cluster.
        var clusterId = "serve-" + Guid.NewGuid().ToString("N")[..8];
        ServerSettings Settings() => new()
        {
            Database = db, Keys = Keys, Clock = ServiceClock.LatestEvent,
            Cluster = new ClusterSettings(FreePort(), FreePort(), clusterId),
        };
        // The first node trains the first model and names it active in the store; the second finds it there.
        await using var a = await EncoreServer.StartAsync(Settings(), "http://127.0.0.1:0", ct);
        await a.Host.ReadyAsync.WaitAsync(TimeSpan.FromMinutes(3), ct);
        await using var b = await EncoreServer.StartAsync(Settings(), "http://127.0.0.1:0", ct);
        await b.Host.ReadyAsync.WaitAsync(TimeSpan.FromMinutes(3), ct);
        Assert.True(a.Host.Service!.IsClusterNode && b.Host.Service!.IsClusterNode);
        // Both are silos of one cluster (membership in PostgreSQL): A's management grain sees two active silos.
        var management = a.App.Services.GetRequiredService<Orleans.IGrainFactory>().GetGrain<Orleans.Runtime.IManagementGrain>(0);
        var joined = System.Diagnostics.Stopwatch.StartNew();
        while ((await management.GetHosts(true, ct)).Count < 2)
        {
            Assert.True(joined.Elapsed < TimeSpan.FromSeconds(30), $"the two servers did not form one cluster: {string.Join(", ", (await management.GetHosts(true, ct)).Keys)}");
            await Task.Delay(100, ct);
        }

        using var ingestA = Client(a, Keys.Ingest);
        using var readA = Client(a, Keys.Read);
        using var readB = Client(b, Keys.Read);
        var at = last.AddMinutes(5).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        var body = $$"""[{"event_id":"serve-1","kind":"play_start","member_id":"{{member}}","title_id":"{{title}}","device":"tv","timestamp":"{{at}}","session_id":"s-serve-1","position":0}]""";
        var stored = await ingestA.PostAsync("/v1/events", new StringContent(body, Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        var fromB = await readB.GetStringAsync($"/v1/members/{member}/homepage?device=tv", ct);
        var rows = JsonDocument.Parse(fromB).RootElement.GetProperty("rows").EnumerateArray().ToList();
        var continuing = rows.FirstOrDefault(r => r.GetProperty("key").GetString() == "continue-watching");
        Assert.True(continuing.ValueKind == JsonValueKind.Object && continuing.GetRawText().Contains(title, StringComparison.Ordinal),
            $"the page from the other server does not show {title}, begun through the first, in Continue Watching: {fromB[..Math.Min(fromB.Length, 600)]}");
        var fromA = await readA.GetStringAsync($"/v1/members/{member}/homepage?device=tv", ct);
        Assert.Equal(fromA, fromB);

        // Every other member-specific read answers the same bytes from either server, built by the member's grain: B's
        // own service never saw the event stored through A, yet B's timeline has its signal.
        string word = JsonDocument.Parse(await readA.GetStringAsync($"/v1/titles/{title}", ct)).RootElement.GetProperty("name").GetString()!.Split(' ')[0];
        foreach (var path in new[]
        {
            $"/v1/members/{member}/recommendations?n=10", $"/v1/members/{member}/recommendations?n=5&device=phone",
            $"/v1/members/{member}/rows/continue_watching?device=tv", $"/v1/members/{member}/continue-watching?device=tv",
            $"/v1/members/{member}/rows/because_you_watched?device=tv&titles=8", $"/v1/members/{member}/explain/{title}?device=tv",
            $"/v1/members/{member}/timeline?events=20", $"/v1/search?q={Uri.EscapeDataString(word)}&member={member}&n=5",
        })
        {
            var a1 = await readA.GetAsync(path, ct);
            var b1 = await readB.GetAsync(path, ct);
            Assert.True(a1.StatusCode == HttpStatusCode.OK && b1.StatusCode == HttpStatusCode.OK, $"{path}: {a1.StatusCode} from A, {b1.StatusCode} from B");
            Assert.Equal(await a1.Content.ReadAsStringAsync(ct), await b1.Content.ReadAsStringAsync(ct));
        }
        var timeline = JsonDocument.Parse(await readB.GetStringAsync($"/v1/members/{member}/timeline?events=5", ct)).RootElement;
        Assert.Contains(timeline.GetProperty("signals").EnumerateArray(), s => s.GetProperty("title_id").GetString() == title && s.GetProperty("played").GetBoolean());

        // Service-wide reads follow every node's events: plays of one title by twenty members, sent to A only, make it
        // trend on B too (B's trending reads its silo's view, which follows the log), and both answer the same list.
        var members = new List<string>();
        await using (var store = await PostgresEventStore.OpenAsync(db, ct))
            foreach (var id in (await store.ReadMemberIdsAsync(ct)).Ids.Take(20)) members.Add(id);
        var trendAt = last.AddMinutes(10).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        var plays = string.Join(",", members.Select((m, i) => $$"""{"event_id":"trend-{{i}}","kind":"play_start","member_id":"{{m}}","title_id":"{{title}}","device":"tv","timestamp":"{{trendAt}}","session_id":"s-trend-{{i}}","position":0}"""));
        Assert.Equal(HttpStatusCode.OK, (await ingestA.PostAsync("/v1/events", new StringContent("[" + plays + "]", Encoding.UTF8, "application/json"), ct)).StatusCode);
        var trendClock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var trendingA = await readA.GetStringAsync("/v1/trending?window=day&n=5", ct);
            var trendingB = await readB.GetStringAsync("/v1/trending?window=day&n=5", ct);
            if (trendingA == trendingB && trendingB.Contains(title, StringComparison.Ordinal)) break;
            Assert.True(trendClock.Elapsed < TimeSpan.FromSeconds(10), $"trending differs between the servers {trendClock.Elapsed.TotalSeconds:F1} s after plays sent to A: A {trendingA}; B {trendingB}");
            await Task.Delay(50, ct);
        }

        // A title added through A is found by search on B, and listed there, without a restart.
        using var adminA = Client(a, Keys.Admin);
        using var adminB = Client(b, Keys.Admin);
        var added = new { id = "serve-added", name = "Quixotic Zephyr Nocturne", kind = "film", runtime_seconds = 5_400, genres = new[] { "Drama" }, available_from = "2000-01-01T00:00:00Z" };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var created = await adminA.PostAsync("/v1/titles", new StringContent(JsonSerializer.Serialize(added), Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        while (true)
        {
            var found = await readB.GetStringAsync($"/v1/search?q=zephyr&member={member}&n=5", ct);
            var listed = await readB.GetStringAsync("/v1/titles?prefix=serve-added", ct);
            if (found.Contains("serve-added", StringComparison.Ordinal) && listed.Contains("Quixotic", StringComparison.Ordinal)) break;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"server B does not find the title added through A after {clock.Elapsed.TotalSeconds:F1} s: {found}; {listed}");
            await Task.Delay(50, ct);
        }
        // A model trained and activated through A is the one B's pages are built by at once, and B's own list says so
        // within a bounded time; a swap back through B is the one A's pages use at once.
        var queued = await adminA.PostAsync("/v1/models/train", new StringContent("""{"model": "itemknn"}""", Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var jobId = JsonDocument.Parse(await queued.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("id").GetString();
        JsonElement job;
        var trainClock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            job = JsonDocument.Parse(await adminA.GetStringAsync($"/v1/models/jobs/{jobId}", ct)).RootElement;
            if (job.GetProperty("state").GetString() is "succeeded" or "failed") break;
            Assert.True(trainClock.Elapsed < TimeSpan.FromMinutes(3), $"training on A did not end: {job}");
            await Task.Delay(100, ct);
        }
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var trained = job.GetProperty("version").GetString()!;
        string ModelOf(string page) => JsonDocument.Parse(page).RootElement.GetProperty("model").GetString()!.Split(' ')[0];
        var pageB = await readB.GetStringAsync($"/v1/members/{member}/homepage?device=tv", ct);
        Assert.True(ModelOf(pageB) == "itemknn", $"B's page after {trained} was trained and activated through A: {pageB[..Math.Min(pageB.Length, 300)]}");
        clock.Restart();
        while (!(await adminB.GetStringAsync("/v1/models", ct)).Contains($"\"version\":\"{trained}\",\"active\":true", StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"server B's model list does not show {trained}, activated through A, as active after {clock.Elapsed.TotalSeconds:F1} s");
            await Task.Delay(50, ct);
        }
        var back = await adminB.PostAsync("/v1/models/v0001/activate", null, ct);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal("ials", ModelOf(await readA.GetStringAsync($"/v1/members/{member}/homepage?device=tv", ct)));
    }
}
