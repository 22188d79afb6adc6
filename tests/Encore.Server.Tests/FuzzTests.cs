using System.Net;
using System.Text;
using System.Text.Json;
using Encore.Core;
using Xunit;
using static Encore.Server.Tests.Http;

namespace Encore.Server.Tests;

/// <summary>
/// 10,000 malformed or hostile requests, drawn from a seeded generator: bad JSON, wrong types, huge and deeply nested
/// bodies, invalid UTF-8, path tricks, wrong and missing keys, bad query values, wrong methods and content types. Every
/// one must be answered 4xx with a problem that says why, never 5xx, and good requests in between must keep working.
/// Against a real Kestrel server: some of these never reach an endpoint (Kestrel refuses a request line with a NUL).
/// </summary>
public sealed class FuzzTests(KestrelFixture server) : IClassFixture<KestrelFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const int Requests = 10_000;

    [Fact]
    public async Task Ten_thousand_hostile_requests_get_a_4xx_with_a_reason_and_the_server_keeps_answering()
    {
        var rng = new Xoshiro256StarStar(20261207);
        using var client = server.Client(null);
        using var reader = server.Client(ServerFixture.ReadKey);
        var statuses = new Dictionary<int, int>();
        int good = 0, refusedByKestrel = 0;
        for (int i = 0; i < Requests; i++)
        {
            using var request = Hostile(ref rng, i);
            var label = $"{request.Method} {request.RequestUri}";
            using var response = await client.SendAsync(request, Ct);
            int status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status is >= 400 and < 500, $"request {i} ({label}) got {status}: {await response.Content.ReadAsStringAsync(Ct)}");
            var body = await response.Content.ReadAsStringAsync(Ct);
            if (request.RequestUri!.OriginalString.Contains("%00", StringComparison.Ordinal) || request.RequestUri.OriginalString.Contains('\0'))
            {
                // A NUL in the path breaks the request line itself: Kestrel answers 400 before any endpoint, with no body.
                Assert.Equal(400, status);
                refusedByKestrel++;
            }
            else
            {
                Assert.True(body.Length > 0, $"request {i} ({label}) got {status} with no body");
                using var problem = JsonDocument.Parse(body);
                Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()), $"request {i} ({label}): no detail in {body}");
            }
            if (i % 100 == 99)
            {
                // The server still answers a good request at once.
                var page = await reader.GetAsync($"/v1/members/m{1 + i / 100 % 80:D7}/homepage?device=phone", Ct);
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                good++;
            }
        }
        Assert.Equal(Requests / 100, good);
        Assert.InRange(refusedByKestrel, 1, Requests / 10);
        // Every family of refusal was met.
        foreach (var status in new[] { 400, 401, 403, 404, 405, 413, 415, 422 })
            Assert.True(statuses.ContainsKey(status), $"no {status} among {string.Join(", ", statuses.Select(s => $"{s.Key}x{s.Value}"))}");
    }

    private static readonly string[] Paths =
    [
        "/v1/members/{0}/homepage", "/v1/members/{0}/recommendations", "/v1/members/{0}/rows/{1}", "/v1/members/{0}/explain/{1}",
        "/v1/titles/{0}", "/v1/titles/{0}/similar", "/v1/titles/{0}/audience", "/v1/search", "/v1/trending", "/v1/members/{0}/timeline",
    ];

    private static readonly string[] Ids =
    [
        "nobody", "..%2f..%2fetc%2fpasswd", "%00", "%ff%fe", "' OR 1=1 --", "<script>alert(1)</script>", "%2e%2e", "\u202e", new string('a', 129),
        "m0000001%0d%0aX-Injected:1", "~", "%25", "$(reboot)", "m\u0000",
    ];

    private static readonly string[] Queries =
    [
        "rows=-1", "rows=1e9", "rows=abc", "titlesPerRow=0", "device=fridge", "maturity=XXX", "n=0", "n=9999999999999", "window=year",
        "q=&member=m0000001", "q=the", "member=m0000001", "limit=0", "offset=-5", "explain=maybe", "device=tv&device=phone", "q=" + new string('x', 600) + "&member=m0000001",
        "hours=0", "days=9999",
    ];

    private static HttpRequestMessage Hostile(ref Xoshiro256StarStar rng, int i)
    {
        int family = (int)(rng.NextUInt64() % 11);
        string Pick(string[] values, ref Xoshiro256StarStar r) => values[(int)(r.NextUInt64() % (ulong)values.Length)];
        switch (family)
        {
            case 0: // reads with hostile ids
            {
                var template = Pick(Paths, ref rng);
                if (!template.Contains("{0}", StringComparison.Ordinal)) template = "/v1/members/{0}/homepage";
                var path = string.Format(template, Pick(Ids, ref rng), Pick(Ids, ref rng));
                return Keyed(new HttpRequestMessage(HttpMethod.Get, path), ServerFixture.ReadKey);
            }
            case 1: // reads with bad query values
            {
                var path = string.Format(Pick(Paths, ref rng), "m0000001", "top_picks");
                return Keyed(new HttpRequestMessage(HttpMethod.Get, path + "?" + Pick(Queries, ref rng)), ServerFixture.ReadKey);
            }
            case 2: // wrong, missing, duplicated or overlong keys
            {
                var request = new HttpRequestMessage(HttpMethod.Get, "/v1/members/m0000001/homepage");
                switch (rng.NextUInt64() % 5)
                {
                    case 0: break;
                    case 1: request.Headers.Add("X-API-Key", ServerFixture.AdminKey); break;
                    case 2: request.Headers.Add("X-API-Key", ServerFixture.ReadKey[..^1]); break;
                    case 3: request.Headers.TryAddWithoutValidation("X-API-Key", new string('k', 4_000)); break;
                    default: request.Headers.TryAddWithoutValidation("X-API-Key", [ServerFixture.ReadKey, ServerFixture.ReadKey]); break;
                }
                return request;
            }
            case 3: // event batches that are not JSON, not UTF-8, or the wrong shape
            {
                byte[] body = (rng.NextUInt64() % 7) switch
                {
                    0 => Encoding.UTF8.GetBytes("{\"events\": [ {\"event_id\": " + i),
                    1 => [(byte)'[', 0xFF, 0xFE, (byte)']'],
                    2 => Encoding.UTF8.GetBytes("null"),
                    3 => Encoding.UTF8.GetBytes("{\"events\": {\"event_id\": \"x\"}}"),
                    4 => Encoding.UTF8.GetBytes(new string('[', 500) + new string(']', 500)),
                    5 => Encoding.UTF8.GetBytes("[1, 2, 3]"),
                    _ => Encoding.UTF8.GetBytes("[{\"event_id\": \"" + i + "\", \"kind\": {\"nested\": [[[[]]]]}}]"),
                };
                return Post("/v1/events", body, "application/json", ServerFixture.IngestKey);
            }
            case 4: // events with every field wrong
            {
                var e = new Dictionary<string, object?>
                {
                    ["event_id"] = (rng.NextUInt64() % 3) switch { 0 => i, 1 => new string('e', 300), _ => null },
                    ["kind"] = (rng.NextUInt64() % 3) switch { 0 => "explode", 1 => 7, _ => "play_start" },
                    ["member_id"] = (rng.NextUInt64() % 2) == 0 ? "" : "m0000001",
                    ["title_id"] = "no-such-title",
                    ["device"] = "toaster",
                    ["timestamp"] = (rng.NextUInt64() % 3) switch { 0 => "yesterday", 1 => "9999-01-01T00:00:00Z", _ => "1970-01-01T00:00:00Z" },
                    ["session_id"] = "s",
                    ["position"] = (rng.NextUInt64() % 2) == 0 ? -1e308 : "far",
                };
                return Post("/v1/events", JsonSerializer.SerializeToUtf8Bytes(new[] { e }), "application/json", ServerFixture.IngestKey);
            }
            case 5 when i % 20 == 5: // huge bodies (now and then: each is 4 MiB over the socket)
            {
                int size = (int)(4 * 1024 * 1024 + rng.NextUInt64() % 1024);
                var body = new byte[size];
                body.AsSpan().Fill((byte)' ');
                body[0] = (byte)'[';
                body[^1] = (byte)']';
                // As a careful client sends a large body: the server refuses it on its declared length, before it is sent.
                var huge = Post("/v1/events", body, "application/json", ServerFixture.IngestKey);
                huge.Headers.ExpectContinue = true;
                return huge;
            }
            case 5:
            case 6: // too many events
            {
                var events = Enumerable.Range(0, 1_001).Select(n => new { event_id = $"f{i}-{n}" });
                return Post("/v1/events", JsonSerializer.SerializeToUtf8Bytes(events), "application/json", ServerFixture.IngestKey);
            }
            case 7: // wrong content types and methods
            {
                return (rng.NextUInt64() % 4) switch
                {
                    0 => Post("/v1/events", "[]"u8.ToArray(), "text/plain", ServerFixture.IngestKey),
                    1 => Post("/v1/titles", "{}"u8.ToArray(), "application/xml", ServerFixture.AdminKey),
                    2 => Keyed(new HttpRequestMessage(HttpMethod.Delete, "/v1/events"), ServerFixture.IngestKey),
                    _ => Keyed(new HttpRequestMessage(new HttpMethod("PATCH"), "/v1/members/m0000001/homepage"), ServerFixture.ReadKey),
                };
            }
            case 8: // bad catalogue writes
            {
                var bodies = new[]
                {
                    "{\"id\":\"\",\"name\":\"x\"}", "{\"name\":\"no id\"}", "{\"id\":\"x\",\"name\":\"y\",\"genres\":\"drama\"}", "[]", "[1]", "{\"id\":5}",
                    "{\"id\":\"x\",\"name\":\"y\",\"maturity_rating\":\"R18+++\"}", "{\"id\":\"x\",\"name\":\"y\",\"runtime_seconds\":-4}",
                    "{\"id\":\"x\",\"name\":\"y\",\"seasons\":[{\"number\":1,\"episodes\":[{\"id\":\"e\"},{\"id\":\"e\"}]}],\"kind\":\"series\"}",
                };
                var body = bodies[(int)(rng.NextUInt64() % (ulong)bodies.Length)];
                return (rng.NextUInt64() % 2) == 0
                    ? Post("/v1/titles", Encoding.UTF8.GetBytes(body), "application/json", ServerFixture.AdminKey)
                    : Keyed(new HttpRequestMessage(HttpMethod.Put, "/v1/members/fuzz-member") { Content = Json("{\"maturity_limit\": 12, \"attributes\": [1]}") }, ServerFixture.AdminKey);
            }
            case 9: // bad analytics requests
            {
                var bodies = new[]
                {
                    ("/v1/analytics/audience", "{}"), ("/v1/analytics/audience", "{\"genres\":\"drama\"}"), ("/v1/analytics/audience", "{\"genres\":[\"Polka\"]}"),
                    ("/v1/analytics/audience", "{\"genres\":[\"Drama\"],\"year\":99999}"), ("/v1/analytics/audience", "{\"like\":[\"nope\"],\"format\":\"opera\"}"),
                    ("/v1/analytics/targeting", "{}"), ("/v1/analytics/targeting", "{\"genre\":\"Drama\",\"title\":\"x\"}"), ("/v1/analytics/targeting", "{\"genre\":\"Drama\",\"n\":-1}"),
                    ("/v1/analytics/campaigns/estimate", "{}"), ("/v1/analytics/campaigns/estimate", "{\"genre\":\"Drama\",\"share\":-1}"),
                    ("/v1/analytics/campaigns/estimate", "{\"titles\":[],\"genre\":null}"), ("/v1/analytics/campaigns/estimate", "{\"genre\":\"Drama\",\"bootstrap\":1}"),
                };
                var (path, body) = bodies[(int)(rng.NextUInt64() % (ulong)bodies.Length)];
                if (rng.NextUInt64() % 4 == 0)
                    return Keyed(new HttpRequestMessage(HttpMethod.Get, "/v1/analytics/experiments/x?start=" + (rng.NextUInt64() % 2 == 0 ? "yesterday" : "2025-01-13&days=0")), ServerFixture.AdminKey);
                return Post(path, Encoding.UTF8.GetBytes(body), "application/json", ServerFixture.AdminKey);
            }
            default: // unknown paths and path tricks
            {
                var paths = new[] { "/v1/../etc/passwd", "/v2/events", "/v1/members", "/v1/members//homepage", "/console/%2e%2e/%2e%2e/encore.json", "/v1/titles/a/b/c/d", "/console/../../appsettings.json", "/metrics/x" };
                var path = paths[(int)(rng.NextUInt64() % (ulong)paths.Length)];
                return path == "/v1/members"
                    ? new HttpRequestMessage(HttpMethod.Get, path) // a real endpoint, but no key
                    : Keyed(new HttpRequestMessage(HttpMethod.Get, path), ServerFixture.ReadKey);
            }
        }
    }

    private static HttpRequestMessage Keyed(HttpRequestMessage request, string key)
    {
        request.Headers.Add("X-API-Key", key);
        return request;
    }

    private static HttpRequestMessage Post(string path, byte[] body, string type, string key)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", type);
        return Keyed(new HttpRequestMessage(HttpMethod.Post, path) { Content = content }, key);
    }
}
