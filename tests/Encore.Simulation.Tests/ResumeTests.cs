using System.Text.Json;
using Encore.Core;
using Encore.Evaluation.Simulation;
using Encore.Ingestion;
using Encore.Simulation;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Simulation.Tests;

/// <summary>The service of <see cref="ResumeTests"/> simulated once, uninterrupted: what every resumed store must equal.</summary>
public sealed class UninterruptedStoreFixture : IAsyncLifetime
{
    public static readonly SimulationOptions Options = new() { Members = 300, Titles = 200, Days = 16, Seed = 11 };

    private readonly TempFolder _folder = new();

    public string Database => _folder.File("uninterrupted.db");
    public StoreContents Contents { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        SimulatedDatabase.Outcome outcome;
        await using (var store = await SqliteEventStore.OpenAsync(Database))
            outcome = await SimulatedDatabase.EnsureAsync(store, Options);
        Assert.Equal(SimulatedDatabase.Contents.Empty, outcome.Found.Contents);
        Contents = await StoreContents.ReadAsync(Database, default);
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Everything a store holds, in a comparable form: every event, title and member as JSON, in read order.</summary>
public sealed record StoreContents(IReadOnlyList<string> Events, IReadOnlyList<string> Titles, IReadOnlyList<string> Members)
{
    public static async Task<StoreContents> ReadAsync(string database, CancellationToken ct)
    {
        await using var store = await SqliteEventStore.OpenAsync(database, ct);
        var events = new List<string>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, ct)) events.Add(JsonSerializer.Serialize(e));
        var titles = new List<string>();
        await foreach (var t in store.ReadTitlesAsync(ct)) titles.Add(JsonSerializer.Serialize(t));
        var members = new List<string>();
        await foreach (var m in store.ReadMembersAsync(ct)) members.Add(JsonSerializer.Serialize(m));
        return new StoreContents(events, titles, members);
    }
}

