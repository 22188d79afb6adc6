using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Encore.Core;
using Encore.Ranking.Pages;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cluster.Tests;

/// <summary>Three silos over one PostgreSQL database: the same pages as one node, and no lost event when silos leave.</summary>
public sealed class ClusterTests(PostgresCluster postgres)
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static ViewingEvent Play(string id, string member, string title, DateTime at) => new()
    {
        EventId = id, Kind = EventKind.PlayStart, MemberId = member, TitleId = title, Device = DeviceKind.Tv,
        TimestampUtc = at, SessionId = "s-" + id, PositionSeconds = 0,
    };

    private static PageRequest Page(string member) => new() { MemberId = member, Device = DeviceKind.Tv, AtUtc = default };

    [Fact]
    public async Task Pages_from_every_node_are_the_single_nodes_for_the_same_state()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var rig = await ClusterRig.StartAsync(postgres);
        var silos = rig.Cluster.GetActiveSilos().ToList();
        Assert.Equal(ClusterRig.Silos, silos.Count);
        var fronts = silos.Select(s => ClusterRig.FrontOn(s!)).ToList();
        // Events through every node, each a play of a title the member had not begun: each node's page shows it at once.
        var at = rig.LastEvent;
        for (int i = 0; i < 12; i++)
        {
            var member = rig.Members[i * 5 % rig.Members.Count];
            at = at.AddSeconds(30);
            var e = Play($"cluster-{i}", member, rig.Titles[(i * 7) % rig.Titles.Count], at);
            var stored = await fronts[i % fronts.Count].IngestAsync([e], ct);
            Assert.Equal(1, stored.Accepted + stored.Duplicates);
            var page = await fronts[(i + 1) % fronts.Count].HomepageAsync(Page(member), ct);
            var continuing = page.Rows.FirstOrDefault(r => r.Kind == RowKind.ContinueWatching);
            Assert.True(continuing is not null && continuing.Titles.Any(t => t.TitleId == e.TitleId),
                $"member {member}'s page from another node does not show the title {e.TitleId} just begun in Continue Watching");
        }
        // Pages share the service-wide scores (trends, popularity) for a minute of page time, or until the log grows by
        // 1%, on one node as on many: one more event two minutes on starts a new minute, and every node's view folds the
        // whole log before the first page of that minute, as the single node does when it starts.
        await fronts[0].IngestAsync([Play("cluster-last", rig.Members[1], rig.Titles[1], at.AddMinutes(2))], ct);
        await rig.CatchUpAsync();
        await using var single = await rig.StartSingleNodeAsync();
        Assert.Equal(single.ActiveVersion!.Version, await fronts[0].ActiveVersionAsync(ct));
        int compared = 0;
        foreach (var member in rig.Members)
        {
            var expected = JsonSerializer.Serialize(single.Homepage(member, DeviceKind.Tv), Json);
            for (int f = 0; f < fronts.Count; f++)
            {
                var actual = JsonSerializer.Serialize(await fronts[f].HomepageAsync(Page(member), ct), Json);
                if (expected != actual) Assert.Fail($"member {member}: node {f}'s page differs from the single node's: {FirstDifference(expected, actual)}");
                compared++;
            }
        }
        Assert.Equal(rig.Members.Count * ClusterRig.Silos, compared);
    }

    /// <summary>Where two texts part, with some text before and after in each.</summary>
    private static string FirstDifference(string a, string b)
    {
        int i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        int from = Math.Max(0, i - 300);
        return $"at {i}\nsingle: ...{a[from..Math.Min(a.Length, i + 200)]}\nnode:   ...{b[from..Math.Min(b.Length, i + 200)]}";
    }

    [Fact]
    public async Task A_silo_stopped_and_a_silo_killed_under_load_lose_no_acknowledged_event_and_requests_keep_being_answered()
    {
        var ct = TestContext.Current.CancellationToken;
        var startClock = Stopwatch.StartNew();
        await using var rig = await ClusterRig.StartAsync(postgres);
        var started = startClock.Elapsed;
        var silos = rig.Cluster.GetActiveSilos().ToList();
        var primary = silos[0]!;
        var survivor = ClusterRig.FrontOn(primary);
        var client = new ClusterFront(rig.Cluster.Client, rig.Store);
        ClusterFront[] fronts = [survivor, client];
        // Every member's grain is active somewhere before the load starts (spread over the three silos).
        foreach (var member in rig.Members) await client.EventCountAsync(member, ct);

        var acknowledged = new ConcurrentBag<ViewingEvent>();
        var latencies = new ConcurrentBag<double>();
        int failed = 0, answeredAfterKill = 0, sequence = 0;
        bool killed = false;
        using var stop = new CancellationTokenSource();
        var baseTime = rig.LastEvent;
        async Task Worker(int w)
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                int n = Interlocked.Increment(ref sequence);
                var member = rig.Members[random.Next(rig.Members.Count)];
                var front = fronts[n % fronts.Length];
                var clock = Stopwatch.StartNew();
                try
                {
                    var e = Play($"load-{n}", member, rig.Titles[random.Next(rig.Titles.Count)], baseTime.AddSeconds(n));
                    await front.IngestAsync([e], ct);
                    acknowledged.Add(e);
                    var page = await front.HomepageAsync(Page(member), ct);
                    Assert.Equal(member, page.MemberId);
                    if (Volatile.Read(ref killed)) Interlocked.Increment(ref answeredAfterKill);
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                }
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() => Worker(w))).ToList();
        await Task.Delay(1500, ct);
        var stopped = silos.First(s => s != primary);
        await rig.Cluster.StopSiloAsync(stopped, ct);
        await Task.Delay(1500, ct);
        var crashed = rig.Cluster.GetActiveSilos().First(s => s != primary);
        await rig.Cluster.KillSiloAsync(crashed, ct);
        Volatile.Write(ref killed, true);
        await Task.Delay(4000, ct);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var worst = latencies.Max();
        var figures = $"failover: {acknowledged.Count} events acknowledged, {latencies.Count} requests, {failed} failed, worst latency {worst:F0} ms, {answeredAfterKill} answered after the kill; rig started in {started.TotalSeconds:F1} s";
        TestContext.Current.TestOutputHelper?.WriteLine(figures);
        TestContext.Current.SendDiagnosticMessage(figures);
        Assert.Equal(0, failed);
        Assert.True(answeredAfterKill > 0, "no request was answered after the silo was killed");
        Assert.Single(rig.Cluster.GetActiveSilos());

        // Every acknowledged event is in PostgreSQL and in its member's grain (now all on the one silo left).
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in rig.Store.ReadEventsAsync(new EventQuery { FromUtc = baseTime.AddMilliseconds(1) }, ct)) stored.Add(e.EventId);
        foreach (var e in acknowledged) Assert.Contains(e.EventId, stored);
        foreach (var member in acknowledged.Select(e => e.MemberId).Distinct())
        {
            int inStore = 0;
            await foreach (var _ in rig.Store.ReadEventsAsync(new EventQuery { MemberId = member }, ct)) inStore++;
            Assert.Equal(inStore, await survivor.EventCountAsync(member, ct));
        }
    }
}
