using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Encore.Server;
using Encore.Service;
using Encore.Simulation;
using Encore.Storage.Postgres;
using Encore.TestSupport;
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
        ServerSettings Settings() => new()
        {
            Database = db, Keys = Keys, Clock = ServiceClock.LatestEvent,
            Cluster = new ClusterSettings(FreePort(), FreePort(), "serve-" + Guid.NewGuid().ToString("N")[..8]),
        };
        // The first node trains the first model and names it active in the store; the second finds it there.
        await using var a = await EncoreServer.StartAsync(Settings(), "http://127.0.0.1:0", ct);
        await a.Host.ReadyAsync.WaitAsync(TimeSpan.FromMinutes(3), ct);
        await using var b = await EncoreServer.StartAsync(Settings(), "http://127.0.0.1:0", ct);
        await b.Host.ReadyAsync.WaitAsync(TimeSpan.FromMinutes(3), ct);
        Assert.True(a.Host.Service!.IsClusterNode && b.Host.Service!.IsClusterNode);

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
    }
}
