using System.Net;
using System.Text;
using System.Text.Json;
using Encore.Storage;
using Xunit;
using static Encore.Server.Tests.Http;

namespace Encore.Server.Tests;

/// <summary>Every endpoint of the API against a real SQLite store of a small simulated service.</summary>
public sealed class ApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A moment after the simulated service's last day (the server's clock follows the events).</summary>
    private static readonly DateTime After = ServerFixture.Service.EndUtc.AddHours(2);

    private HttpClient Read => server.Client(ServerFixture.ReadKey);
    private HttpClient Ingest => server.Client(ServerFixture.IngestKey);
    private HttpClient Admin => server.Client(ServerFixture.AdminKey);

    private async Task<JsonElement> GetJson(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, Ct);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return await JsonOf(response);
    }

    private static List<string> TitleIdsOf(JsonElement page)
        => [.. page.GetProperty("rows").EnumerateArray().SelectMany(r => r.GetProperty("titles").EnumerateArray()).Select(t => t.GetProperty("title_id").GetString()!)];

    [Fact]
    public async Task Health_and_metrics_need_no_key_and_the_metrics_count_requests_events_and_pages()
    {
        var anonymous = server.Client(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live", Ct)).StatusCode);
        var ready = await JsonOf(await anonymous.GetAsync("/health/ready", Ct));
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        await GetJson(Read, "/v1/members/m0000003/homepage");
        var metrics = await (await anonymous.GetAsync("/metrics", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Contains("encore_http_requests_total{method=\"GET\",route=\"/v1/members/{id}/homepage\",status=\"2xx\"}", metrics);
        Assert.Contains("encore_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/members/{id}/homepage\",le=\"+Inf\"}", metrics);
        Assert.Contains("encore_events_total{kind=\"play_start\",outcome=\"stored\"}", metrics);
        Assert.Matches(@"encore_page_build_seconds_count [1-9]\d*", metrics);
        Assert.Matches(@"encore_model_info\{version=""v\d{4}"",model=""[a-z]+""\} 1", metrics);
        Assert.Matches(@"(?m)^encore_page_cache_entries [1-9]\d*$", metrics);
        Assert.Matches(@"(?m)^process_resident_memory_bytes [1-9]\d{6,}$", metrics);
        Assert.Matches(@"(?m)^dotnet_gc_heap_bytes [1-9]\d*$", metrics);
    }

    public static TheoryData<string, string, string> Endpoints => new()
    {
        // method, path, the role it needs
        { "POST", "/v1/events", "ingest" },
        { "GET", "/v1/members/m0000001/homepage", "read" },
        { "GET", "/v1/members/m0000001/recommendations", "read" },
        { "GET", "/v1/search?q=the&member=m0000001", "read" },
        { "GET", "/v1/titles", "read" },
        { "PUT", "/v1/titles/key-test", "admin" },
        { "DELETE", "/v1/members/key-test", "admin" },
        { "GET", "/v1/models", "admin" },
        { "POST", "/v1/models/train", "admin" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_key_opens_its_own_endpoints_only(string method, string path, string role)
    {
        var keys = new Dictionary<string, string> { ["ingest"] = ServerFixture.IngestKey, ["read"] = ServerFixture.ReadKey, ["admin"] = ServerFixture.AdminKey };
        HttpRequestMessage Request(string? key)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method is "POST" or "PUT" ? Json("{}") : null };
            if (key is not null) request.Headers.Add("X-API-Key", key);
            return request;
        }
        var missing = await server.Client(null).SendAsync(Request(null), Ct);
        Assert.Equal(401, (await Problem(missing)).Status);
        foreach (var (other, key) in keys.Where(k => k.Key != role))
        {
            var refused = await server.Client(null).SendAsync(Request(key), Ct);
            var (status, detail, _) = await Problem(refused);
            Assert.Equal(403, status);
            Assert.Equal($"this endpoint needs the {role} key", detail);
        }
        var wrong = await server.Client(null).SendAsync(Request(keys[role] + "x"), Ct);
        Assert.Equal(403, (int)wrong.StatusCode);
        var allowed = await server.Client(null).SendAsync(Request(keys[role]), Ct);
        Assert.NotEqual(401, (int)allowed.StatusCode);
        Assert.NotEqual(403, (int)allowed.StatusCode);
    }

    [Fact]
    public async Task A_batch_is_answered_per_event_and_what_it_stored_is_durable_idempotent_and_on_the_page_at_once()
    {
        const string member = "m0000005";
        var picks = await GetJson(Read, $"/v1/members/{member}/recommendations?n=1");
        var title = picks.GetProperty("titles")[0].GetProperty("title_id").GetString()!;
        var batch = new object[]
        {
            Event("batch-1", "play_start", member, title, After, 0),
            Event("batch-2", "stop", member, title, After.AddMinutes(20), 1_200),
            Event("batch-3", "stop", member, title, After.AddMinutes(21), -5),   // a negative position
            Event("batch-4", "play_start", member, "no-such-title", After, 0),
        };
        var response = await Ingest.PostAsync("/v1/events", Json(batch), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await JsonOf(response);
        Assert.Equal((2, 0, 2), (result.GetProperty("stored").GetInt32(), result.GetProperty("duplicates").GetInt32(), result.GetProperty("rejected").GetInt32()));
        var events = result.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["stored", "stored", "rejected", "rejected"], events.Select(e => e.GetProperty("status").GetString()));
        Assert.Equal("position", events[2].GetProperty("field").GetString());
        Assert.Equal("title_id", events[3].GetProperty("field").GetString());
        Assert.Contains("unknown title 'no-such-title'", events[3].GetProperty("reason").GetString());

        // The page reflects it at once: the title waits in Continue Watching at 20:00 and nowhere else.
        var page = await GetJson(Read, $"/v1/members/{member}/homepage");
        var cw = page.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "continue_watching");
        Assert.Contains(cw.GetProperty("titles").EnumerateArray(), t => t.GetProperty("title_id").GetString() == title);
        Assert.Single(TitleIdsOf(page), id => id == title);

        // The same batch again changes nothing: every event is a duplicate or rejected again.
        var again = await JsonOf(await Ingest.PostAsync("/v1/events", Json(new { events = batch }), Ct));
        Assert.Equal((0, 2, 2), (again.GetProperty("stored").GetInt32(), again.GetProperty("duplicates").GetInt32(), again.GetProperty("rejected").GetInt32()));

        // Durable: another reader of the file sees both stored events, once each.
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(server.Database, Ct);
        var stored = new List<string>();
        await foreach (var e in store.ReadEventsAsync(new EventQuery { MemberId = member, FromUtc = After.AddMinutes(-1) }, Ct)) stored.Add(e.EventId);
        Assert.Equal(["batch-1", "batch-2"], stored);
    }

    [Fact]
    public async Task A_page_asked_for_again_comes_from_the_cache_until_the_member_does_something()
    {
        var anonymous = server.Client(null);
        static long Cached(string metrics) => long.Parse(System.Text.RegularExpressions.Regex.Match(metrics, @"encore_pages_cached_total (\d+)").Groups[1].Value);
        var first = await (await Read.GetAsync("/v1/members/m0000014/homepage?device=web", Ct)).Content.ReadAsStringAsync(Ct);
        long before = Cached(await anonymous.GetStringAsync("/metrics", Ct));
        var second = await (await Read.GetAsync("/v1/members/m0000014/homepage?device=web", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Equal(first, second);
        Assert.Equal(before + 1, Cached(await anonymous.GetStringAsync("/metrics", Ct)));

        // One event of the member: the next page is built again and shows it.
        var title = (await GetJson(Read, "/v1/members/m0000014/recommendations?n=1")).GetProperty("titles")[0].GetProperty("title_id").GetString()!;
        var stored = await JsonOf(await Ingest.PostAsync("/v1/events", Json(new[] { Event("cache-1", "play_start", "m0000014", title, After.AddMinutes(1), 0, device: "web") }), Ct));
        Assert.Equal(1, stored.GetProperty("stored").GetInt32());
        var third = await GetJson(Read, "/v1/members/m0000014/homepage?device=web");
        Assert.Equal(title, third.GetProperty("rows")[0].GetProperty("titles")[0].GetProperty("title_id").GetString());
        // An explained page is never kept.
        long explained = Cached(await anonymous.GetStringAsync("/metrics", Ct));
        await GetJson(Read, "/v1/members/m0000014/homepage?device=web&explain=true");
        await GetJson(Read, "/v1/members/m0000014/homepage?device=web&explain=true");
        Assert.Equal(explained, Cached(await anonymous.GetStringAsync("/metrics", Ct)));
    }

    [Fact]
    public async Task An_impression_with_row_position_and_propensity_is_an_event_like_any_other()
    {
        var impression = Event("impression-1", "impression", "m0000006", "t000010", After, device: "phone");
        impression["row"] = "top-picks";
        impression["row_position"] = 3;
        impression["propensity"] = 0.25;
        var result = await JsonOf(await Ingest.PostAsync("/v1/events", Json(new[] { impression }), Ct));
        Assert.Equal(1, result.GetProperty("stored").GetInt32());
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(server.Database, Ct);
        var read = new List<Core.ViewingEvent>();
        await foreach (var e in store.ReadEventsAsync(new EventQuery { MemberId = "m0000006", Kinds = [Core.EventKind.Impression], FromUtc = After.AddMinutes(-1) }, Ct)) read.Add(e);
        Assert.Equal(("top-picks", 3, 0.25), (read.Single().Row!, read.Single().RowPosition!.Value, read.Single().Propensity!.Value));
    }

    public static TheoryData<string, string, int, string> BadBatches => new()
    {
        // body, content type, status, what the detail says
        { "{\"events\": [ {\"event_id\": ", "application/json", 400, "invalid JSON at line 1" },
        { "\"just a string\"", "application/json", 400, "the body must be a JSON array of events" },
        { "{\"other\": []}", "application/json", 400, "no \"events\" array" },
        { "[]", "application/json", 400, "the batch holds no events" },
        { "[{\"event_id\":\"x\"}]", "text/plain", 415, "send the body as application/json" },
        { "[{\"event_id\":\"x\"}]", "application/json; charset=latin1", 415, "send the body as application/json" },
        { new string('[', 64) + new string(']', 64), "application/json", 400, "invalid JSON" },
        { "[{\"event_id\":\"only-bad\",\"kind\":\"play_start\"}]", "application/json", 422, "all 1 events were rejected; the first: event 0: body: member_id: missing" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_bad_batch_gets_a_problem_that_says_what_is_wrong(string body, string type, int status, string detail)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(type);
        var (actual, text, _) = await Problem(await Ingest.PostAsync("/v1/events", content, Ct));
        Assert.Equal(status, actual);
        Assert.Contains(detail, text);
    }

    [Fact]
    public async Task Invalid_utf8_too_many_events_and_too_large_a_body_are_refused_whole()
    {
        var bytes = new ByteArrayContent([(byte)'[', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)']']);
        bytes.Headers.ContentType = new("application/json");
        var (status, detail, _) = await Problem(await Ingest.PostAsync("/v1/events", bytes, Ct));
        Assert.Equal(400, status);
        Assert.StartsWith("the body is not UTF-8", detail);

        var many = Enumerable.Range(0, 1_001).Select(i => Event($"many-{i}", "play_start", "m0000007", "t000001", After, 0)).ToArray();
        (status, detail, _) = await Problem(await Ingest.PostAsync("/v1/events", Json(many), Ct));
        Assert.Equal(413, status);
        Assert.Equal("the batch holds more than 1,000 events; send at most 1,000 per request", detail);

        var huge = Json("[\"" + new string('x', 5 * 1024 * 1024) + "\"]");
        (status, detail, _) = await Problem(await Ingest.PostAsync("/v1/events", huge, Ct));
        Assert.Equal(413, status);
        Assert.Contains("larger than", detail);
        // Nothing of them was stored.
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(server.Database, Ct);
        await foreach (var e in store.ReadEventsAsync(new EventQuery { MemberId = "m0000007", FromUtc = After.AddMinutes(-1) }, Ct))
            Assert.Fail($"stored {e.EventId}");
    }

    [Fact]
    public async Task A_title_is_created_read_listed_watched_updated_and_removed()
    {
        var series = new
        {
            id = "api-series", name = "The Api Harbour", kind = "series", runtime_seconds = 2_700, genres = new[] { "Drama" },
            cast = new[] { "Ana Lima" }, directors = new[] { "Jo Park" }, maturity_rating = "TV-14", language = "en",
            available_from = "2024-01-01T00:00:00Z", available_until = "2030-01-01T00:00:00Z",
            seasons = new[] { new { number = 1, episodes = new[] { new { id = "api-series-e1", number = 1, name = "Pilot", runtime_seconds = 2_700 }, new { id = "api-series-e2", number = 2, name = "Two", runtime_seconds = 2_600 } } } },
        };
        var created = await Admin.PostAsync("/v1/titles", Json(series), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var read = await GetJson(Read, "/v1/titles/api-series");
        Assert.Equal("The Api Harbour", read.GetProperty("name").GetString());
        Assert.Equal("2030-01-01T00:00:00.000Z", read.GetProperty("available_until").GetString());
        Assert.Equal(2, read.GetProperty("seasons")[0].GetProperty("episodes").GetArrayLength());
        var list = await GetJson(Read, "/v1/titles?offset=0&limit=1000");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString() == "api-series");
        Assert.Equal(ServerFixture.Service.Titles + 1, list.GetProperty("total").GetInt32());
        var second = await GetJson(Read, "/v1/titles?offset=1&limit=2");
        Assert.Equal(2, second.GetProperty("items").GetArrayLength());
        Assert.Equal(list.GetProperty("items")[1].GetProperty("id").GetString(), second.GetProperty("items")[0].GetProperty("id").GetString());

        // Its episodes can be watched at once; the member's page knows it.
        var play = await JsonOf(await Ingest.PostAsync("/v1/events", Json(new[]
        {
            Event("api-series-play", "play_start", "m0000008", "api-series", After, 0, episode: "api-series-e1"),
            Event("api-series-done", "completion", "m0000008", "api-series", After.AddMinutes(45), 2_700, episode: "api-series-e1"),
        }), Ct));
        Assert.True(play.TryGetProperty("stored", out var storedCount) && storedCount.GetInt32() == 2, play.ToString());
        var page = await GetJson(Read, "/v1/members/m0000008/homepage");
        Assert.True(page.GetProperty("rows")[0].GetProperty("kind").GetString() == "continue_watching", page.ToString());
        var next = page.GetProperty("rows")[0].GetProperty("titles").EnumerateArray().Single(t => t.GetProperty("title_id").GetString() == "api-series");
        Assert.True(next.TryGetProperty("episode_id", out _), next.ToString());
        Assert.Equal("api-series-e2", next.GetProperty("episode_id").GetString());

        // Renamed by PUT (the id comes from the address); then removed: gone from reads, pages and search.
        var renamed = await Admin.PutAsync("/v1/titles/api-series", Json(new { name = "The Api Lighthouse", kind = "series", maturity_rating = "TV-14" }), Ct);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("The Api Lighthouse", (await GetJson(Read, "/v1/titles/api-series")).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync("/v1/titles/api-series", Ct)).StatusCode);
        Assert.Equal(404, (await Problem(await Read.GetAsync("/v1/titles/api-series", Ct))).Status);
        Assert.Equal(404, (await Problem(await Admin.DeleteAsync("/v1/titles/api-series", Ct))).Status);
        Assert.DoesNotContain("api-series", TitleIdsOf(await GetJson(Read, "/v1/members/m0000008/homepage?rows=30")));
        var search = await GetJson(Read, "/v1/search?q=api%20lighthouse&member=m0000008");
        Assert.DoesNotContain(search.GetProperty("results").EnumerateArray(), r => r.GetProperty("title_id").GetString() == "api-series");
    }

    public static TheoryData<string, string> BadTitles => new()
    {
        { "{\"id\":\"bad-1\",\"name\":\"\"}", "name: missing or empty" },
        { "{\"id\":\"bad-2\",\"name\":\"X\",\"maturity_rating\":\"XYZ\"}", "maturity_rating: unknown rating 'XYZ'" },
        { "{\"id\":\"bad-3\",\"name\":\"X\",\"seasons\":[{\"number\":1,\"episodes\":[{\"id\":\"e\"}]}]}", "seasons: a film has no seasons" },
        { "{\"id\":\"bad-4\",\"name\":\"X\",\"available_from\":\"2025-02-01T00:00:00Z\",\"available_until\":\"2025-01-01T00:00:00Z\"}", "available_until:" },
        { "{\"id\":\"bad-5\",\"name\":\"X\",\"runtime_seconds\":\"long\"}", "runtime_seconds: must be a non-negative 32-bit integer" },
        { "[{\"id\":\"ok-1\",\"name\":\"X\"},{\"id\":\"bad-6\"}]", "item 1: name: missing or empty" },
        { "{\"id\":\"" + new string('i', 200) + "\",\"name\":\"X\"}", "is longer than 128 characters" },
    };

    [Theory]
    [MemberData(nameof(BadTitles))]
    public async Task A_bad_title_is_refused_with_its_field_and_nothing_is_stored(string body, string detail)
    {
        var (status, text, _) = await Problem(await Admin.PostAsync("/v1/titles", Json(body), Ct));
        Assert.Equal(400, status);
        Assert.Contains(detail, text);
        Assert.Equal(404, (int)(await Read.GetAsync("/v1/titles/ok-1", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_profile_with_a_maturity_limit_never_sees_a_title_above_it_and_a_removed_member_gets_no_page()
    {
        var ratings = (await GetJson(Read, "/v1/titles?limit=1000")).GetProperty("items").EnumerateArray()
            .ToDictionary(t => t.GetProperty("id").GetString()!, t => t.TryGetProperty("maturity_rating", out var r) ? r.GetString() : null);
        var allowed = new HashSet<string?> { "G", "TV-Y", "TV-G", "TV-Y7", "PG", "TV-PG" };
        var put = await Admin.PutAsync("/v1/members/m0000009", Json(new { maturity_limit = "PG", country = "NO" }), Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("PG", (await GetJson(Read, "/v1/members/m0000009")).GetProperty("maturity_limit").GetString());
        foreach (var device in new[] { "tv", "phone" })
        {
            var page = await GetJson(Read, $"/v1/members/m0000009/homepage?device={device}&rows=30");
            Assert.NotEmpty(TitleIdsOf(page));
            Assert.All(TitleIdsOf(page), id => Assert.True(allowed.Contains(ratings[id]), $"{id} is rated {ratings[id]}"));
        }
        // A request may ask for stricter, never for looser.
        Assert.All(TitleIdsOf(await GetJson(Read, "/v1/members/m0000009/homepage?maturity=R&rows=30")), id => Assert.Contains(ratings[id], allowed));
        Assert.Equal(400, (await Problem(await Admin.PutAsync("/v1/members/m0000009", Json(new { maturity_limit = "PG-99" }), Ct))).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync("/v1/members/m0000010", Ct)).StatusCode);
        Assert.Equal(404, (await Problem(await Read.GetAsync("/v1/members/m0000010/homepage", Ct))).Status);
        Assert.Equal(404, (await Problem(await Read.GetAsync("/v1/members/m0000010", Ct))).Status);
        var refused = await Ingest.PostAsync("/v1/events", Json(new[] { Event("removed-1", "play_start", "m0000010", "t000001", After, 0) }), Ct);
        var (status, detail, _) = await Problem(refused);
        Assert.Equal(422, status);
        Assert.Contains("member 'm0000010' was removed", detail);
        Assert.Equal(HttpStatusCode.OK, (await Admin.PutAsync("/v1/members/m0000010", Json("{}"), Ct)).StatusCode);
        Assert.NotEmpty(TitleIdsOf(await GetJson(Read, "/v1/members/m0000010/homepage")));
    }

    [Fact]
    public async Task A_new_member_gets_a_cold_start_page_that_personalizes_after_a_few_plays()
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PostAsync("/v1/members", Json(new { id = "api-newcomer" }), Ct)).StatusCode);
        var cold = await GetJson(Read, "/v1/members/api-newcomer/homepage");
        var kinds = cold.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("kind").GetString()).ToList();
        Assert.Contains("top_picks", kinds);
        Assert.DoesNotContain("continue_watching", kinds);
        var similar = await GetJson(Read, "/v1/titles/t000001/similar?n=3");
        var liked = similar.GetProperty("titles").EnumerateArray().Select(t => t.GetProperty("title_id").GetString()!).Prepend("t000001").ToList();
        var plays = liked.SelectMany((t, i) => new[]
        {
            Event($"newcomer-{i}-s", "play_start", "api-newcomer", t, After.AddHours(i), 0),
            Event($"newcomer-{i}-c", "completion", "api-newcomer", t, After.AddHours(i).AddMinutes(50), null),
        }).ToArray();
        foreach (var p in plays.Where(p => (string)p["kind"]! == "completion"))
            p["position"] = (await GetJson(Read, $"/v1/titles/{p["title_id"]}")).GetProperty("runtime_seconds").GetInt32();
        var stored = await JsonOf(await Ingest.PostAsync("/v1/events", Json(plays), Ct));
        Assert.Equal(plays.Length, stored.GetProperty("stored").GetInt32());
        var warm = await GetJson(Read, "/v1/members/api-newcomer/homepage");
        Assert.Contains(warm.GetProperty("rows").EnumerateArray(), r => r.GetProperty("kind").GetString() == "because_you_watched");
        Assert.NotEqual(TitleIdsOf(cold), TitleIdsOf(warm));
    }

    [Fact]
    public async Task Rows_lists_similar_trending_search_and_explanations_answer_for_the_member()
    {
        var tv = await GetJson(Read, "/v1/members/m0000011/homepage?device=tv");
        var phone = await GetJson(Read, "/v1/members/m0000011/homepage?device=phone");
        Assert.True(phone.GetProperty("rows").GetArrayLength() < tv.GetProperty("rows").GetArrayLength());
        Assert.Matches(@"^v\d{4}$", tv.GetProperty("model_version").GetString());
        // Each entry carries what a card shows of its title.
        var card = tv.GetProperty("rows")[1].GetProperty("titles")[0];
        Assert.Contains(card.GetProperty("kind").GetString(), new[] { "film", "series" });
        Assert.True(card.GetProperty("genres").GetArrayLength() > 0);
        Assert.InRange(card.GetProperty("year").GetInt32(), 1900, 2100);
        var some = await GetJson(Read, "/v1/members?prefix=m000001&limit=5");
        Assert.Equal(5, some.GetProperty("items").GetArrayLength());
        Assert.All(some.GetProperty("items").EnumerateArray(), m => Assert.StartsWith("m000001", m.GetProperty("id").GetString()));
        Assert.Equal(10, some.GetProperty("total").GetInt32()); // m0000010..m0000019
        var three = await GetJson(Read, "/v1/members/m0000011/homepage?rows=3&titlesPerRow=2");
        Assert.Equal(3, three.GetProperty("rows").GetArrayLength());
        Assert.All(three.GetProperty("rows").EnumerateArray(), r => Assert.InRange(r.GetProperty("titles").GetArrayLength(), 1, 2));

        var topPicks = await GetJson(Read, "/v1/members/m0000011/rows/top_picks");
        Assert.Equal("top_picks", topPicks[0].GetProperty("kind").GetString());
        Assert.Equal(400, (await Problem(await Read.GetAsync("/v1/members/m0000011/rows/bogus", Ct))).Status);

        var picks = await GetJson(Read, "/v1/members/m0000011/recommendations?n=5");
        var first = picks.GetProperty("titles")[0].GetProperty("title_id").GetString()!;
        var without = await GetJson(Read, $"/v1/members/m0000011/recommendations?n=5&exclude={first}");
        Assert.DoesNotContain(without.GetProperty("titles").EnumerateArray(), t => t.GetProperty("title_id").GetString() == first);
        var genre = picks.GetProperty("titles")[0].GetProperty("genres")[0].GetString()!;
        var byGenre = await GetJson(Read, $"/v1/members/m0000011/recommendations?n=5&genre={Uri.EscapeDataString(genre)}");
        Assert.All(byGenre.GetProperty("titles").EnumerateArray(), t => Assert.Contains(genre, t.GetProperty("genres").EnumerateArray().Select(g => g.GetString())));
        Assert.Contains("no genre 'Nope'", (await Problem(await Read.GetAsync("/v1/members/m0000011/recommendations?genre=Nope", Ct))).Detail);

        var similar = await GetJson(Read, $"/v1/titles/{first}/similar?n=4");
        Assert.Equal(4, similar.GetProperty("titles").GetArrayLength());
        Assert.DoesNotContain(similar.GetProperty("titles").EnumerateArray(), t => t.GetProperty("title_id").GetString() == first);
        Assert.Equal(404, (await Problem(await Read.GetAsync("/v1/titles/nope/similar", Ct))).Status);

        foreach (var window in new[] { "hour", "day", "week" })
            Assert.Equal(window, (await GetJson(Read, $"/v1/trending?window={window}&n=5")).GetProperty("window").GetString());
        Assert.NotEqual(0, (await GetJson(Read, "/v1/trending?window=week&n=5")).GetProperty("titles").GetArrayLength());
        Assert.Equal(400, (await Problem(await Read.GetAsync("/v1/trending?window=year", Ct))).Status);

        // The same query for two members of different tastes: the same matches, each in the member's own order.
        var one = await GetJson(Read, "/v1/search?q=the&member=m0000012&n=50");
        var two = await GetJson(Read, "/v1/search?q=the&member=m0000013&n=50");
        var a = one.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("title_id").GetString()).ToList();
        var b = two.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("title_id").GetString()).ToList();
        Assert.Equal(a.Order(), b.Order());
        Assert.NotEqual(a, b);
        Assert.Equal(400, (await Problem(await Read.GetAsync("/v1/search?q=%20&member=m0000012", Ct))).Status);
        Assert.Equal(400, (await Problem(await Read.GetAsync("/v1/search?member=m0000012", Ct))).Status);

        var onPage = tv.GetProperty("rows")[1].GetProperty("titles")[0].GetProperty("title_id").GetString()!;
        var explained = await GetJson(Read, $"/v1/members/m0000011/explain/{onPage}");
        Assert.True(explained.GetProperty("on_page").GetBoolean());
        Assert.True(explained.GetProperty("entry").GetProperty("scores").TryGetProperty("member", out _));
        var films = (await GetJson(Read, "/v1/titles?limit=1000")).GetProperty("items").EnumerateArray()
            .Where(t => t.GetProperty("kind").GetString() == "film").Select(t => t.GetProperty("id").GetString()).ToHashSet();
        var seen = (await GetJson(Read, "/v1/members/m0000011/timeline")).GetProperty("signals").EnumerateArray()
            .First(s => s.GetProperty("completed").GetBoolean() && films.Contains(s.GetProperty("title_id").GetString())).GetProperty("title_id").GetString()!;
        var notOnPage = await GetJson(Read, $"/v1/members/m0000011/explain/{seen}?device=phone");
        Assert.False(notOnPage.GetProperty("on_page").GetBoolean());
        Assert.Contains("the member finished it", notOnPage.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
    }

    public static TheoryData<string, int, string> BadReads => new()
    {
        { "/v1/members/nobody/homepage", 404, "no member 'nobody'" },
        { "/v1/members/m0000001/homepage?device=fridge", 400, "device must be tv, phone, tablet, web or console (got 'fridge')" },
        { "/v1/members/m0000001/homepage?rows=0", 400, "rows must be an integer in 1..100 (got '0')" },
        { "/v1/members/m0000001/homepage?rows=abc", 400, "rows must be an integer in 1..100 (got 'abc')" },
        { "/v1/members/m0000001/homepage?rows=1&rows=2", 400, "rows is given 2 times" },
        { "/v1/members/m0000001/homepage?maturity=XX", 400, "maturity: unknown rating 'XX'" },
        { "/v1/members/m0000001/recommendations?n=100000", 400, "n must be an integer in 1..500" },
        { "/v1/titles?limit=0", 400, "limit must be an integer in 1..1000" },
        { "/v1/titles/%2e%2e%2f%2e%2e%2fetc%2fpasswd", 404, "no title '..%2f..%2fetc%2fpasswd'" },
        { "/v1/members/m0000001/explain/no-such-title", 404, "no title 'no-such-title'" },
        { "/v1/nothing/here", 404, "no such endpoint: GET /v1/nothing/here" },
    };

    [Theory]
    [MemberData(nameof(BadReads))]
    public async Task A_bad_read_gets_a_problem_that_says_what_is_wrong(string path, int status, string detail)
    {
        var (actual, text, _) = await Problem(await Read.GetAsync(path, Ct));
        Assert.Equal(status, actual);
        Assert.Contains(detail, text);
    }

    [Fact]
    public async Task The_openapi_document_and_its_reference_page_describe_every_endpoint()
    {
        var document = await GetJson(server.Client(null), "/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/v1/events", "/v1/members/{id}/homepage", "/v1/search", "/v1/models/train", "/v1/titles/{id}", "/health/ready" })
            Assert.Contains(path, paths);
        Assert.True(document.GetProperty("paths").GetProperty("/v1/events").GetProperty("post").TryGetProperty("requestBody", out _));
        var docs = await server.Client(null).GetAsync("/docs/index.html", Ct);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("swagger", await docs.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
        var console = await server.Client(null).GetAsync("/", Ct);
        Assert.Equal("text/html", console.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_audience_of_a_title_not_yet_made_is_predicted_from_its_metadata_and_the_titles_it_resembles()
    {
        var titles = await GetJson(Read, "/v1/titles?limit=5");
        var like = titles.GetProperty("items")[0].GetProperty("id").GetString()!;
        Assert.Equal(403, (int)(await Read.PostAsync("/v1/analytics/audience", Json(new { genres = new[] { "Drama" } }), Ct)).StatusCode);

        var prediction = await JsonOf(await Admin.PostAsync("/v1/analytics/audience", Json(new { name = "The Pilot", genres = new[] { "Drama" }, like = new[] { like }, original = like }), Ct));
        Assert.Equal("The Pilot", prediction.GetProperty("name").GetString());
        var starts = prediction.GetProperty("starts");
        double expected = starts.GetProperty("expected").GetDouble();
        Assert.True(starts.GetProperty("low").GetDouble() <= expected && expected <= starts.GetProperty("high").GetDouble(), starts.ToString());
        Assert.InRange(expected, 0, ServerFixture.Service.Members);
        Assert.True(prediction.GetProperty("finishes").GetProperty("expected").GetDouble() <= expected + 1e-9);
        Assert.True(prediction.GetProperty("top_members").GetArrayLength() > 0);

        var (status, detail, _) = await Problem(await Admin.PostAsync("/v1/analytics/audience", Json(new { genres = new[] { "Polka" } }), Ct));
        Assert.Equal(400, status);
        Assert.StartsWith("unknown genre 'Polka'; known: ", detail);
        (status, detail, _) = await Problem(await Admin.PostAsync("/v1/analytics/audience", Json(new { name = "Nothing" }), Ct));
        Assert.Equal((400, "describe the title: give at least one of genres, cast, directors, like or original"), (status, detail));
        (status, _, _) = await Problem(await Admin.PostAsync("/v1/analytics/audience", Json(new { genres = new[] { "Drama" }, format = "opera" }), Ct));
        Assert.Equal(400, status);
        (status, _, _) = await Problem(await Admin.PostAsync("/v1/analytics/audience", Json(new { genres = new[] { "Drama" }, like = new[] { "no-such-title" } }), Ct));
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Members_are_targeted_for_a_genre_with_the_response_per_decile_checked_on_held_out_days()
    {
        var report = await JsonOf(await Admin.PostAsync("/v1/analytics/targeting", Json(new { genre = "Drama", held_out_days = 5, n = 5 }), Ct));
        Assert.Equal("genre", report.GetProperty("kind").GetString());
        Assert.InRange(report.GetProperty("top").GetArrayLength(), 1, 5);
        var deciles = report.GetProperty("deciles").EnumerateArray().ToList();
        Assert.Equal(10, deciles.Count);
        Assert.Equal(report.GetProperty("members").GetInt32(), deciles.Sum(d => d.GetProperty("members").GetInt32()));

        var (status, detail, _) = await Problem(await Admin.PostAsync("/v1/analytics/targeting", Json(new { genre = "Drama", title = "t1" }), Ct));
        Assert.Equal((400, "name one target: title, genre, or attributes (genres, cast, directors, language, maturity)"), (status, detail));
        (status, _, _) = await Problem(await Admin.PostAsync("/v1/analytics/targeting", Json(new { title = "no-such-title" }), Ct));
        Assert.Equal(404, status);
        (status, _, _) = await Problem(await Admin.PostAsync("/v1/analytics/targeting", Json(new { genre = "Drama", held_out_days = 0 }), Ct));
        Assert.Equal(400, status);
    }
}
