using Encore.Core;
using Xunit;

namespace Encore.Storage.Tests;

/// <summary>
/// What every <see cref="IEventStore"/> must do, whatever its engine. A store implementation gets these tests
/// by deriving a class that returns a fresh, empty store from <see cref="CreateStoreAsync"/> (and cleans up).
/// </summary>
public abstract class EventStoreContract
{
    /// <summary>A new, empty store owned by the test.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<IEventStore> CatalogueStoreAsync()
    {
        var store = await CreateStoreAsync();
        await store.UpsertTitlesAsync([StoreSamples.Film, StoreSamples.Series], Ct);
        return store;
    }

    [Fact]
    public async Task Titles_round_trip_with_every_detail()
    {
        await using var store = await CatalogueStoreAsync();
        AssertSameTitle(StoreSamples.Film, await store.GetTitleAsync("film-1", Ct));
        AssertSameTitle(StoreSamples.Series, await store.GetTitleAsync("series-1", Ct));
        var all = new List<Title>();
        await foreach (var t in store.ReadTitlesAsync(Ct)) all.Add(t);
        Assert.Equal(2, all.Count);
        AssertSameTitle(StoreSamples.Film, all.Single(t => t.Id == "film-1"));
        AssertSameTitle(StoreSamples.Series, all.Single(t => t.Id == "series-1"));
        Assert.Null(await store.GetTitleAsync("nope", Ct));
    }

    [Fact]
    public async Task Upserting_a_title_replaces_it_by_id()
    {
        await using var store = await CatalogueStoreAsync();
        var changed = StoreSamples.Film with { Name = "Renamed", RuntimeSeconds = 6_000, Genres = ["Drama"], Language = null };
        await store.UpsertTitlesAsync([changed], Ct);
        AssertSameTitle(changed, await store.GetTitleAsync("film-1", Ct));
        Assert.Equal(2, (await store.GetStatisticsAsync(Ct)).Titles);
        Assert.True((await store.GetCatalogueSnapshotAsync(Ct)).TryGetTitle("film-1", out var runtime));
        Assert.Equal(6_000, runtime);
    }

    [Fact]
    public async Task Members_round_trip_and_upsert_by_id()
    {
        await using var store = await CreateStoreAsync();
        var member = new Member
        {
            Id = "m1",
            JoinedUtc = new DateTime(2023, 5, 6, 7, 8, 9, 10, DateTimeKind.Utc),
            Country = "NO",
            Attributes = new Dictionary<string, string> { ["age"] = "24", ["occupation"] = "technician" },
        };
        await store.UpsertMembersAsync([member, new Member { Id = "m2" }], Ct);
        var read = await store.GetMemberAsync("m1", Ct);
        Assert.NotNull(read);
        Assert.Equal(member.JoinedUtc, read.JoinedUtc);
        Assert.Equal(DateTimeKind.Utc, read.JoinedUtc!.Value.Kind);
        Assert.Equal("NO", read.Country);
        Assert.Equal(member.Attributes.OrderBy(p => p.Key), read.Attributes.OrderBy(p => p.Key));
        await store.UpsertMembersAsync([member with { Country = "SE" }], Ct);
        Assert.Equal("SE", (await store.GetMemberAsync("m1", Ct))!.Country);
        var all = new List<string>();
        await foreach (var m in store.ReadMembersAsync(Ct)) all.Add(m.Id);
        Assert.Equal(["m1", "m2"], all);
        Assert.Null(await store.GetMemberAsync("m3", Ct));
    }

    [Fact]
    public async Task Availability_windows_and_maturity_limits_round_trip()
    {
        await using var store = await CreateStoreAsync();
        var window = StoreSamples.Film with { AvailableUntilUtc = new DateTime(2026, 1, 31, 23, 0, 0, DateTimeKind.Utc) };
        await store.UpsertTitlesAsync([window], Ct);
        AssertSameTitle(window, await store.GetTitleAsync("film-1", Ct));
        Assert.False(window.IsAvailableAt(window.AvailableUntilUtc!.Value));
        Assert.True(window.IsAvailableAt(window.AvailableUntilUtc!.Value.AddTicks(-1)));
        await store.UpsertMembersAsync([new Member { Id = "kid", MaturityLimit = "PG" }], Ct);
        Assert.Equal("PG", (await store.GetMemberAsync("kid", Ct))!.MaturityLimit);
        await store.UpsertMembersAsync([new Member { Id = "kid" }], Ct);
        Assert.Null((await store.GetMemberAsync("kid", Ct))!.MaturityLimit);
    }

