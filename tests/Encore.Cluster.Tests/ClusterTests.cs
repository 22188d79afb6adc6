using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Encore.Core;
using Encore.Ranking;
using Encore.Ranking.Pages;
using Encore.Service;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cluster.Tests;

/// <summary>Three silos over one PostgreSQL database: the same pages as one node, and no lost event when silos leave.</summary>
public sealed class ClusterTests(PostgresCluster postgres)
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, IncludeFields = true };

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
        // Each silo's HTTP service, started before the events below: its own view never sees the events stored through
        // the other nodes, so its member-specific answers are right only if they come from the member's grain.
        var nodes = new List<EncoreService>();
        foreach (var silo in silos) nodes.Add(await rig.StartNodeServiceAsync(silo!));
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

        // Every other member-specific read of the HTTP API, from each silo's service: the single node's answer.
        var first = (await rig.Store.GetTitleAsync(rig.Titles[0], ct))!;
        string genre = first.Genres[0], word = first.Name.Split(' ')[0];
        var reads = new (string Name, Func<EncoreService, string, Task<object>> Read)[]
        {
            ("top-N", async (s, m) => await s.TopNAsync(m, 20, ct: ct)),
            ("top-N of a genre on a phone", async (s, m) => await s.TopNAsync(m, 10, genre, [rig.Titles[1]], DeviceKind.Phone, ct: ct)),
            ("Continue Watching", async (s, m) => await s.RowsAsync(m, RowKind.ContinueWatching, DeviceKind.Tv, ct: ct)),
            ("Because You Watched", async (s, m) => await s.RowsAsync(m, RowKind.BecauseYouWatched, DeviceKind.Tv, titles: 10, ct: ct)),
            ("explain", async (s, m) => await s.ExplainAsync(m, rig.Titles[Math.Abs(m.GetHashCode(StringComparison.Ordinal)) % rig.Titles.Count], DeviceKind.Tv, ct)),
            ("timeline", async (s, m) => await s.TimelineAsync(m, 50, ct)),
            ("search", async (s, m) => await s.SearchAsync(word, m, 10, ct: ct)),
        };
        var singleNode = new (string, Func<string, object>)[]
        {
            ("top-N", m => single.TopN(m, 20)),
            ("top-N of a genre on a phone", m => single.TopN(m, 10, genre, [rig.Titles[1]], DeviceKind.Phone)),
            ("Continue Watching", m => single.Rows(m, RowKind.ContinueWatching, DeviceKind.Tv)),
            ("Because You Watched", m => single.Rows(m, RowKind.BecauseYouWatched, DeviceKind.Tv, titles: 10)),
            ("explain", m => single.Explain(m, rig.Titles[Math.Abs(m.GetHashCode(StringComparison.Ordinal)) % rig.Titles.Count], DeviceKind.Tv)),
            ("timeline", m => single.TimelineAsync(m, 50, ct).GetAwaiter().GetResult()),
            ("search", m => single.Search(word, m, 10)),
        };
        int onPage = 0, offPage = 0, withTimeline = 0;
        compared = 0;
        foreach (var member in rig.Members)
        {
            for (int r = 0; r < reads.Length; r++)
            {
                var expectedAnswer = singleNode[r].Item2(member);
                if (expectedAnswer is Service.PageExplanation e) { if (e.Row is null) offPage++; else onPage++; }
                if (expectedAnswer is Service.MemberTimeline t && t.Signals.Count > 0) withTimeline++;
                var expected = JsonSerializer.Serialize(expectedAnswer, Json);
                for (int n = 0; n < nodes.Count; n++)
                {
                    var actual = JsonSerializer.Serialize(await reads[r].Read(nodes[n], member), Json);
                    if (expected != actual) Assert.Fail($"member {member}: {reads[r].Name} from node {n} differs from the single node's: {FirstDifference(expected, actual)}");
                    compared++;
                }
            }
        }
        Assert.Equal(rig.Members.Count * ClusterRig.Silos * reads.Length, compared);
        // Both kinds of explanation were compared (on the page, and the reasons why not), and timelines with signals.
        Assert.True(onPage > 0 && offPage > 0, $"explanations compared: {onPage} on the page, {offPage} off it");
        Assert.True(withTimeline > rig.Members.Count / 2, $"only {withTimeline} timelines had signals");

        // A bad request answered by a grain is the service's refusal, as on a single node.
        var badGenre = await Assert.ThrowsAsync<Service.ServiceException>(() => nodes[1].TopNAsync(rig.Members[0], 10, "No Such Genre", ct: ct));
        Assert.Equal(Service.ServiceErrorKind.BadRequest, badGenre.Kind);
        var noTitle = await Assert.ThrowsAsync<Service.ServiceException>(() => nodes[2].ExplainAsync(rig.Members[0], "no-such-title", DeviceKind.Tv, ct));
        Assert.Equal(Service.ServiceErrorKind.NotFound, noTitle.Kind);
        foreach (var node in nodes) await node.DisposeAsync();
    }

    [Fact]
    public async Task A_title_or_a_profile_changed_through_one_node_holds_on_the_others_without_a_restart()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var rig = await ClusterRig.StartAsync(postgres);
        var silos = rig.Cluster.GetActiveSilos().ToList();
        var nodes = new List<EncoreService>();
        foreach (var silo in silos) nodes.Add(await rig.StartNodeServiceAsync(silo!));
        var member = rig.Members[7];
        var template = (await rig.Store.GetTitleAsync(rig.Titles[0], ct))!;
        var title = template with
        {
            Id = "added-through-node-0", Name = "Quixotic Zephyr Nocturne",
            AvailableFromUtc = rig.LastEvent.AddDays(-1), AvailableUntilUtc = null, ReleaseDate = DateOnly.FromDateTime(rig.LastEvent),
        };
        // Before: no node knows it.
        Assert.DoesNotContain((await nodes[2].SearchAsync("Zephyr", member, 10, ct: ct)).Hits, h => h.TitleId == title.Id);
        var clock = Stopwatch.StartNew();
        await nodes[0].UpsertTitlesAsync([title], ct);
        // Within a bounded time (the followers tick every 100 ms here; 250 ms by default) every other node finds it.
        var deadline = TimeSpan.FromSeconds(10);
        for (int n = 1; n < nodes.Count; n++)
        {
            while (!(await nodes[n].SearchAsync("Zephyr Nocturne", member, 10, ct: ct)).Hits.Any(h => h.TitleId == title.Id))
            {
                Assert.True(clock.Elapsed < deadline, $"node {n} still cannot find the title added through node 0 after {clock.Elapsed.TotalSeconds:F1} s");
                await Task.Delay(50, ct);
            }
            while (nodes[n].FindTitle(title.Id) is null)
            {
                Assert.True(clock.Elapsed < deadline, $"node {n}'s own catalogue still lacks the title added through node 0 after {clock.Elapsed.TotalSeconds:F1} s");
                await Task.Delay(50, ct);
            }
        }
        var seen = clock.Elapsed;
        var figure = $"a title added through node 0 was found by search and in the catalogue of the other nodes after {seen.TotalMilliseconds:F0} ms";
        TestContext.Current.TestOutputHelper?.WriteLine(figure);
        TestContext.Current.SendDiagnosticMessage(figure);
        // Every silo's node followed the store's catalogue counter to where it is now (the HTTP services reload with them).
        long version = await rig.Store.ReadCatalogueVersionAsync(ct);
        foreach (var silo in silos) Assert.Equal(version, ClusterRig.NodeOf(silo!).CatalogueVersion);
        // Explained, not refused as unknown, by every node.
        foreach (var node in nodes) Assert.Equal(title.Id, (await node.ExplainAsync(member, title.Id, DeviceKind.Tv, ct)).TitleId);
        // A play of it through node 1 is folded by the member's grain (wherever it lives) and on the page from node 2.
        var play = Play("play-added-title", member, title.Id, rig.LastEvent.AddMinutes(1));
        var stored = await ClusterRig.FrontOn(silos[1]!).IngestAsync([play], ct);
        Assert.Equal(1, stored.Accepted);
        var rows = await nodes[2].RowsAsync(member, RowKind.ContinueWatching, DeviceKind.Tv, ct: ct);
        Assert.True(rows.Count == 1 && rows[0].Titles.Any(t => t.TitleId == title.Id),
            $"member {member}'s Continue Watching from node 2 does not show the title added through node 0 and begun through node 1");
        var timeline = await nodes[2].TimelineAsync(member, 10, ct);
        Assert.Contains(timeline.Signals, s => s.TitleId == title.Id && s.Name == title.Name);

        // A title and a play of it stored at once (here straight into the store, before any node's follower has seen the
        // title), for a member whose grain is not active: the grain that comes up for the read takes in the catalogue as
        // new as the events it replays, so the play is folded, not skipped as naming an unknown title.
        var sudden = title with { Id = "added-and-played-at-once", Name = "Sudden Premiere" };
        var fresh = rig.Members[9];
        await rig.Store.UpsertTitlesAsync([sudden], ct);
        await rig.Store.AppendAsync([Play("play-at-once", fresh, sudden.Id, rig.LastEvent.AddMinutes(2))], ct);
        var freshRows = await nodes[2].RowsAsync(fresh, RowKind.ContinueWatching, DeviceKind.Tv, ct: ct);
        Assert.True(freshRows.Count == 1 && freshRows[0].Titles.Any(t => t.TitleId == sudden.Id),
            $"member {fresh}'s Continue Watching misses the title stored together with its play");

        // A profile's maturity limit set through node 0 holds on node 2's answers at once (the member's grain reads the
        // profile again), as on a single node started afterwards; a member removed through node 0 is refused by node 1.
        var ages = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var t in rig.Store.ReadTitlesAsync(ct)) ages[t.Id] = MaturityRatings.AgeOf(t.MaturityRating) ?? int.MaxValue;
        var child = rig.Members[11];
        var before = await nodes[2].TopNAsync(child, 30, ct: ct);
        Assert.Contains(before, t => ages[t.TitleId] > 10); // the limit below has something to hold back
        await nodes[0].UpsertMembersAsync([new Member { Id = child, MaturityLimit = "PG" }], ct);
        var limited = await nodes[2].TopNAsync(child, 30, ct: ct);
        Assert.All(limited, t => Assert.True(ages[t.TitleId] <= 10, $"{t.TitleId} is rated above PG, the limit set through node 0"));
        var page = await nodes[1].HomepageAsync(child, DeviceKind.Tv, ct: ct);
        Assert.All(page.Rows.SelectMany(r => r.Titles), t => Assert.True(ages[t.TitleId] <= 10, $"{t.TitleId} on node 1's page is rated above PG"));
        await rig.CatchUpAsync();
        await using (var single = await rig.StartSingleNodeAsync())
            Assert.Equal(JsonSerializer.Serialize(single.TopN(child, 30), Json), JsonSerializer.Serialize(limited, Json));
        var gone = rig.Members[12];
        Assert.True(await nodes[0].RemoveMemberAsync(gone, ct));
        var refused = await Assert.ThrowsAsync<ServiceException>(() => nodes[1].TopNAsync(gone, 10, ct: ct));
        Assert.Equal(ServiceErrorKind.NotFound, refused.Kind);
        refused = await Assert.ThrowsAsync<ServiceException>(() => nodes[2].HomepageAsync(gone, DeviceKind.Tv, ct: ct));
        Assert.Equal(ServiceErrorKind.NotFound, refused.Kind);
        // A member no node has heard of is refused as on a single node; created through node 0, it has a cold-start page on node 2.
        refused = await Assert.ThrowsAsync<ServiceException>(() => nodes[2].HomepageAsync("newcomer", DeviceKind.Tv, ct: ct));
        Assert.Equal(ServiceErrorKind.NotFound, refused.Kind);
        Assert.Contains("no member", refused.Message, StringComparison.Ordinal);
        await nodes[0].UpsertMembersAsync([new Member { Id = "newcomer" }], ct);
        Assert.NotEmpty((await nodes[2].HomepageAsync("newcomer", DeviceKind.Tv, ct: ct)).Rows);
        foreach (var node in nodes) await node.DisposeAsync();
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
    public async Task A_training_job_asked_through_one_node_is_the_clusters_seen_and_followed_through_every_node()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var rig = await ClusterRig.StartAsync(postgres);
        var silos = rig.Cluster.GetActiveSilos().ToList();
        var nodes = new List<EncoreService>();
        try
        {
            foreach (var silo in silos) nodes.Add(await rig.StartNodeServiceAsync(silo!));
            await TrainingJobsAcrossNodesAsync(silos, nodes, ct);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    private static async Task TrainingJobsAcrossNodesAsync(List<Orleans.TestingHost.SiloHandle> silos, List<EncoreService> nodes, CancellationToken ct)
    {
        // Two jobs asked through two nodes: one queue, two ids, both listed by every node.
        var first = await nodes[0].TrainAsync(new TrainingSpec { Model = "popularity" }, ct);
        var second = await nodes[1].TrainAsync(new TrainingSpec { Model = "popularity", Activate = false }, ct);
        Assert.NotEqual(first.Id, second.Id);
        foreach (var node in nodes)
        {
            var ids = (await node.JobsAsync(ct)).Select(j => j.Id).ToList();
            Assert.Contains(first.Id, ids);
            Assert.Contains(second.Id, ids);
        }
        // Followed to its end through a third node.
        var done = await FinishedAsync(nodes[2], second.Id, ct);
        Assert.True(done.State == JobState.Succeeded, done.Error);
        var firstDone = await nodes[1].JobAsync(first.Id, ct);
        Assert.True(firstDone.State == JobState.Succeeded, firstDone.Error);
        Assert.NotNull(firstDone.Version);
        Assert.NotEqual(firstDone.Version, done.Version);
        Assert.Contains($"registered as {done.Version}", done.Progress);
        // The one asked to become active is the cluster's active model; the other is registered, not active.
        Assert.Equal(firstDone.Version, await ClusterRig.FrontOn(silos[2]!).ActiveVersionAsync(ct));
        var unknown = await Assert.ThrowsAsync<ServiceException>(() => nodes[2].JobAsync("job-9999", ct));
        Assert.Equal(ServiceErrorKind.NotFound, unknown.Kind);

        // Every node runs the same retraining schedule: the first whose schedule comes due queues the period's retrain,
        // the others find it queued (and, within 0.9 of the period, done) and queue nothing.
        var fronts = silos.Select(s => ClusterRig.FrontOn(s!)).ToList();
        var scheduled = new TrainingSpec { Model = "popularity", Reason = "schedule" };
        var due = await fronts[0].EnqueueScheduledAsync(scheduled, TimeSpan.FromHours(1), ct);
        Assert.NotNull(due);
        Assert.Null(await fronts[1].EnqueueScheduledAsync(scheduled, TimeSpan.FromHours(1), ct));
        Assert.True((await FinishedAsync(nodes[1], due.Id, ct)).State == JobState.Succeeded);
        Assert.Null(await fronts[2].EnqueueScheduledAsync(scheduled, TimeSpan.FromHours(1), ct));
        Assert.Equal(3, (await nodes[0].JobsAsync(ct)).Count);
    }

    private static async Task<TrainingJobStatus> FinishedAsync(EncoreService node, string id, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var job = await node.JobAsync(id, ct);
            if (job.State is JobState.Succeeded or JobState.Failed) return job;
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"job {id} is still {job.State} after {clock.Elapsed.TotalSeconds:F0} s");
            await Task.Delay(100, ct);
        }
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
