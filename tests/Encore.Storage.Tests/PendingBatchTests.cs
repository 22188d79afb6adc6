using Encore.Core;
using Encore.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Encore.Storage.Tests;

/// <summary>
/// The SQLite store's pending batches: each batch lands as one row of `pending_batches` and is sealed into a
/// segment in bulk. Whatever is pending or sealed, reads see everything and an event id is stored once.
/// </summary>
public sealed class PendingBatchTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    private (long Pending, long Sealed) Count(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT (SELECT coalesce(sum(event_count), 0) FROM pending_batches), (SELECT coalesce(sum(event_count), 0) FROM segments)";
        using var r = c.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    [Fact]
    public async Task A_member_upsert_never_takes_a_key_another_store_has_staged()
    {
        var path = _folder.File("keys.db");
        await using var a = await SqliteEventStore.OpenAsync(path, Ct);
        await using var b = await SqliteEventStore.OpenAsync(path, Ct);
        await a.AppendAsync([Play("e1", member: "staged-by-a")], Ct);
        await b.UpsertMembersAsync([new Member { Id = "upserted-by-b", Country = "NO" }, new Member { Id = "staged-by-a", Country = "SE" }], Ct);
        await a.AppendAsync([Play("e2", member: "upserted-by-b")], Ct);
        var events = new List<ViewingEvent>();
        await foreach (var e in a.ReadEventsAsync(EventQuery.All, Ct)) events.Add(e);
        Assert.Equal([("e1", "staged-by-a"), ("e2", "upserted-by-b")], events.Select(e => (e.EventId, e.MemberId)).OrderBy(p => p.EventId));
        Assert.Equal(["staged-by-a", "upserted-by-b"], (await b.ReadMemberIdsAsync(Ct)).Ids);
        Assert.Equal("SE", (await a.GetMemberAsync("staged-by-a", Ct))!.Country);
    }

    private static async Task<long> CountAsync(string path, string table)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var c = connection.CreateCommand();
        c.CommandText = $"SELECT count(*) FROM {table}";
        return (long)(await c.ExecuteScalarAsync(Ct))!;
    }

    [Fact]
    public async Task Canonical_uuid_ids_are_indexed_as_128_bits_and_read_back_as_sent()
    {
        var path = _folder.File("uuid.db");
        var uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        var upper = "0F8FAD5B-D9CB-469F-A165-70867728950E";
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        Assert.Equal((3, 1), Counts(await store.AppendAsync([Play(uuid), Play(upper), Play("plain-id"), Play(uuid)], Ct)));
        await store.FlushAsync(Ct);
        Assert.Equal((0, 3), Counts(await store.AppendAsync([Play(uuid), Play(upper), Play("plain-id")], Ct)));
        var ids = new List<string>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) ids.Add(e.EventId);
        Assert.Equal(new[] { uuid, upper, "plain-id" }.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        // Only the lower-case canonical form is a UUID; the upper-case one would not read back as sent.
        Assert.Equal(1, await CountAsync(path, "segment_id_chunks"));
        Assert.Equal(2, await CountAsync(path, "event_text_ids"));
    }

    private static ViewingEvent Play(string id, string member = "m1") => StoreSamples.Event(id, EventKind.PlayStart, member);

    [Fact]
    public async Task Text_outside_ascii_survives_pending_and_sealing_unchanged()
    {
        // Text is bound as UTF-16 straight from the string; SQLite stores it as UTF-8.
        var path = _folder.File("text.db");
        var search = StoreSamples.Event("søk-東京-1", EventKind.Search, member: "médlem-東京", title: null) with
        {
            Query = "Amélie à Montmartre 東京 🎬",
            ResultsShown = ["film-é", "série-🎬"],
        };
        var impression = StoreSamples.Event("visning-2", EventKind.Impression, member: "médlem-東京", title: "film-ü") with
        {
            Row = "À la une — 人気",
            RowPosition = 0,
        };
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        Assert.Equal((2, 0), Counts(await store.AppendAsync([search, impression], Ct)));
        Assert.Equal((0, 2), Counts(await store.AppendAsync([search, impression], Ct)));
        // Read while pending, then after sealing: both keep every character.
        var pending = new List<ViewingEvent>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) pending.Add(e);
        await store.FlushAsync(Ct);
        var read = new List<ViewingEvent>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) read.Add(e);
        static object Fields(ViewingEvent e) => (e with { ResultsShown = null }, string.Join('|', e.ResultsShown ?? []));
        Assert.Equal(pending.Select(Fields), read.Select(Fields));
        var bySearch = Assert.Single(read, e => e.EventId == search.EventId);
        Assert.Equal(search.Query, bySearch.Query);
        Assert.Equal(search.ResultsShown, bySearch.ResultsShown);
        Assert.Equal("médlem-東京", bySearch.MemberId);
        Assert.Equal(search.SessionId, bySearch.SessionId);
        var byImpression = Assert.Single(read, e => e.EventId == impression.EventId);
        Assert.Equal(impression.Row, byImpression.Row);
        Assert.Equal("film-ü", byImpression.TitleId);
        Assert.Equal(["médlem-東京"], await store.GetKnownMemberIdsAsync(["médlem-東京"], Ct));
    }

    [Fact]
    public async Task Pending_events_are_sealed_at_the_threshold_and_duplicates_are_caught_on_both_sides()
    {
        var path = _folder.File("stage.db");
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        await store.UpsertTitlesAsync([StoreSamples.Film], Ct);
        store.SealThreshold = 5;
        Assert.Equal((3, 0), Counts(await store.AppendAsync([Play("a"), Play("b"), Play("c")], Ct)));
        Assert.Equal((3L, 0L), Count(path));
        Assert.Equal((1, 2), Counts(await store.AppendAsync([Play("a"), Play("d"), Play("d")], Ct)));
        Assert.Equal((4L, 0L), Count(path));
        Assert.Equal((1, 1), Counts(await store.AppendAsync([Play("b"), Play("e")], Ct)));
        Assert.Equal((0L, 5L), Count(path));
        Assert.Equal((1, 2), Counts(await store.AppendAsync([Play("a"), Play("e"), Play("f")], Ct)));
        Assert.Equal((1L, 5L), Count(path));
        // Reads see pending events where they are: nothing is sealed for them.
        Assert.Equal(6, (await store.GetStatisticsAsync(Ct)).Events);
        var ids = new List<string>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) ids.Add(e.EventId);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], ids);
        Assert.Equal((1L, 5L), Count(path));
    }

    [Fact]
    public async Task Members_named_only_by_pending_events_are_already_known()
    {
        await using var store = await SqliteEventStore.OpenAsync(_folder.File("members.db"), Ct);
        await store.AppendAsync([Play("a", member: "staged-member")], Ct);
        Assert.Equal(["staged-member"], await store.GetKnownMemberIdsAsync(["staged-member", "nobody"], Ct));
    }

    [Fact]
    public async Task Pending_batches_left_by_a_closed_store_are_read_after_reopening()
    {
        var path = _folder.File("reopen.db");
        // Write a pending batch the way a killed process leaves one: committed, never sealed.
        await using (var store = await SqliteEventStore.OpenAsync(path, Ct)) { }
        var left = new EventColumns();
        left.Add(StoreSamples.Event("left-1", EventKind.Search, title: null), EncodedEventId.From("left-1"), seq: 1, tsMs: 1_700_000_000_000, member: 1, title: 0, episode: 0, session: 1);
        left.Add(StoreSamples.Event("left-2", EventKind.Search, title: null), EncodedEventId.From("left-2"), seq: 2, tsMs: 1_700_000_001_000, member: 2, title: 0, episode: 0, session: 1);
        byte[] buffer = [];
        int length = EventBlock.Encode(left, [0, 1], ref buffer);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var c = connection.CreateCommand();
            c.CommandText = """
                INSERT INTO staged_members (member_key, id) VALUES (1, 'm1'), (2, 'm2');
                INSERT INTO staged_sessions (session_key, id) VALUES (1, 's1');
                INSERT INTO pending_batches (first_seq, event_count, payload) VALUES (1, 2, $payload);
                """;
            c.Parameters.AddWithValue("$payload", buffer.AsSpan(0, length).ToArray());
            c.ExecuteNonQuery();
        }
        await using (var store = await SqliteEventStore.OpenAsync(path, Ct))
        {
            Assert.Equal((1, 1), Counts(await store.AppendAsync([StoreSamples.Event("left-1", EventKind.Search, title: null) with { Query = "q" },
                StoreSamples.Event("new", EventKind.Search, title: null) with { Query = "q" }], Ct)));
            var read = new List<ViewingEvent>();
            await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) read.Add(e);
            Assert.Equal([("left-1", "m1", "s1"), ("left-2", "m2", "s1"), ("new", "m1", "session-m1")],
                read.Select(e => (e.EventId, e.MemberId, e.SessionId)).OrderBy(p => p.EventId));
            Assert.Equal(["m1", "m2"], (await store.ReadMemberIdsAsync(Ct)).Ids);
            // The session staged by the dead process kept its key; the new event's session got the next one. (Reads
            // never write, so both are still staged until the seal below.)
            Assert.Equal((0L, 2L), (await CountAsync(path, "sessions"), await CountAsync(path, "staged_sessions")));
            // The new event came after the left ones in accepted order, so ties in time would read after them.
            await store.FlushAsync(Ct);
            Assert.Equal((0L, 3L), Count(path));
        }
    }

    [Fact]
    public async Task Two_stores_on_one_file_see_each_others_writes()
    {
        var path = _folder.File("shared.db");
        await using var a = await SqliteEventStore.OpenAsync(path, Ct);
        await using var b = await SqliteEventStore.OpenAsync(path, Ct);
        await a.UpsertTitlesAsync([StoreSamples.Film], Ct);
        Assert.True((await b.GetCatalogueSnapshotAsync(Ct)).ContainsTitle("film-1"));
        Assert.Equal((1, 0), Counts(await a.AppendAsync([Play("x", member: "from-a")], Ct)));
        // b never saw "x" itself: it must notice a's commit and count the id as a duplicate.
        Assert.Equal((1, 1), Counts(await b.AppendAsync([Play("x"), Play("y", member: "from-b")], Ct)));
        Assert.Equal(["from-a", "from-b"], (await a.GetKnownMemberIdsAsync(["from-a", "from-b"], Ct)).Order());
        await b.FlushAsync(Ct);
        Assert.Equal((0, 2), Counts(await a.AppendAsync([Play("x"), Play("y")], Ct)));
        Assert.Equal(2, (await a.GetStatisticsAsync(Ct)).Events);
    }

    [Fact]
    public async Task A_uuid_sealed_by_another_store_is_a_duplicate_here()
    {
        var path = _folder.File("filter.db");
        var first = "1b4e28ba-2fa1-4d2e-883f-0016d3cca427";
        var second = "6fa459ea-ee8a-4ca4-894e-db77e160355e";
        await using var a = await SqliteEventStore.OpenAsync(path, Ct);
        await using var b = await SqliteEventStore.OpenAsync(path, Ct);
        // b's filter of sealed ids is built by its first append, before a seals anything.
        Assert.Equal((1, 0), Counts(await b.AppendAsync([Play("b-first")], Ct)));
        Assert.Equal((1, 0), Counts(await a.AppendAsync([Play(first)], Ct)));
        await a.FlushAsync(Ct);
        Assert.Equal((1, 1), Counts(await b.AppendAsync([Play(first), Play(second)], Ct)));
        await b.FlushAsync(Ct);
        Assert.Equal((0, 2), Counts(await a.AppendAsync([Play(first), Play(second)], Ct)));
        Assert.Equal((0, 2), Counts(await b.AppendAsync([Play(first), Play(second)], Ct)));
    }

    [Fact]
    public async Task Uuids_that_share_their_first_half_are_both_stored_and_both_caught_again()
    {
        var path = _folder.File("halves.db");
        string x = "0f8fad5b-d9cb-469f-a165-70867728950e", y = "0f8fad5b-d9cb-469f-b165-70867728950f";
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        Assert.Equal((1, 0), Counts(await store.AppendAsync([Play(x)], Ct)));
        await store.FlushAsync(Ct);
        Assert.Equal((1, 1), Counts(await store.AppendAsync([Play(y), Play(x)], Ct)));
        await store.FlushAsync(Ct);
        Assert.Equal((0, 2), Counts(await store.AppendAsync([Play(x), Play(y)], Ct)));
        var ids = new List<string>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) ids.Add(e.EventId);
        Assert.Equal([x, y], ids);
    }

    [Fact]
    public async Task Every_sealed_uuid_is_found_again_across_chunks_and_segments()
    {
        var path = _folder.File("chunks.db");
        var random = new Random(7);
        string NewUuid()
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes).ToString();
        }
        var first = Enumerable.Range(0, 1000).Select(_ => NewUuid()).ToList();
        var second = Enumerable.Range(0, 1000).Select(_ => NewUuid()).ToList();
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        Assert.Equal((1000, 0), Counts(await store.AppendAsync(first.Select(id => Play(id)).ToList(), Ct)));
        await store.FlushAsync(Ct);
        Assert.Equal((1000, 0), Counts(await store.AppendAsync(second.Select(id => Play(id)).ToList(), Ct)));
        await store.FlushAsync(Ct);
        var fresh = Enumerable.Range(0, 10).Select(_ => NewUuid()).ToList();
        Assert.Equal((10, 2000), Counts(await store.AppendAsync(first.Concat(second).Concat(fresh).Select(id => Play(id)).ToList(), Ct)));
        // Reopened, the ids are rebuilt from the segments: still all found.
        await using var reopened = await SqliteEventStore.OpenAsync(path, Ct);
        Assert.Equal((0, 2010), Counts(await reopened.AppendAsync(first.Concat(second).Concat(fresh).Select(id => Play(id)).ToList(), Ct)));
        Assert.Equal(2 * (1000 / SealedIds.ChunkIds + 1), await CountAsync(path, "segment_id_chunks"));
    }

    [Fact]
    public async Task Ties_in_time_read_by_event_id_as_events_and_in_accepted_order_as_interactions()
    {
        await using var store = await SqliteEventStore.OpenAsync(_folder.File("ties.db"), Ct);
        ViewingEvent At(string id, string member) => Play(id, member) with { TimestampUtc = StoreSamples.T0 };
        await store.AppendAsync([At("b", "m-b"), At("a", "m-a")], Ct);
        await store.FlushAsync(Ct);
        await store.AppendAsync([At("c", "m-c"), At("0", "m-0")], Ct);
        var ids = new List<string>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) ids.Add(e.EventId);
        Assert.Equal(["0", "a", "b", "c"], ids);
        var members = await store.ReadMemberIdsAsync(Ct);
        var accepted = new List<string>();
        await foreach (var row in store.ReadInteractionsAsync(EventQuery.All, Ct)) accepted.Add(members.Ids[row.Member]);
        Assert.Equal(["m-b", "m-a", "m-c", "m-0"], accepted);
    }

    [Fact]
    public async Task What_the_log_cannot_hold_is_refused_and_nothing_of_the_batch_is_stored()
    {
        await using var store = await SqliteEventStore.OpenAsync(_folder.File("refused.db"), Ct);
        // Two ids that differ only in a lone surrogate would read back as one id.
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync([Play("ok"), Play("x\ud800")], Ct));
        Assert.Contains("EventId is not valid Unicode", error.Message, StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync([Play("ok") with { Query = "q\udc00" }], Ct));
        Assert.Contains("Query", error.Message, StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync([Play("ok") with { Kind = (EventKind)70 }], Ct));
        Assert.Contains("kind 70", error.Message, StringComparison.Ordinal);
        Assert.Equal((1, 0), Counts(await store.AppendAsync([Play("ok")], Ct)));
        Assert.Equal(1, (await store.GetStatisticsAsync(Ct)).Events);
    }

    [Fact]
    public async Task A_failed_seal_after_an_append_keeps_the_batch_and_is_retried()
    {
        var path = _folder.File("seal-fails.db");
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        store.SealThreshold = 2;
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var c = connection.CreateCommand();
            c.CommandText = "CREATE TRIGGER refuse_segments BEFORE INSERT ON segments BEGIN SELECT RAISE(ABORT, 'no segments today'); END";
            await c.ExecuteNonQueryAsync(Ct);
        }
        // The batch is committed before the seal: the caller hears it was stored, not the seal's failure.
        Assert.Equal((2, 0), Counts(await store.AppendAsync([Play("a"), Play("b")], Ct)));
        Assert.Contains("no segments today", store.LastSealError?.Message, StringComparison.Ordinal);
        Assert.Equal((0, 2), Counts(await store.AppendAsync([Play("a"), Play("b")], Ct)));
        await Assert.ThrowsAsync<SqliteException>(() => store.FlushAsync(Ct));
        Assert.Equal((2L, 0L), Count(path));
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var c = connection.CreateCommand();
            c.CommandText = "DROP TRIGGER refuse_segments";
            await c.ExecuteNonQueryAsync(Ct);
        }
        await store.FlushAsync(Ct);
        Assert.Null(store.LastSealError);
        Assert.Equal((0L, 2L), Count(path));
        Assert.Equal((1, 2), Counts(await store.AppendAsync([Play("a"), Play("b"), Play("c")], Ct)));
    }

    [Fact]
    public async Task Two_stores_appending_at_once_to_one_file_wait_for_each_other()
    {
        var path = _folder.File("busy.db");
        await using var a = await SqliteEventStore.OpenAsync(path, Ct);
        await using var b = await SqliteEventStore.OpenAsync(path, Ct);
        a.SealThreshold = b.SealThreshold = 150;
        async Task Write(SqliteEventStore store, string prefix)
        {
            for (int batch = 0; batch < 40; batch++)
                await Task.Run(() => store.AppendAsync(Enumerable.Range(0, 25).Select(i => Play($"{prefix}-{batch}-{i}", member: prefix)).ToList(), Ct), Ct);
        }
        await Task.WhenAll(Write(a, "a"), Write(b, "b"));
        Assert.Equal(2000, (await a.GetStatisticsAsync(Ct)).Events);
        var ids = new HashSet<string>();
        await foreach (var e in b.ReadEventsAsync(EventQuery.All, Ct)) Assert.True(ids.Add(e.EventId), $"{e.EventId} read twice");
        Assert.Equal(2000, ids.Count);
    }

    /// <summary>What an append stored and skipped, as counts.</summary>
    private static (int Stored, int Duplicates) Counts(AppendResult result) => (result.Stored, result.Duplicates);
}