    [Fact]
    public async Task A_removed_title_is_no_longer_read_keeps_its_index_and_events_and_comes_back_when_upserted()
    {
        await using var store = await CatalogueStoreAsync();
        await store.AppendAsync([StoreSamples.Event("a", EventKind.PlayStart)], Ct);
        Assert.True(await store.RemoveTitleAsync("film-1", Ct));
        Assert.False(await store.RemoveTitleAsync("film-1", Ct));
        Assert.False(await store.RemoveTitleAsync("never", Ct));
        Assert.Null(await store.GetTitleAsync("film-1", Ct));
        var left = new List<string>();
        await foreach (var t in store.ReadTitlesAsync(Ct)) left.Add(t.Id);
        Assert.Equal(["series-1"], left);
        Assert.Equal(0, (await store.ReadTitleIdsAsync(Ct)).IndexOf("film-1"));
        Assert.Single(await ReadAllAsync(store, new EventQuery { TitleId = "film-1" }));

        await store.UpsertTitlesAsync([StoreSamples.Film], Ct);
        AssertSameTitle(StoreSamples.Film, await store.GetTitleAsync("film-1", Ct));
        Assert.Equal(0, (await store.ReadTitleIdsAsync(Ct)).IndexOf("film-1"));
    }

    [Fact]
    public async Task A_removed_member_is_no_longer_read_is_named_by_the_snapshot_and_comes_back_when_upserted()
    {
        await using var store = await CatalogueStoreAsync();
        await store.UpsertMembersAsync([new Member { Id = "m1", Country = "NO" }], Ct);
        await store.AppendAsync([StoreSamples.Event("a", EventKind.PlayStart), StoreSamples.Event("b", EventKind.PlayStart, member: "from-events")], Ct);
        Assert.True(await store.RemoveMemberAsync("m1", Ct));
        Assert.True(await store.RemoveMemberAsync("from-events", Ct)); // known only from its events
        Assert.False(await store.RemoveMemberAsync("m1", Ct));
        Assert.False(await store.RemoveMemberAsync("never", Ct));
        Assert.Null(await store.GetMemberAsync("m1", Ct));
        Assert.Null(await store.GetMemberAsync("from-events", Ct));
        var left = new List<string>();
        await foreach (var m in store.ReadMembersAsync(Ct)) left.Add(m.Id);
        Assert.Empty(left);
        var snapshot = await store.GetCatalogueSnapshotAsync(Ct);
        Assert.True(snapshot.IsRemovedMember("m1"));
        Assert.True(snapshot.IsRemovedMember("from-events"));
        Assert.Equal(2, (await store.ReadMemberIdsAsync(Ct)).Count);
        Assert.Single(await ReadAllAsync(store, new EventQuery { MemberId = "m1" }));

        await store.UpsertMembersAsync([new Member { Id = "m1" }], Ct);
        Assert.NotNull(await store.GetMemberAsync("m1", Ct));
        Assert.False((await store.GetCatalogueSnapshotAsync(Ct)).IsRemovedMember("m1"));
        Assert.Equal(0, (await store.ReadMemberIdsAsync(Ct)).IndexOf("m1"));
    }

    [Fact]
    public async Task Every_event_kind_round_trips_with_all_its_fields()
    {
        await using var store = await CatalogueStoreAsync();
        var events = StoreSamples.OneOfEachKind();
        Assert.Equal(EventKinds.All.Length, events.Select(e => e.Kind).Distinct().Count());
        var result = await store.AppendAsync(events, Ct);
        Assert.Equal(new AppendResult(events.Count, 0), result);
        var read = await ReadAllAsync(store, EventQuery.All);
        Assert.Equal(events.Count, read.Count);
        for (int i = 0; i < events.Count; i++) AssertSameEvent(events[i], read[i]);
    }

    [Fact]
    public async Task The_same_event_id_is_stored_once_within_and_across_batches()
    {
        await using var store = await CatalogueStoreAsync();
        var a = StoreSamples.Event("a", EventKind.PlayStart);
        var b = StoreSamples.Event("b", EventKind.PlayStart);
        var first = await store.AppendAsync([a, b, a with { MemberId = "other" }], Ct);
        Assert.Equal((2, 1), Counts(first));
        Assert.Equal([2], first.DuplicateIndices);
        var second = await store.AppendAsync([a, b, StoreSamples.Event("c", EventKind.Replay)], Ct);
        Assert.Equal((1, 2), Counts(second));
        Assert.Equal([0, 1], second.DuplicateIndices);
        var read = await ReadAllAsync(store, EventQuery.All);
        Assert.Equal(["a", "b", "c"], read.Select(e => e.EventId).Order());
        Assert.Equal("m1", read.Single(e => e.EventId == "a").MemberId);
        Assert.Equal(3, (await store.GetStatisticsAsync(Ct)).Events);
    }