/// <summary>
/// An interrupted simulation never poisons its database: the manifest says "unfinished" from before the first
/// event, a rerun with the same options resumes it, and the result is the store an uninterrupted run makes.
/// </summary>
public sealed class ResumeTests(UninterruptedStoreFixture uninterrupted) : IClassFixture<UninterruptedStoreFixture>, IDisposable
{
    private static readonly SimulationOptions Options = UninterruptedStoreFixture.Options;
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    /// <summary>Cancels the run once the simulator reports <paramref name="day"/> (synchronously, so the cut is mid-run).</summary>
    private sealed class CancelOnDay(CancellationTokenSource cts, int day) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value)
        {
            if (value.Day >= day) cts.Cancel();
        }
    }

    /// <summary><see cref="SimulatedDatabase.EnsureAsync"/> on the database at <paramref name="db"/>.</summary>
    private static async Task<SimulatedDatabase.Outcome> EnsureAsync(string db, SimulationOptions options, IProgress<SimulationProgress>? progress = null,
        CancellationToken ct = default, Action<SimulatedDatabase.Inspection>? found = null)
    {
        await using var store = await SqliteEventStore.OpenAsync(db, Ct);
        return await SimulatedDatabase.EnsureAsync(store, options, progress, ct, found);
    }

    /// <summary>The manifest the store at <paramref name="db"/> keeps, or null.</summary>
    private static async Task<SimulationManifest?> ManifestOfAsync(string db)
    {
        await using var store = await SqliteEventStore.OpenAsync(db, Ct);
        return await SimulationManifest.LoadAsync(store, Ct);
    }

    /// <summary>Runs <see cref="SimulatedDatabase.EnsureAsync"/> and cancels it halfway; returns the events it left.</summary>
    private static async Task<long> InterruptAsync(string db)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            EnsureAsync(db, Options, new CancelOnDay(cts, Options.Days / 2), cts.Token));
        await using var store = await SqliteEventStore.OpenAsync(db, Ct);
        return (await store.GetStatisticsAsync(Ct)).Events;
    }

    private async Task AssertEqualsUninterruptedAsync(string db)
    {
        var resumed = await StoreContents.ReadAsync(db, Ct);
        var expected = uninterrupted.Contents;
        Assert.Equal(expected.Events.Count, resumed.Events.Count);
        Assert.Equal(expected.Events, resumed.Events);
        Assert.Equal(expected.Titles, resumed.Titles);
        Assert.Equal(expected.Members, resumed.Members);
        var manifest = await ManifestOfAsync(db);
        Assert.NotNull(manifest);
        Assert.True(manifest.Finished);
    }

    [Fact]
    public async Task A_cancelled_simulation_is_marked_unfinished_and_a_rerun_resumes_it_to_the_uninterrupted_store()
    {
        var db = _folder.File("interrupted.db");
        long before = await InterruptAsync(db);
        Assert.InRange(before, 1, uninterrupted.Contents.Events.Count - 1);
        // The manifest was written before the first event and still says the run did not end.
        var manifest = await ManifestOfAsync(db);
        Assert.NotNull(manifest);
        Assert.False(manifest.Finished);
        Assert.True(manifest.SameServiceAs(SimulationManifest.From(Options, "popularity")));

        SimulatedDatabase.Inspection? seen = null;
        var outcome = await EnsureAsync(db, Options, null, Ct, found => seen = found);
        Assert.Equal(SimulatedDatabase.Contents.Unfinished, outcome.Found.Contents);
        Assert.Same(outcome.Found, seen);
        Assert.Equal(before, outcome.Found.Events);
        Assert.Contains($"holds an unfinished simulation of seed 11, 300 members x 200 titles x 16 days under the popularity policy ({before:N0} events so far)", outcome.Found.Description);
        Assert.Equal(uninterrupted.Contents.Events.Count - before, outcome.EventsStored);
        await AssertEqualsUninterruptedAsync(db);

        var again = await EnsureAsync(db, Options, ct: Ct);
        Assert.Equal(SimulatedDatabase.Contents.Finished, again.Found.Contents);
        Assert.Equal(0, again.EventsStored);
    }

    [Fact]
    public async Task A_file_the_previous_version_left_without_a_manifest_is_recognised_by_its_content_and_resumed()
    {
        var db = _folder.File("legacy.db");
        long before = await InterruptAsync(db);
        // The previous version wrote the manifest only at the end: an interrupted file had events and no manifest.
        await using (var store = await SqliteEventStore.OpenAsync(db, Ct)) await store.SetPropertyAsync(SimulationManifest.PropertyName, null, Ct);

        var outcome = await EnsureAsync(db, Options, ct: Ct);
        Assert.Equal(SimulatedDatabase.Contents.UnfinishedWithoutManifest, outcome.Found.Contents);
        Assert.Contains($"{before:N0} events", outcome.Found.Description);
        Assert.Contains("no simulation manifest", outcome.Found.Description);
        await AssertEqualsUninterruptedAsync(db);
    }

    [Fact]
    public async Task A_file_without_a_manifest_from_another_policy_is_refused_before_anything_is_added()
    {
        var db = _folder.File("legacy-random.db");
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var service = new SimulatedService(Options);
            await using var store = await SqliteEventStore.OpenAsync(db, Ct);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                service.RunAsync(new RandomPolicy(), new StoreSink(store), new CancelOnDay(cts, 3), cts.Token));
        }
        long before = await EventCountAsync(db);
        Assert.True(before > 0);

        var e = await Assert.ThrowsAsync<SimulationConflictException>(() => EnsureAsync(db, Options, ct: Ct));
        Assert.Contains("no simulation manifest", e.Message);
        Assert.Contains("not the events this simulation generates", e.Message);
        Assert.Equal(before, await EventCountAsync(db));
        Assert.Null(await ManifestOfAsync(db));
    }

    [Fact]
    public async Task An_import_is_refused_with_what_it_holds()
    {
        var db = _folder.File("import.db");
        await using (var store = await SqliteEventStore.OpenAsync(db, Ct))
        {
            var result = await new IngestionPipeline(store).IngestAsync(
            [
                new ViewingEvent
                {
                    EventId = "e1", Kind = EventKind.Search, MemberId = "alice", Device = DeviceKind.Tv,
                    TimestampUtc = new DateTime(2025, 1, 1, 10, 0, 0, DateTimeKind.Utc), SessionId = "s1", Query = "space",
                },
            ], Ct);
            Assert.Equal(1, result.Accepted);
        }

        var e = await Assert.ThrowsAsync<SimulationConflictException>(() => EnsureAsync(db, Options, ct: Ct));
        Assert.Contains("holds 1 event (1 member, 0 titles) and no simulation manifest", e.Message);
        Assert.Contains("an import or another data set", e.Message);
        Assert.Null(await ManifestOfAsync(db));
        Assert.Equal(1, await EventCountAsync(db));
    }

    [Fact]
    public async Task Another_simulation_is_refused_with_its_seed_sizes_and_state()
    {
        var e = await Assert.ThrowsAsync<SimulationConflictException>(() =>
            EnsureAsync(uninterrupted.Database, Options with { Seed = 12 }, ct: Ct));
        Assert.Contains($"holds the finished simulation of seed 11, 300 members x 200 titles x 16 days under the popularity policy ({uninterrupted.Contents.Events.Count:N0} events)", e.Message);
        Assert.Contains("not the one asked for (seed 12, 300 members x 200 titles x 16 days under the popularity policy)", e.Message);

        var db = _folder.File("other-unfinished.db");
        await InterruptAsync(db);
        var unfinished = await Assert.ThrowsAsync<SimulationConflictException>(() =>
            EnsureAsync(db, Options with { Days = 20 }, ct: Ct));
        Assert.Contains("holds an unfinished simulation of seed 11, 300 members x 200 titles x 16 days", unfinished.Message);
        Assert.Contains("encore simulate --members 300 --titles 200 --days 16 --seed 11 --policy popularity", unfinished.Message);
    }

    [Fact]
    public async Task P_sim_on_an_unfinished_simulation_says_so_and_how_to_finish_it()
    {
        var db = _folder.File("unfinished-psim.db");
        long before = await InterruptAsync(db);
        await using var store = await SqliteEventStore.OpenAsync(db, Ct);
        var e = await Assert.ThrowsAsync<NotASimulationException>(() => PSimProtocol.LoadAsync(store, null, Ct));
        Assert.Contains($"holds an unfinished simulation of seed 11, 300 members x 200 titles x 16 days under the popularity policy ({before:N0} events so far)", e.Message);
        Assert.Contains($"encore simulate --members 300 --titles 200 --days 16 --seed 11 --policy popularity --db {db}", e.Message);
    }

    [Fact]
    public async Task A_manifest_file_of_a_previous_version_is_read_and_moved_into_the_store()
    {
        var db = _folder.File("v1.db");
        await using (var created = await SqliteEventStore.OpenAsync(db, Ct)) { }
        // Versions before the store kept properties wrote this beside the file; the first one has no "Finished" field.
        File.WriteAllText(SimulationManifest.LegacyPathFor(db), """
            { "Members": 300, "Titles": 200, "Days": 16, "Seed": 11, "StartUtc": "2025-01-06T00:00:00Z", "Policy": "popularity", "FormatVersion": 1 }
            """);
        await using (var readOnly = await SqliteEventStore.OpenReadOnlyAsync(db, Ct))
        {
            var read = await SimulationManifest.LoadAsync(readOnly, Ct);
            Assert.NotNull(read);
            Assert.True(read.Finished);
            Assert.Null(await readOnly.GetPropertyAsync(SimulationManifest.PropertyName, Ct));
        }
        var manifest = await ManifestOfAsync(db);
        Assert.NotNull(manifest);
        Assert.True(manifest.Finished);
        Assert.True(manifest.SameServiceAs(SimulationManifest.From(Options, "popularity")));
        await using var store = await SqliteEventStore.OpenAsync(db, Ct);
        Assert.NotNull(await store.GetPropertyAsync(SimulationManifest.PropertyName, Ct));
    }

    [Fact]
    public async Task Saving_a_manifest_replaces_it_whole_in_the_store()
    {
        var db = _folder.File("atomic.db");
        var manifest = SimulationManifest.From(Options, "popularity");
        await using var store = await SqliteEventStore.OpenAsync(db, Ct);
        await (manifest with { Finished = false }).SaveAsync(store, Ct);
        Assert.False((await SimulationManifest.LoadAsync(store, Ct))!.Finished);
        await manifest.SaveAsync(store, Ct);
        Assert.True((await SimulationManifest.LoadAsync(store, Ct))!.Finished);
        Assert.False(File.Exists(SimulationManifest.LegacyPathFor(db)));
    }

    private static async Task<long> EventCountAsync(string db)
    {
        await using var store = await SqliteEventStore.OpenAsync(db, Ct);
        return (await store.GetStatisticsAsync(Ct)).Events;
    }
}
