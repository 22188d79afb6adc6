using Encore.Core;
using Encore.Storage.Postgres;
using Encore.TestSupport;
using Xunit;

namespace Encore.Storage.Tests;

/// <summary>Copying a SQLite store into PostgreSQL (what `encore migrate-store` does), with the counts checked.</summary>
public sealed class StoreCopierTests(PostgresCluster cluster) : IDisposable
{
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_sqlite_store_arrives_in_postgres_whole_with_its_keys_tombstones_and_properties()
    {
        await using var source = await SqliteEventStore.OpenAsync(_folder.File("source.db"), Ct);
        await source.UpsertTitlesAsync([StoreSamples.Film, StoreSamples.Series, StoreSamples.Bare("gone")], Ct);
        await source.UpsertMembersAsync([new Member { Id = "m1", Country = "NO", Attributes = new Dictionary<string, string> { ["age"] = "31" } }, new Member { Id = "left" }], Ct);
        var events = StoreSamples.OneOfEachKind().ToList();
        // More than one append's worth, spread over months, from members known only from their events.
        for (int i = 0; i < StoreCopier.BatchSize + 123; i++)
            events.Add(StoreSamples.Event($"bulk-{i}", EventKind.PlayStart, member: $"viewer-{i % 37}", at: StoreSamples.T0.AddHours(i * 3)));
        await source.AppendAsync(events, Ct);
        await source.RemoveTitleAsync("gone", Ct);
        await source.RemoveMemberAsync("left", Ct);
        await source.SetPropertyAsync("active-model", "v3", Ct);

        await using var target = await PostgresEventStore.OpenAsync(cluster.NewDatabaseUrl("copy"), Ct);
        long lastProgress = 0;
        var result = await StoreCopier.CopyAsync(source, target, progress: new SyncProgress(n => lastProgress = n), ct: Ct);

        Assert.Equal(events.Count, result.Events);
        Assert.Equal(events.Count, lastProgress);
        Assert.Equal((3L, 39L, 1), (result.Titles, result.Members, result.Properties));
        Assert.Equal((await source.ReadMemberIdsAsync(Ct)).Ids, (await target.ReadMemberIdsAsync(Ct)).Ids);
        Assert.Equal((await source.ReadTitleIdsAsync(Ct)).Ids, (await target.ReadTitleIdsAsync(Ct)).Ids);
        Assert.Null(await target.GetTitleAsync("gone", Ct));
        Assert.Null(await target.GetMemberAsync("left", Ct));
        Assert.True((await target.GetCatalogueSnapshotAsync(Ct)).IsRemovedMember("left"));
        Assert.Equal("31", (await target.GetMemberAsync("m1", Ct))!.Attributes["age"]);
        Assert.Equal("v3", await target.GetPropertyAsync("active-model", Ct));
        var want = new List<ViewingEvent>();
        await foreach (var e in source.ReadEventsAsync(EventQuery.All, Ct)) want.Add(e);
        var got = new List<ViewingEvent>();
        await foreach (var e in target.ReadEventsAsync(EventQuery.All, Ct)) got.Add(e);
        Assert.Equal(want.Count, got.Count);
        for (int i = 0; i < want.Count; i++)
        {
            Assert.Equal(want[i].ResultsShown, got[i].ResultsShown);
            Assert.Equal(want[i] with { ResultsShown = null }, got[i] with { ResultsShown = null });
        }
        var wantRows = new List<InteractionRow>();
        await foreach (var r in source.ReadInteractionsAsync(EventQuery.All, Ct)) wantRows.Add(r);
        var gotRows = new List<InteractionRow>();
        await foreach (var r in target.ReadInteractionsAsync(EventQuery.All, Ct)) gotRows.Add(r);
        // Same rows under the same keys; events of one millisecond may come in another order (the copy stores them by id).
        static IEnumerable<InteractionRow> Sorted(List<InteractionRow> rows) => rows.OrderBy(r => (r.UnixMilliseconds, r.Member, r.Title, r.Kind, r.Episode));
        Assert.Equal(Sorted(wantRows), Sorted(gotRows));
    }

    [Fact]
    public async Task A_target_that_is_not_empty_is_refused()
    {
        await using var source = await SqliteEventStore.OpenAsync(_folder.File("s.db"), Ct);
        await using var target = await PostgresEventStore.OpenAsync(cluster.NewDatabaseUrl("full"), Ct);
        await target.UpsertMembersAsync([new Member { Id = "already" }], Ct);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StoreCopier.CopyAsync(source, target, ct: Ct));
        Assert.Contains("not empty", e.Message, StringComparison.Ordinal);
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