    [Fact]
    public async Task Out_of_order_events_are_read_back_in_time_order()
    {
        await using var store = await CatalogueStoreAsync();
        var t = StoreSamples.T0;
        await store.AppendAsync([StoreSamples.Event("late", EventKind.Stop, at: t.AddHours(2)) with { PositionSeconds = 10 },
            StoreSamples.Event("early", EventKind.PlayStart, at: t)], Ct);
        await store.AppendAsync([StoreSamples.Event("middle", EventKind.Pause, at: t.AddHours(1)) with { PositionSeconds = 5, PauseSeconds = 1 },
            StoreSamples.Event("tie-b", EventKind.Replay, at: t.AddHours(1)), StoreSamples.Event("tie-a", EventKind.Replay, at: t.AddHours(1))], Ct);
        var read = await ReadAllAsync(store, EventQuery.All);
        Assert.Equal(["early", "middle", "tie-a", "tie-b", "late"], read.Select(e => e.EventId));
        var rows = await ReadRowsAsync(store, EventQuery.All);
        Assert.Equal(read.Select(e => SqliteEventStoreMs(e.TimestampUtc)), rows.Select(r => r.UnixMilliseconds));
    }

    [Fact]
    public async Task Reads_filter_by_member_title_time_range_and_kind()
    {
        await using var store = await CatalogueStoreAsync();
        var t = StoreSamples.T0;
        var events = new List<ViewingEvent>();
        for (int i = 0; i < 40; i++)
        {
            events.Add(StoreSamples.Event($"e{i:D2}", i % 3 == 0 ? EventKind.Completion : EventKind.PlayStart, member: $"m{i % 4}",
                title: i % 2 == 0 ? "film-1" : "series-1", at: t.AddMinutes(39 - i)) with { PositionSeconds = 10 });
        }
        await store.AppendAsync(events, Ct);

        async Task Check(EventQuery q, Func<ViewingEvent, bool> expected)
        {
            var want = events.Where(expected).OrderBy(e => e.TimestampUtc).ThenBy(e => e.EventId, StringComparer.Ordinal).Select(e => e.EventId).ToList();
            Assert.NotEmpty(want);
            Assert.Equal(want, (await ReadAllAsync(store, q)).Select(e => e.EventId));
            Assert.Equal(want.Count, (await ReadRowsAsync(store, q)).Count);
        }
        await Check(new EventQuery { MemberId = "m1" }, e => e.MemberId == "m1");
        await Check(new EventQuery { TitleId = "series-1" }, e => e.TitleId == "series-1");
        await Check(new EventQuery { FromUtc = t.AddMinutes(10), ToUtc = t.AddMinutes(20) },
            e => e.TimestampUtc >= t.AddMinutes(10) && e.TimestampUtc < t.AddMinutes(20));
        await Check(new EventQuery { Kinds = [EventKind.Completion] }, e => e.Kind == EventKind.Completion);
        await Check(new EventQuery { MemberId = "m2", TitleId = "film-1", FromUtc = t.AddMinutes(5), Kinds = [EventKind.PlayStart, EventKind.Completion] },
            e => e.MemberId == "m2" && e.TitleId == "film-1" && e.TimestampUtc >= t.AddMinutes(5));
        Assert.Empty(await ReadAllAsync(store, new EventQuery { MemberId = "nobody" }));
        Assert.Empty(await ReadAllAsync(store, new EventQuery { TitleId = "no-title" }));
        Assert.Empty(await ReadRowsAsync(store, new EventQuery { Kinds = [] }));
    }

    [Fact]
    public async Task Properties_are_kept_replaced_and_removed()
    {
        await using var store = await CreateStoreAsync();
        Assert.False(string.IsNullOrWhiteSpace(store.Location));
        Assert.Null(await store.GetPropertyAsync("simulation", Ct));

        await store.SetPropertyAsync("simulation", "{\"seed\": 1}", Ct);
        await store.SetPropertyAsync("other", "é ✓", Ct);
        Assert.Equal("{\"seed\": 1}", await store.GetPropertyAsync("simulation", Ct));
        await store.SetPropertyAsync("simulation", "{\"seed\": 2}", Ct);
        Assert.Equal("{\"seed\": 2}", await store.GetPropertyAsync("simulation", Ct));
        await store.SetPropertyAsync("simulation", null, Ct);
        Assert.Null(await store.GetPropertyAsync("simulation", Ct));
        Assert.Equal("é ✓", await store.GetPropertyAsync("other", Ct));
    }

