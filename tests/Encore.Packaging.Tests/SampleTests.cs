using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Encore.Packaging.Tests;

/// <summary>
/// The samples, built against the packed feed (PackageReference to this run's version, the samples' own nuget.config),
/// never against the projects, and run: the console program prints a homepage; the ASP.NET Core program serves
/// Encore's API and its own endpoints side by side.
/// </summary>
public sealed class SampleTests(PackedFeed feed) : IDisposable
{
    private readonly TestSupport.TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_console_sample_ingests_trains_and_prints_a_homepage_from_the_packages()
    {
        var dll = feed.BuildSample("Encore.Samples.Console");
        var db = _temp.File("console.db");
        var run = PackedFeed.Dotnet(_temp.Path, TimeSpan.FromMinutes(3), dll, db, "member-001");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Store {db}: 1206 events accepted, 0 already there, 0 rejected", run.Output);
        Assert.Matches(@"Trained ials on 1206 events of 120 members over 40 titles", run.Output);
        Assert.Matches(@"Homepage of member-001 on tv, \d+ rows, model ials", run.Output);

        // The first row is the member's Top Picks, led by the genre member-001 watches (Drama).
        var top = run.Output[run.Output.IndexOf("Top Picks for You", StringComparison.Ordinal)..];
        var firstFive = Regex.Matches(top, @"^\s+\d+\. (.+) \(title-\d+\)$", RegexOptions.Multiline).Take(5).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(5, firstFive.Count);
        Assert.True(firstFive.Count(n => n.StartsWith("Drama", StringComparison.Ordinal)) >= 3, run.Output);

        // A second run over the same store finds every event already there (ingestion is idempotent by event id).
        var again = PackedFeed.Dotnet(_temp.Path, TimeSpan.FromMinutes(3), dll, db, "member-001");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("0 events accepted, 1206 already there, 0 rejected", again.Output);
    }

    [Fact]
    public async Task The_web_sample_hosts_encores_endpoints_beside_its_own()
    {
        feed.RequireTool();
        var dll = feed.BuildSample("Encore.Samples.Web");
        // A store to serve, made with the installed tool: a small simulated service.
        var db = _temp.File("web.db");
        var simulate = PackedFeed.Run(feed.Encore, _temp.Path, TimeSpan.FromMinutes(3),
            new Dictionary<string, string?> { ["XDG_DATA_HOME"] = _temp.File("data-home") },
            "simulate", "--members", "60", "--titles", "40", "--days", "10", "--db", db);
        Assert.True(simulate.ExitCode == 0, simulate.ToString());

        int port = FreePort();
        var keys = new Dictionary<string, string?>
        {
            ["ENCORE_DB"] = db,
            ["ENCORE_INGEST_KEY"] = "sample-ingest-key-0123456789",
            ["ENCORE_READ_KEY"] = "sample-read-key-0123456789",
            ["ENCORE_ADMIN_KEY"] = "sample-admin-key-0123456789",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        using var process = new Process { StartInfo = PackedFeed.StartInfo("dotnet", _temp.Path, keys, [dll]) };
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            // Ready once the store is read and a first model trained (the service trains one when the store has none).
            var ready = Stopwatch.StartNew();
            string readiness = "";
            while (ready.Elapsed < TimeSpan.FromMinutes(2))
            {
                Assert.False(process.HasExited, $"the web sample stopped (exit {(process.HasExited ? process.ExitCode : 0)}):\n{log}");
                try
                {
                    var answer = await http.GetAsync("/health/ready", Ct);
                    readiness = await answer.Content.ReadAsStringAsync(Ct);
                    if (answer.StatusCode == HttpStatusCode.OK) break;
                }
                catch (HttpRequestException) { }
                await Task.Delay(250, Ct);
            }
            Assert.True(readiness.Contains("\"ready\"", StringComparison.Ordinal), $"not ready after {ready.Elapsed.TotalSeconds:F0} s: {readiness}\n{log}");

            // The application's own endpoint.
            Assert.Equal("Hello from the shop, which hosts Encore.", await http.GetStringAsync("/shop/hello", Ct));

            // Encore's API, with its keys: a member's homepage.
            using var unauthorised = await http.GetAsync("/v1/members/m0000001/homepage", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/members/m0000001/homepage?device=tv");
            request.Headers.Add("X-API-Key", "sample-read-key-0123456789");
            using var homepage = await http.SendAsync(request, Ct);
            var body = await homepage.Content.ReadAsStringAsync(Ct);
            Assert.True(homepage.StatusCode == HttpStatusCode.OK, body);
            using (var page = JsonDocument.Parse(body))
            {
                Assert.Equal("m0000001", page.RootElement.GetProperty("member_id").GetString());
                Assert.True(page.RootElement.GetProperty("rows").GetArrayLength() > 0, body);
            }

            // The application's endpoint that calls Encore's service itself, and Encore's problems for its errors.
            using (var picks = JsonDocument.Parse(await http.GetStringAsync("/shop/m0000001/picks", Ct)))
                Assert.Equal(5, picks.RootElement.GetProperty("picks").GetArrayLength());
            using var missing = await http.GetAsync("/shop/nobody/picks", Ct);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
            Assert.Contains("nobody", await missing.Content.ReadAsStringAsync(Ct));

            // Encore's OpenAPI document lists Encore's API.
            Assert.Contains("/v1/members/{id}/homepage", await http.GetStringAsync("/openapi/v1.json", Ct));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
