using Encore.Core;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Ingestion.Tests;

/// <summary>The pipeline end to end, over a real SQLite store in a temporary folder.</summary>
public sealed class IngestionPipelineTests : IAsyncLifetime
{
    private static readonly DateTime Now = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly TempFolder _folder = new();
    private SqliteEventStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await SqliteEventStore.OpenAsync(_folder.File("ingest.db"), Ct);
        await _store.UpsertTitlesAsync(
        [
            new Title { Id = "film-1", Name = "Film", RuntimeSeconds = 6_000 },
            new Title { Id = "series-1", Name = "Series", Kind = TitleKind.Series, Seasons = [new Season(1, [new Episode("s1e1", 1, 1, "Pilot", 3_000)])] },
        ], Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    private IngestionPipeline Pipeline(IngestionOptions? options = null) => new(_store, options, new FixedClock(Now));

    private static ViewingEvent Play(string id, string member = "m1", string title = "film-1", int minutesAgo = 60) => new()
    {
        EventId = id,
        Kind = EventKind.PlayStart,
        MemberId = member,
        TitleId = title,
        Device = DeviceKind.Tv,
        TimestampUtc = Now.AddMinutes(-minutesAgo),
        SessionId = "s-" + member,
        PositionSeconds = 0,
    };

    private async Task<List<ViewingEvent>> StoredAsync()
    {
        var list = new List<ViewingEvent>();
        await foreach (var e in _store.ReadEventsAsync(EventQuery.All, Ct)) list.Add(e);
        return list;
    }

    [Fact]
    public async Task Bad_events_are_rejected_with_field_and_reason_and_never_block_the_good_ones()
    {
        var batch = new List<ViewingEvent>
        {
            Play("good-1"),
            Play("bad-title", title: "unknown"),
            Play("good-2") with { Kind = EventKind.Stop, PositionSeconds = 1_000 },
            Play("bad-position") with { Kind = EventKind.Stop, PositionSeconds = 99_999 },
            Play("bad-time") with { TimestampUtc = Now.AddDays(3) },
            Play("good-3", member: "m2"),
        };
        var result = await Pipeline().IngestAsync(batch, Ct);
        Assert.Equal(3, result.Accepted);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(
            [(1, "bad-title", "TitleId"), (3, "bad-position", "PositionSeconds"), (4, "bad-time", "TimestampUtc")],
            result.Rejected.Select(r => (r.Index, r.EventId!, r.Field)));
        Assert.All(result.Rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        Assert.Contains("unknown title 'unknown'", result.Rejected[0].Reason, StringComparison.Ordinal);
        Assert.Equal([EventOutcome.Stored, EventOutcome.Rejected, EventOutcome.Stored, EventOutcome.Rejected, EventOutcome.Rejected, EventOutcome.Stored], result.Outcomes);
        Assert.Equal(["good-1", "good-2", "good-3"], (await StoredAsync()).Select(e => e.EventId).Order());
    }

    [Fact]
    public async Task The_same_event_id_is_stored_once_within_a_batch_and_across_batches()
    {
        var pipeline = Pipeline();
        var first = await pipeline.IngestAsync([Play("a"), Play("b"), Play("a")], Ct);
        Assert.Equal((2, 1, 0), (first.Accepted, first.Duplicates, first.Rejected.Count));
        Assert.Equal([EventOutcome.Stored, EventOutcome.Stored, EventOutcome.Duplicate], first.Outcomes);
        var second = await pipeline.IngestAsync([Play("b"), Play("bad", title: "unknown"), Play("c"), Play("a")], Ct);
        Assert.Equal((1, 2, 1), (second.Accepted, second.Duplicates, second.Rejected.Count));
        Assert.Equal([EventOutcome.Duplicate, EventOutcome.Rejected, EventOutcome.Stored, EventOutcome.Duplicate], second.Outcomes);
        Assert.Equal(["a", "b", "c"], (await StoredAsync()).Select(e => e.EventId).Order());
    }

    [Fact]
    public async Task A_removed_member_cannot_send_events_until_it_is_created_again()
    {
        var pipeline = Pipeline();
        await pipeline.IngestAsync([Play("a", member: "gone")], Ct);
        Assert.True(await _store.RemoveMemberAsync("gone", Ct));
        var refused = await pipeline.IngestAsync([Play("b", member: "gone"), Play("c")], Ct);
        Assert.Equal([EventOutcome.Rejected, EventOutcome.Stored], refused.Outcomes);
        Assert.Equal(("MemberId", "member 'gone' was removed; create it again to send its events"), (refused.Rejected[0].Field, refused.Rejected[0].Reason));
        await _store.UpsertMembersAsync([new Member { Id = "gone" }], Ct);
        Assert.Equal([EventOutcome.Stored], (await pipeline.IngestAsync([Play("b", member: "gone")], Ct)).Outcomes);
    }

    [Fact]
    public async Task Duplicates_are_caught_after_the_pending_events_were_sealed()
    {
        var pipeline = Pipeline();
        await pipeline.IngestAsync([Play("a"), Play("b")], Ct);
        await _store.FlushAsync(Ct);
        var again = await pipeline.IngestAsync([Play("a"), Play("b"), Play("c")], Ct);
        Assert.Equal((1, 2), (again.Accepted, again.Duplicates));
        Assert.Equal(3, (await _store.GetStatisticsAsync(Ct)).Events);
    }

    [Fact]
    public async Task Events_arriving_out_of_order_are_accepted_and_read_back_in_time_order()
    {
        var pipeline = Pipeline();
        await pipeline.IngestAsync([Play("t3", minutesAgo: 10), Play("t1", minutesAgo: 300)], Ct);
        await pipeline.IngestAsync([Play("t2", minutesAgo: 100), Play("t0", minutesAgo: 60 * 24 * 400)], Ct);
        Assert.Equal(["t0", "t1", "t2", "t3"], (await StoredAsync()).Select(e => e.EventId));
    }

    [Fact]
    public async Task Unknown_members_register_by_default_or_are_rejected_by_policy()
    {
        var open = await Pipeline().IngestAsync([Play("e1", member: "newcomer")], Ct);
        Assert.Equal(1, open.Accepted);
        Assert.NotNull(await _store.GetMemberAsync("newcomer", Ct));

        var strict = Pipeline(new IngestionOptions { UnknownMembers = UnknownMemberPolicy.Reject });
        var result = await strict.IngestAsync([Play("e2", member: "stranger"), Play("e3", member: "newcomer")], Ct);
        Assert.Equal(1, result.Accepted);
        var rejection = Assert.Single(result.Rejected);
        Assert.Equal((0, "MemberId"), (rejection.Index, rejection.Field));
        Assert.Null(await _store.GetMemberAsync("stranger", Ct));

        await _store.UpsertMembersAsync([new Member { Id = "stranger" }], Ct);
        Assert.Equal(1, (await strict.IngestAsync([Play("e2", member: "stranger")], Ct)).Accepted);
    }

    [Fact]
    public async Task Unknown_titles_are_rejected_by_default_or_registered_by_policy()
    {
        Assert.Single((await Pipeline().IngestAsync([Play("e1", title: "fresh")], Ct)).Rejected);
        Assert.Null(await _store.GetTitleAsync("fresh", Ct));

        var open = Pipeline(new IngestionOptions { UnknownTitles = UnknownTitlePolicy.Register });
        Assert.Equal(1, (await open.IngestAsync([Play("e1", title: "fresh")], Ct)).Accepted);
        Assert.Equal("fresh", (await _store.GetTitleAsync("fresh", Ct))!.Name);
        // Once registered, the title is in the catalogue for the default policy too.
        Assert.Equal(1, (await Pipeline().IngestAsync([Play("e2", title: "fresh")], Ct)).Accepted);
    }

    [Fact]
    public async Task Episodes_are_checked_against_the_catalogue()
    {
        var stop = Play("ok", title: "series-1") with { Kind = EventKind.Stop, EpisodeId = "s1e1", PositionSeconds = 2_000 };
        var result = await Pipeline().IngestAsync([stop, stop with { EventId = "bad", EpisodeId = "s1e9" }, stop with { EventId = "long", PositionSeconds = 4_000 }], Ct);
        Assert.Equal(1, result.Accepted);
        Assert.Equal([("bad", "EpisodeId"), ("long", "PositionSeconds")], result.Rejected.Select(r => (r.EventId!, r.Field)));
        Assert.Equal("s1e1", Assert.Single(await StoredAsync()).EpisodeId);
    }

    [Fact]
    public async Task A_null_event_is_rejected_in_place()
    {
        var result = await Pipeline().IngestAsync([Play("a"), null!, Play("b")], Ct);
        Assert.Equal(2, result.Accepted);
        var rejection = Assert.Single(result.Rejected);
        Assert.Equal((1, null, "event"), (rejection.Index, rejection.EventId, rejection.Field));
    }

    [Fact]
    public async Task The_clock_decides_what_is_in_the_future()
    {
        var late = Play("late", minutesAgo: -60 * 30);
        Assert.Single((await Pipeline().IngestAsync([late], Ct)).Rejected);
        var later = new IngestionPipeline(_store, null, new FixedClock(Now.AddDays(1)));
        Assert.Equal(1, (await later.IngestAsync([late], Ct)).Accepted);
    }

    [Fact]
    public async Task An_empty_batch_does_nothing()
    {
        var result = await Pipeline().IngestAsync([], Ct);
        Assert.Equal((0, 0, 0), (result.Accepted, result.Duplicates, result.Rejected.Count));
    }

    [Fact]
    public async Task Counts_always_add_up_to_the_batch()
    {
        var pipeline = Pipeline();
        var random = new Random(7);
        var seen = new HashSet<string>();
        for (int round = 0; round < 5; round++)
        {
            var batch = new List<ViewingEvent>();
            for (int i = 0; i < 200; i++)
            {
                var e = Play("e" + random.Next(300), member: "m" + random.Next(20), minutesAgo: random.Next(1, 10_000));
                if (random.Next(10) == 0) e = e with { TitleId = "missing" };
                batch.Add(e);
            }
            var result = await pipeline.IngestAsync(batch, Ct);
            Assert.Equal(batch.Count, result.Accepted + result.Duplicates + result.Rejected.Count);
            foreach (var e in batch.Where(e => e.TitleId != "missing")) seen.Add(e.EventId);
        }
        Assert.Equal(seen.Count, (await _store.GetStatisticsAsync(Ct)).Events);
    }

    private sealed class FixedClock(DateTime utcNow) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utcNow);
    }
}