    [Fact]
    public async Task Interaction_rows_carry_dense_indices_and_each_kinds_number()
    {
        await using var store = await CatalogueStoreAsync();
        var events = StoreSamples.OneOfEachKind().Select(e => e with { MemberId = e.Kind == EventKind.Pause ? "m2" : "m1" }).ToList();
        await store.AppendAsync(events, Ct);
        var rows = await ReadRowsAsync(store, EventQuery.All);
        var members = await store.ReadMemberIdsAsync(Ct);
        var titles = await store.ReadTitleIdsAsync(Ct);
        var episodes = await store.ReadEpisodeIdsAsync(Ct);
        Assert.Equal(["m1", "m2"], members.Ids);
        Assert.Equal(["film-1", "series-1"], titles.Ids);
        Assert.Equal(3, episodes.Count);
        Assert.Equal(events.Count, rows.Count);
        for (int i = 0; i < events.Count; i++)
        {
            var (e, r) = (events[i], rows[i]);
            Assert.Equal(e.Kind, r.Kind);
            Assert.Equal(e.Device, r.Device);
            Assert.Equal(e.MemberId, members[r.Member]);
            Assert.Equal(e.TitleId, r.Title < 0 ? null : titles[r.Title]);
            Assert.Equal(e.EpisodeId, r.Episode < 0 ? null : episodes[r.Episode]);
            Assert.Equal(e.Query, r.Query);
            Assert.Equal(e.PositionSeconds is { } p ? (float)p : float.NaN, r.Position);
            float expectedValue = e.Kind switch
            {
                EventKind.Rating => (float)e.Rating!.Value,
                EventKind.Pause => (float)e.PauseSeconds!.Value,
                EventKind.Seek => (float)e.SeekFromSeconds!.Value,
                EventKind.Impression => (float)e.Propensity!.Value,
                _ => float.NaN,
            };
            Assert.Equal(expectedValue, r.Value);
            Assert.Equal(SqliteEventStoreMs(e.TimestampUtc) / 1000, r.UnixSeconds);
        }
        Assert.Equal(4.5f, rows[0].Rating);
        Assert.True(float.IsNaN(rows[1].Rating));
    }

    [Fact]
    public async Task Appending_registers_unknown_members_and_titles()
    {
        await using var store = await CreateStoreAsync();
        await store.AppendAsync([StoreSamples.Event("e1", EventKind.PlayStart, member: "new-member", title: "new-title")], Ct);
        Assert.NotNull(await store.GetMemberAsync("new-member", Ct));
        var title = await store.GetTitleAsync("new-title", Ct);
        Assert.NotNull(title);
        Assert.Equal(0, title.RuntimeSeconds);
        var snapshot = await store.GetCatalogueSnapshotAsync(Ct);
        Assert.True(snapshot.ContainsTitle("new-title"));
        Assert.Equal(["new-member"], await store.GetKnownMemberIdsAsync(["new-member", "other"], Ct));
    }

    [Fact]
    public async Task The_catalogue_snapshot_knows_titles_episodes_and_position_bounds()
    {
        await using var store = await CreateStoreAsync();
        Assert.Equal(0, (await store.GetCatalogueSnapshotAsync(Ct)).TitleCount);
        await store.UpsertTitlesAsync([StoreSamples.Film, StoreSamples.Series], Ct);
        var snapshot = await store.GetCatalogueSnapshotAsync(Ct);
        Assert.Equal(2, snapshot.TitleCount);
        Assert.Equal(3, snapshot.EpisodeCount);
        Assert.True(snapshot.TryGetTitle("film-1", out var film));
        Assert.Equal(7_200, film);
        Assert.True(snapshot.TryGetTitle("series-1", out var series));
        Assert.Equal(0, series); // a series' runtime is typical only: episodes bound positions
        Assert.True(snapshot.TryGetEpisode("s1e2", out var episode));
        Assert.Equal(new EpisodeInfo("series-1", 2_600), episode);
        Assert.False(snapshot.TryGetEpisode("s9e9", out _));
    }

