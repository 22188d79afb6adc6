using System.Net;
using System.Text.RegularExpressions;
using Encore.TestSupport;
using Xunit;

// One throwaway PostgreSQL cluster for the tests of this assembly that need one.
[assembly: AssemblyFixture(typeof(PostgresCluster))]

namespace Encore.Cli.Tests;

/// <summary>The commands on a PostgreSQL store: `migrate-store`, `stats` and `serve` with a postgres:// URL, and the errors.</summary>
public sealed class PostgresCommandTests(PostgresCluster cluster) : IDisposable
{
    private readonly TempFolder _temp = new();
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private string DataHome => _temp.File("data-home");

    private static string Row(string label) => $@"(?m)^\s+{Regex.Escape(label)}\s+([\d,]+)\s*$";

    [Fact]
    public async Task A_simulated_sqlite_store_migrates_into_postgres_and_the_server_runs_on_it()
    {
        var db = _temp.File("sim.db");
        var sim = await EncoreProcess.RunAsync(DataHome, Ct, "simulate", "--db", db, "--members", "60", "--titles", "40", "--days", "14");
        Assert.True(sim.ExitCode == 0, sim.ToString());
        // A password in the URL (trust authentication ignores it) must never be printed.
        var url = cluster.NewDatabaseUrl("cli").Replace("postgres://postgres@", "postgres://postgres:hunter2@", StringComparison.Ordinal);

        var migrate = await EncoreProcess.RunAsync(DataHome, Ct, "migrate-store", "--from", db, "--to", url);
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Contains("Copied ", migrate.Output);
        Assert.DoesNotContain("hunter2", migrate.Output + migrate.Error);

        var fileStats = await EncoreProcess.RunAsync(DataHome, Ct, "stats", "--db", db);
        var pgStats = await EncoreProcess.RunAsync(DataHome, Ct, "stats", "--db", url);
        Assert.True(pgStats.ExitCode == 0, pgStats.ToString());
        Assert.DoesNotContain("hunter2", pgStats.Output + pgStats.Error);
        foreach (var label in new[] { "members", "titles", "events" })
            Assert.Equal(Regex.Match(fileStats.Output, Row(label)).Groups[1].Value, Regex.Match(pgStats.Output, Row(label)).Groups[1].Value);
        Assert.Equal(fileStats.Output[fileStats.Output.IndexOf("first event", StringComparison.Ordinal)..], pgStats.Output[pgStats.Output.IndexOf("first event", StringComparison.Ordinal)..]);

        // A second copy into the same database is refused: it is no longer empty.
        var again = await EncoreProcess.RunAsync(DataHome, Ct, "migrate-store", "--from", db, "--to", url);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("not empty", again.Error);

        var keys = new Dictionary<string, string?>
        {
            ["ENCORE_INGEST_KEY"] = "pg-ingest-key-00000001", ["ENCORE_READ_KEY"] = "pg-read-key-000000002", ["ENCORE_ADMIN_KEY"] = "pg-admin-key-00000003",
        };
        using var serve = EncoreProcess.Start(DataHome, ["serve", "--db", url, "--urls", "http://127.0.0.1:0", "--clock", "events"], environment: keys);
        var ready = await serve.WaitForOutputLineAsync(l => l.StartsWith("Encore is ready at ", StringComparison.Ordinal), TimeSpan.FromMinutes(3), Ct);
        Assert.True(ready is not null, serve.OutputSoFar);
        var http = Regex.Match(ready, @"http://127\.0\.0\.1:\d+").Value;
        foreach (var path in new[] { "/health/ready", "/v1/members/m0000002/homepage", "/v1/members/m0000002/timeline" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, http + path);
            request.Headers.Add("X-API-Key", "pg-read-key-000000002");
            using var response = await Http.SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }
        serve.TryInterrupt();
        var stopped = await serve.WaitForExitAsync(Ct);
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.DoesNotContain("hunter2", stopped.Output + stopped.Error);
    }

    [Fact]
    public async Task An_unreachable_server_is_one_line_naming_host_and_port_without_the_password()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var run = await EncoreProcess.RunAsync(DataHome, Ct, "stats", "--db", $"postgres://encore:topsecret@127.0.0.1:{port}/encore");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", run.Error);
        Assert.Contains("unreachable", run.Error);
        Assert.DoesNotContain("topsecret", run.Error + run.Output);
    }
}
