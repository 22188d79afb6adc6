using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Encore.Server.Tests.Http;

namespace Encore.Server.Tests;

/// <summary>Models over HTTP: versions with their metrics, training in the background, activation as an atomic swap under load.</summary>
public sealed class ModelsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Admin => server.Client(ServerFixture.AdminKey);

    private async Task<JsonElement> Train(object request)
    {
        var queued = await Admin.PostAsync("/v1/models/train", Json(request), Ct);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var job = await JsonOf(queued);
        var id = job.GetProperty("id").GetString()!;
        for (int i = 0; i < 600; i++)
        {
            job = await JsonOf(await Admin.GetAsync($"/v1/models/jobs/{id}", Ct));
            if (job.GetProperty("state").GetString() is "succeeded" or "failed") return job;
            await Task.Delay(100, Ct);
        }
        throw new Xunit.Sdk.XunitException($"job {id} did not end: {job}");
    }

    [Fact]
    public async Task A_trained_version_is_listed_with_its_offline_metrics_activated_and_an_older_one_activated_again()
    {
        var models = await JsonOf(await Admin.GetAsync("/v1/models", Ct));
        var first = models.EnumerateArray().Last();
        Assert.Equal("v0001", first.GetProperty("version").GetString());
        Assert.Equal("ials", first.GetProperty("model").GetString());
        Assert.True(first.GetProperty("metrics").GetProperty("recall").GetDouble() > 0);

        var job = await Train(new { model = "ease", parameters = new Dictionary<string, string> { ["lambda"] = "300" } });
        Assert.True(job.GetProperty("state").GetString() == "succeeded", job.ToString());
        var version = job.GetProperty("version").GetString()!;
        Assert.Contains(job.GetProperty("progress").EnumerateArray(), p => p.GetString()!.StartsWith("offline: recall@20 "));
        models = await JsonOf(await Admin.GetAsync("/v1/models", Ct));
        var newest = models[0];
        Assert.Equal((version, true, "ease"), (newest.GetProperty("version").GetString(), newest.GetProperty("active").GetBoolean(), newest.GetProperty("model").GetString()));
        Assert.Equal("300", newest.GetProperty("parameters").GetProperty("lambda").GetString());
        var page = await JsonOf(await server.Client(ServerFixture.ReadKey).GetAsync("/v1/members/m0000001/homepage", Ct));
        Assert.Equal(version, page.GetProperty("model_version").GetString());

        // Back to the first; the store remembers which one is active (a restart keeps it).
        var activated = await Admin.PostAsync("/v1/models/v0001/activate", null, Ct);
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        page = await JsonOf(await server.Client(ServerFixture.ReadKey).GetAsync("/v1/members/m0000001/homepage", Ct));
        Assert.Equal("v0001", page.GetProperty("model_version").GetString());
        await using var store = await Storage.SqliteEventStore.OpenReadOnlyAsync(server.Database, Ct);
        Assert.Equal("v0001", await store.GetPropertyAsync(Service.EncoreService.ActiveModelProperty, Ct));
    }

    [Fact]
    public async Task A_version_not_in_use_is_deleted_for_good_and_the_active_one_is_refused()
    {
        var job = await Train(new { model = "itemknn", activate = false });
        Assert.True(job.GetProperty("state").GetString() == "succeeded", job.ToString());
        var version = job.GetProperty("version").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"/v1/models/{version}", Ct)).StatusCode);
        var models = await JsonOf(await Admin.GetAsync("/v1/models", Ct));
        Assert.DoesNotContain(models.EnumerateArray(), m => m.GetProperty("version").GetString() == version);
        var (status, detail, _) = await Problem(await Admin.DeleteAsync($"/v1/models/{version}", Ct));
        Assert.Equal((404, $"no model version '{version}'"), (status, detail));
        (status, _, _) = await Problem(await Admin.PostAsync($"/v1/models/{version}/activate", null, Ct));
        Assert.Equal(404, status);
        var active = models.EnumerateArray().Single(m => m.GetProperty("active").GetBoolean()).GetProperty("version").GetString()!;
        (status, detail, _) = await Problem(await Admin.DeleteAsync($"/v1/models/{active}", Ct));
        Assert.Equal(409, status);
        Assert.Contains("is the active one; activate another version first", detail);
        Assert.Equal(403, (int)(await server.Client(ServerFixture.ReadKey).DeleteAsync($"/v1/models/{active}", Ct)).StatusCode);
        // The deleted name is never given to another model.
        var next = await Train(new { model = "itemknn", activate = false });
        Assert.True(string.CompareOrdinal(next.GetProperty("version").GetString(), version) > 0, next.ToString());
    }

    [Fact]
    public async Task A_job_that_cannot_run_or_a_version_that_does_not_exist_is_a_clear_problem()
    {
        var (status, detail, _) = await Problem(await Admin.PostAsync("/v1/models/train", Json(new { model = "nonsense" }), Ct));
        Assert.Equal(400, status);
        Assert.Contains("nonsense", detail);
        (status, detail, _) = await Problem(await Admin.PostAsync("/v1/models/train", Json(new { model = "ials", parameters = new Dictionary<string, string> { ["factors"] = "-3" } }), Ct));
        Assert.Equal(400, status);
        Assert.Contains("factors", detail);
        (status, _, _) = await Problem(await Admin.PostAsync("/v1/models/train", Json("{\"model\": 5}"), Ct));
        Assert.Equal(400, status);
        (status, detail, _) = await Problem(await Admin.PostAsync("/v1/models/v9999/activate", null, Ct));
        Assert.Equal((404, "no model version 'v9999'"), (status, detail));
        (status, _, _) = await Problem(await Admin.GetAsync("/v1/models/jobs/job-9999", Ct));
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task Search_demand_is_an_admin_report_of_what_members_look_for_and_do_not_find()
    {
        Assert.Equal(403, (int)(await server.Client(ServerFixture.ReadKey).GetAsync("/v1/analytics/search-demand", Ct)).StatusCode);
        var report = await JsonOf(await Admin.GetAsync("/v1/analytics/search-demand?n=5&minMembers=1", Ct));
        Assert.True(report.GetProperty("searches").GetInt64() > 0);
        var groups = report.GetProperty("groups").EnumerateArray().ToList();
        Assert.InRange(groups.Count, 1, 5);
        Assert.All(groups, g => Assert.Contains(g.GetProperty("kind").GetString(), new[] { "absent", "title", "person", "genre" }));
        var demands = groups.Select(g => g.GetProperty("demand").GetDouble()).ToList();
        Assert.Equal(demands.OrderDescending(), demands);
        var (status, detail, _) = await Problem(await Admin.GetAsync("/v1/analytics/search-demand?from=2025-02-01&to=2025-01-01", Ct));
        Assert.Equal(400, status);
        Assert.Contains("must be after from", detail);
        Assert.Equal(400, (await Problem(await Admin.GetAsync("/v1/analytics/search-demand?from=yesterday", Ct))).Status);
    }

    [Fact]
    public async Task A_campaign_is_estimated_before_launch_from_the_logged_impressions()
    {
        Assert.Equal(403, (int)(await server.Client(ServerFixture.ReadKey).PostAsync("/v1/analytics/campaigns/estimate", Json(new { genre = "Drama" }), Ct)).StatusCode);
        var estimate = await JsonOf(await Admin.PostAsync("/v1/analytics/campaigns/estimate", Json(new { genre = "drama", share = 0.3, bootstrap = 50 }), Ct));
        Assert.Equal("genre:drama", estimate.GetProperty("campaign").GetString());
        Assert.True(estimate.GetProperty("titles").GetInt32() > 0);
        var inner = estimate.GetProperty("estimate");
        Assert.True(inner.GetProperty("records").GetInt32() > 100);
        var names = inner.GetProperty("estimates").EnumerateArray().Select(e => e.GetProperty("estimator").GetString()).ToList();
        Assert.Contains("ips", names);
        Assert.Contains("doubly_robust", names);
        foreach (var e in inner.GetProperty("estimates").EnumerateArray())
        {
            double value = e.GetProperty("value").GetDouble(), lower = e.GetProperty("lower").GetDouble(), upper = e.GetProperty("upper").GetDouble();
            Assert.True(lower <= value + 1e-9 && value <= upper + 1e-9, e.ToString());
        }

        var (status, detail, _) = await Problem(await Admin.PostAsync("/v1/analytics/campaigns/estimate", Json(new { genre = "Drama", titles = new[] { "t1" } }), Ct));
        Assert.Equal((400, "name the campaign's titles with exactly one of titles or genre"), (status, detail));
        (status, detail, _) = await Problem(await Admin.PostAsync("/v1/analytics/campaigns/estimate", Json(new { genre = "Polka" }), Ct));
        Assert.Equal((400, "genre 'Polka': no title of the catalogue has that genre"), (status, detail));
        (status, detail, _) = await Problem(await Admin.PostAsync("/v1/analytics/campaigns/estimate", Json(new { genre = "Drama", share = 1.5 }), Ct));
        Assert.Equal((400, "share must be in (0, 1] (got 1.5)"), (status, detail));
        (status, _, _) = await Problem(await Admin.PostAsync("/v1/analytics/campaigns/estimate", Json(new { genre = "Drama", from = "2030-01-01T00:00:00Z" }), Ct));
        Assert.Equal(400, status);
        Assert.Equal(400, (await Problem(await Admin.PostAsync("/v1/analytics/campaigns/estimate", Json(new { genre = 7 }), Ct))).Status);
    }

    [Fact]
    public async Task An_experiment_is_read_from_the_log_with_its_daily_looks()
    {
        var start = ServerFixture.Service.StartUtc.AddDays(7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(403, (int)(await server.Client(ServerFixture.ReadKey).GetAsync($"/v1/analytics/experiments/homepage-test?start={start}", Ct)).StatusCode);
        var report = await JsonOf(await Admin.GetAsync($"/v1/analytics/experiments/homepage-test?start={start}&days=14&variants=control,treatment", Ct));
        Assert.Equal("homepage-test", report.GetProperty("experiment").GetString());
        var variants = report.GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal(["control", "treatment"], variants.Select(v => v.GetProperty("name").GetString()));
        // Every member seen in the period is in one variant (members who left before it are not).
        Assert.InRange(variants.Sum(v => v.GetProperty("members").GetInt32()), ServerFixture.Service.Members / 2, ServerFixture.Service.Members);
        Assert.All(variants, v => Assert.True(v.GetProperty("members").GetInt32() > 0));
        var comparison = report.GetProperty("comparisons")[0];
        Assert.Equal(14, comparison.GetProperty("daily").GetArrayLength());
        // The same policy on both sides: an A/A split, which the sample-ratio check passes.
        Assert.False(report.GetProperty("sample_ratio").GetProperty("alert").GetBoolean());

        var (status, detail, _) = await Problem(await Admin.GetAsync("/v1/analytics/experiments/homepage-test", Ct));
        Assert.Equal((400, "start is required: the experiment's first day (UTC, e.g. 2025-01-13)"), (status, detail));
        (status, detail, _) = await Problem(await Admin.GetAsync($"/v1/analytics/experiments/x?start={start}&weights=1", Ct));
        Assert.Equal((400, "weights has 1 values for 2 variants"), (status, detail));
        (status, _, _) = await Problem(await Admin.GetAsync($"/v1/analytics/experiments/x?start={start}&holdout=1", Ct));
        Assert.Equal(400, status);
        (status, _, _) = await Problem(await Admin.GetAsync($"/v1/analytics/experiments/x?start={start}&variants=solo", Ct));
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Swapping_the_active_model_under_load_fails_no_request()
    {
        var job = await Train(new { model = "itemknn", activate = false });
        var other = job.GetProperty("version").GetString()!;
        using var stop = new CancellationTokenSource();
        int pages = 0, failures = 0;
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>();
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var client = server.Client(ServerFixture.ReadKey);
            while (!stop.IsCancellationRequested)
            {
                var response = await client.GetAsync($"/v1/members/m{r * 11 + 1:D7}/homepage?device=phone", CancellationToken.None);
                if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref failures); continue; }
                seen[(await JsonOf(response)).GetProperty("model_version").GetString()!] = 0;
                Interlocked.Increment(ref pages);
            }
        }, Ct)).ToArray();
        var versions = new[] { other, "v0001" };
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Admin.PostAsync($"/v1/models/{versions[i % 2]}/activate", null, Ct)).StatusCode);
            await Task.Delay(20, Ct);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(0, failures);
        Assert.True(pages > 20, $"{pages} pages");
        Assert.True(seen.ContainsKey(other) && seen.ContainsKey("v0001"), string.Join(",", seen.Keys));
    }
}