    [Fact]
    public async Task Known_members_are_those_upserted_or_seen_in_events()
    {
        await using var store = await CatalogueStoreAsync();
        await store.UpsertMembersAsync([new Member { Id = "a" }], Ct);
        await store.AppendAsync([StoreSamples.Event("e1", EventKind.PlayStart, member: "b")], Ct);
        var known = await store.GetKnownMemberIdsAsync(["a", "b", "c"], Ct);
        Assert.Equal(["a", "b"], known.Order());
    }

    [Fact]
    public async Task Statistics_count_members_titles_and_events_by_kind_with_the_date_range()
    {
        await using var store = await CatalogueStoreAsync();
        var empty = await store.GetStatisticsAsync(Ct);
        Assert.Equal((0L, 2L, 0L), (empty.Members, empty.Titles, empty.Events));
        Assert.Null(empty.FirstEventUtc);
        var events = StoreSamples.OneOfEachKind();
        await store.AppendAsync(events, Ct);
        await store.AppendAsync([StoreSamples.Event("x", EventKind.Rating, member: "m9", at: StoreSamples.T0.AddDays(3)) with { Rating = 1 }], Ct);
        var stats = await store.GetStatisticsAsync(Ct);
        Assert.Equal(2, stats.Members);
        Assert.Equal(events.Count + 1, stats.Events);
        Assert.Equal(2, stats.EventsByKind[EventKind.Rating]);
        Assert.Equal(1, stats.EventsByKind[EventKind.Impression]);
        Assert.Equal(StoreSamples.T0, stats.FirstEventUtc);
        Assert.Equal(StoreSamples.T0.AddDays(3), stats.LastEventUtc);
    }

    [Fact]
    public async Task An_empty_batch_stores_nothing()
    {
        await using var store = await CreateStoreAsync();
        Assert.Equal((0, 0), Counts(await store.AppendAsync([], Ct)));
        Assert.Empty(await ReadAllAsync(store, EventQuery.All));
    }

    [Fact]
    public async Task A_failed_batch_stores_none_of_its_events_and_leaves_the_store_usable()
    {
        await using var store = await CatalogueStoreAsync();
        var bad = StoreSamples.Event("bad", EventKind.SkipIntro, title: "series-1") with { EpisodeId = "not-an-episode", PositionSeconds = 1 };
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync([StoreSamples.Event("ok", EventKind.PlayStart, member: "fresh"), bad], Ct));
        Assert.Empty(await ReadAllAsync(store, EventQuery.All));
        Assert.Empty(await store.GetKnownMemberIdsAsync(["fresh"], Ct));
        Assert.Equal((1, 0), Counts(await store.AppendAsync([StoreSamples.Event("ok", EventKind.PlayStart, member: "fresh")], Ct)));
        Assert.Equal(["fresh"], (await store.ReadMemberIdsAsync(Ct)).Ids);
    }

    protected static async Task<List<ViewingEvent>> ReadAllAsync(IEventStore store, EventQuery query)
    {
        var list = new List<ViewingEvent>();
        await foreach (var e in store.ReadEventsAsync(query, Ct)) list.Add(e);
        return list;
    }

    protected static async Task<List<InteractionRow>> ReadRowsAsync(IEventStore store, EventQuery query)
    {
        var list = new List<InteractionRow>();
        await foreach (var r in store.ReadInteractionsAsync(query, Ct)) list.Add(r);
        return list;
    }

    private static long SqliteEventStoreMs(DateTime t) => (t.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    protected static void AssertSameTitle(Title expected, Title? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Genres = [], Cast = [], Directors = [], Seasons = [] }, actual with { Genres = [], Cast = [], Directors = [], Seasons = [] });
        Assert.Equal(expected.Genres, actual.Genres);
        Assert.Equal(expected.Cast, actual.Cast);
        Assert.Equal(expected.Directors, actual.Directors);
        Assert.Equal(expected.Seasons.Count, actual.Seasons.Count);
        for (int s = 0; s < expected.Seasons.Count; s++)
        {
            Assert.Equal(expected.Seasons[s].Number, actual.Seasons[s].Number);
            Assert.Equal(expected.Seasons[s].Episodes, actual.Seasons[s].Episodes);
        }
    }

    protected static void AssertSameEvent(ViewingEvent expected, ViewingEvent actual)
    {
        Assert.Equal(expected.ResultsShown, actual.ResultsShown);
        Assert.Equal(DateTimeKind.Utc, actual.TimestampUtc.Kind);
        Assert.Equal(expected with { ResultsShown = null }, actual with { ResultsShown = null });
    }

    /// <summary>What an append stored and skipped, as counts.</summary>
    private static (int Stored, int Duplicates) Counts(AppendResult result) => (result.Stored, result.Duplicates);
}
