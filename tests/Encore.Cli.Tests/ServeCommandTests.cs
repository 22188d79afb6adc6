using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore demo` serving (the README's first command) and `encore serve`, as the real program.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private string DataHome => _temp.File("data-home");

    private static readonly string[] Small = ["--members", "80", "--titles", "60", "--days", "21"];

    private static async Task<HttpResponseMessage> Get(string url, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (key is not null) request.Headers.Add("X-API-Key", key);
        return await Http.SendAsync(request, Ct);
    }

    private static long Stored(string metrics, string kind)
        => long.Parse(Regex.Match(metrics, $@"encore_events_total\{{kind=""{kind}"",outcome=""stored""\}} (\d+)").Groups[1].Value);

    [Fact]
    public async Task The_demo_serves_the_simulated_service_with_live_members_and_stops_cleanly_on_ctrl_c_then_reuses_everything()
    {
        var db = _temp.File("demo.db");
        using (var demo = EncoreProcess.Start(DataHome, ["demo", "--db", db, "--urls", "http://127.0.0.1:0", .. Small]))
        {
            var ready = await demo.WaitForOutputLineAsync(l => l.StartsWith("Encore is ready at ", StringComparison.Ordinal), TimeSpan.FromMinutes(3), Ct);
            Assert.True(ready is not null, demo.OutputSoFar);
            Assert.EndsWith("(model v0001)", ready);
            var url = Regex.Match(ready, @"http://127\.0\.0\.1:\d+").Value;
            var console = await demo.WaitForOutputLineAsync(l => l.TrimStart().StartsWith("console ", StringComparison.Ordinal), TimeSpan.FromSeconds(5), Ct);
            var read = Regex.Match(console!, "#read=([^&]+)").Groups[1].Value;
            Assert.StartsWith("encore-read-", read);
            Assert.Contains("&ingest=encore-ingest-", console);

            Assert.Equal(HttpStatusCode.OK, (await Get(url + "/health/ready")).StatusCode);
            Assert.Equal("text/html", (await Get(url + "/")).Content.Headers.ContentType?.MediaType);
            var page = await Get(url + "/v1/members/m0000001/homepage?device=phone", read);
            Assert.True(page.StatusCode == HttpStatusCode.OK, await page.Content.ReadAsStringAsync(Ct));
            Assert.NotEqual(0, JsonDocument.Parse(await page.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("rows").GetArrayLength());
            Assert.Equal(HttpStatusCode.Unauthorized, (await Get(url + "/v1/members/m0000001/homepage")).StatusCode);

            // Simulated members keep using it: impressions and plays arrive as the seconds pass.
            long before = Stored(await (await Get(url + "/metrics")).Content.ReadAsStringAsync(Ct), "impression");
            await Task.Delay(3_000, Ct);
            long after = Stored(await (await Get(url + "/metrics")).Content.ReadAsStringAsync(Ct), "impression");
            Assert.True(after > before, $"impressions stored: {before} then {after}");

            Assert.True(demo.TryInterrupt());
            var run = await demo.WaitForExitAsync(Ct);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.EndsWith("stopped\n", run.Error);
            Assert.DoesNotContain("encore:", run.Error);
        }

        // The second demo reuses the service and the model version, and starts at once.
        using var again = EncoreProcess.Start(DataHome, ["demo", "--db", db, "--urls", "http://127.0.0.1:0", .. Small]);
        var second = await again.WaitForOutputLineAsync(l => l.StartsWith("Encore is ready at ", StringComparison.Ordinal), TimeSpan.FromMinutes(2), Ct);
        Assert.True(second is not null, again.OutputSoFar);
        Assert.EndsWith("(model v0001)", second);
        Assert.Contains("Reusing the simulated service", again.OutputSoFar);
        again.TryInterrupt();
        var stopped = await again.WaitForExitAsync(Ct);
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.DoesNotContain("training", stopped.Error);
    }

    [Fact]
    public async Task Serve_takes_its_keys_from_the_environment_and_refuses_a_missing_database()
    {
        var missing = await EncoreProcess.RunAsync(DataHome, Ct, "serve", "--db", _temp.File("nothing.db"));
        Assert.Equal(3, missing.ExitCode);
        Assert.Equal($"encore: no database at {_temp.File("nothing.db")}; create one with `encore import` or `encore simulate`\n", missing.Error);

        var badSpan = await EncoreProcess.RunAsync(DataHome, Ct, "serve", "--db", _temp.File("nothing.db"), "--retrain-every", "soon");
        Assert.Equal(1, badSpan.ExitCode);
        Assert.Contains("--retrain-every: 'soon' is not a duration", badSpan.Error);

        var db = _temp.File("served.db");
        Assert.Equal(0, (await EncoreProcess.RunAsync(DataHome, Ct, ["simulate", "--db", db, .. Small])).ExitCode);
        var sqliteCluster = await EncoreProcess.RunAsync(DataHome, Ct, "serve", "--db", db, "--cluster");
        Assert.Equal(1, sqliteCluster.ExitCode);
        Assert.Contains("--cluster needs a PostgreSQL store", sqliteCluster.Error);
        var keys = new Dictionary<string, string?>
        {
            ["ENCORE_INGEST_KEY"] = "env-ingest-key-0000001", ["ENCORE_READ_KEY"] = "env-read-key-00000002", ["ENCORE_ADMIN_KEY"] = "env-admin-key-0000003",
        };
        using var serve = EncoreProcess.Start(DataHome, ["serve", "--db", db, "--urls", "http://127.0.0.1:0", "--clock", "events"], environment: keys);
        var ready = await serve.WaitForOutputLineAsync(l => l.StartsWith("Encore is ready at ", StringComparison.Ordinal), TimeSpan.FromMinutes(3), Ct);
        Assert.True(ready is not null, serve.OutputSoFar);
        var url = Regex.Match(ready, @"http://127\.0\.0\.1:\d+").Value;
        Assert.Contains("read   env-read-key-00000002", serve.OutputSoFar);
        Assert.Equal(HttpStatusCode.OK, (await Get(url + "/v1/members/m0000002/homepage", "env-read-key-00000002")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get(url + "/v1/members/m0000002/homepage", "env-admin-key-0000003")).StatusCode);
        serve.TryInterrupt();
        Assert.Equal(0, (await serve.WaitForExitAsync(Ct)).ExitCode);
    }
}