/// <summary>A server over a store that starts empty: it answers, refuses pages until a model is trained, then serves them.</summary>
public sealed class EmptyServerTests : IAsyncLifetime
{
    private readonly TestSupport.TempFolder _temp = new();
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _factory = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _factory = ServerFixture.Create(_temp.File("empty.db"));
        await _factory.Services.GetRequiredService<EncoreHost>().ReadyAsync.WaitAsync(TimeSpan.FromMinutes(1));
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        _temp.Dispose();
    }

    private HttpClient Client(string key)
    {
        var c = _factory.CreateClient();
        c.DefaultRequestHeaders.Add("X-API-Key", key);
        return c;
    }

    [Fact]
    public async Task A_service_built_from_nothing_over_the_api_serves_pages_once_trained()
    {
        var admin = Client(ServerFixture.AdminKey);
        var read = Client(ServerFixture.ReadKey);
        Assert.Equal("ready", (await JsonOf(await _factory.CreateClient().GetAsync("/health/ready", Ct))).GetProperty("status").GetString());
        var titles = Enumerable.Range(0, 12).Select(i => new { id = $"t{i}", name = $"Title {i}", runtime_seconds = 3_600, genres = new[] { i < 6 ? "Comedy" : "Crime" }, maturity_rating = "PG" }).ToArray();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/v1/titles", Json(titles), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/v1/members", Json(new[] { new { id = "a" }, new { id = "b" } }), Ct)).StatusCode);
        var (status, detail, _) = await Problem(await read.GetAsync("/v1/members/a/homepage", Ct));
        Assert.Equal(503, status);
        Assert.Contains("no model has been trained yet", detail);

        var at = new DateTime(2025, 6, 1, 20, 0, 0, DateTimeKind.Utc);
        var events = new List<Dictionary<string, object?>>();
        for (int m = 0; m < 20; m++)
            for (int k = 0; k < 4; k++)
            {
                var title = $"t{(m < 10 ? 0 : 6) + (m + k) % 6}";
                events.Add(Event($"e{m}-{k}-s", "play_start", $"m{m}", title, at.AddDays(k), 0));
                events.Add(Event($"e{m}-{k}-c", "completion", $"m{m}", title, at.AddDays(k).AddHours(1), 3_600));
            }
        var stored = await JsonOf(await Client(ServerFixture.IngestKey).PostAsync("/v1/events", Json(events), Ct));
        Assert.Equal(events.Count, stored.GetProperty("stored").GetInt32());

        var queued = await JsonOf(await admin.PostAsync("/v1/models/train", Json(new { model = "itemknn" }), Ct));
        var id = queued.GetProperty("id").GetString();
        JsonElement job = default;
        for (int i = 0; i < 300 && job.ValueKind == JsonValueKind.Undefined || job.GetProperty("state").GetString() is "queued" or "running"; i++)
        {
            await Task.Delay(100, Ct);
            job = await JsonOf(await admin.GetAsync($"/v1/models/jobs/{id}", Ct));
        }
        Assert.True(job.GetProperty("state").GetString() == "succeeded", job.ToString());
        var page = await JsonOf(await read.GetAsync("/v1/members/m1/homepage", Ct));
        Assert.Equal("v0001", page.GetProperty("model_version").GetString());
        Assert.NotEqual(0, page.GetProperty("rows").GetArrayLength());
        // "a" has no events: a cold start.
        Assert.NotEqual(0, (await JsonOf(await read.GetAsync("/v1/members/a/homepage", Ct))).GetProperty("rows").GetArrayLength());
    }
}
