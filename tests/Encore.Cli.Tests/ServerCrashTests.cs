using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Encore.Storage;
using Encore.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>
/// The server killed with SIGKILL mid-ingest over HTTP, again and again: every event it acknowledged is in the store after
/// the restart, no batch is stored in part, and the file passes SQLite's integrity check.
/// </summary>
public sealed class ServerCrashTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    /// <summary>20 in the suite; ENCORE_CRASH_ROUNDS=100 runs the longer drill of docs/SERVER.md.</summary>
    private static readonly int Rounds = int.TryParse(Environment.GetEnvironmentVariable("ENCORE_CRASH_ROUNDS"), out int n) && n > 0 ? n : 20;

    private const int BatchSize = 50;

    private static readonly Dictionary<string, string?> Keys = new()
    {
        ["ENCORE_INGEST_KEY"] = "crash-ingest-key-0000001", ["ENCORE_READ_KEY"] = "crash-read-key-00000002", ["ENCORE_ADMIN_KEY"] = "crash-admin-key-0000003",
    };

    [Fact]
    public async Task Killing_the_server_mid_ingest_again_and_again_loses_no_acknowledged_event_and_leaves_no_partial_batch()
    {
        var db = _temp.File("crash.db");
        var dataHome = _temp.File("data-home");
        var simulated = await EncoreProcess.RunAsync(dataHome, Ct, "simulate", "--db", db, "--members", "20", "--titles", "20", "--days", "3");
        Assert.True(simulated.ExitCode == 0, simulated.ToString());
        var at = new DateTime(2025, 1, 10, 0, 0, 0, DateTimeKind.Utc);
        var random = new Random(20261207);
        var acknowledged = new List<string>();
        var unacknowledged = new List<string[]>();
        int killedMidBatch = 0;

        for (int round = 0; round < Rounds; round++)
        {
            using var server = EncoreProcess.Start(dataHome, ["serve", "--db", db, "--urls", "http://127.0.0.1:0", "--clock", "events"], environment: Keys);
            var ready = await server.WaitForOutputLineAsync(l => l.StartsWith("Encore is ready at ", StringComparison.Ordinal), TimeSpan.FromMinutes(2), Ct);
            Assert.True(ready is not null, $"round {round}: {server.OutputSoFar}");
            using var http = new HttpClient { BaseAddress = new Uri(Regex.Match(ready, @"http://127\.0\.0\.1:\d+").Value), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Add("X-API-Key", Keys["ENCORE_INGEST_KEY"]);

            using var stop = new CancellationTokenSource();
            var firstAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sender = Task.Run(async () =>
            {
                for (int batch = 0; !stop.IsCancellationRequested; batch++)
                {
                    var ids = Enumerable.Range(0, BatchSize).Select(i => $"crash-{round}-{batch}-{i}").ToArray();
                    var events = ids.Select((id, i) => new Dictionary<string, object>
                    {
                        ["event_id"] = id, ["kind"] = "play_start", ["member_id"] = $"m{1 + i % 20:D7}", ["title_id"] = $"t{1 + (i + batch) % 20:D6}",
                        ["device"] = "tv", ["timestamp"] = at.AddMinutes(round * 1_000 + batch).ToString("O"), ["session_id"] = $"crash-{round}-{batch}", ["position"] = 0,
                    });
                    var content = new StringContent(JsonSerializer.Serialize(events), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
                    try
                    {
                        var response = await http.PostAsync("/v1/events", content, CancellationToken.None);
                        var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                        Assert.True(response.IsSuccessStatusCode, body);
                        using var json = JsonDocument.Parse(body);
                        Assert.Equal(BatchSize, json.RootElement.GetProperty("stored").GetInt32() + json.RootElement.GetProperty("duplicates").GetInt32());
                        lock (acknowledged) acknowledged.AddRange(ids);
                        firstAcknowledged.TrySetResult();
                    }
                    catch (HttpRequestException)
                    {
                        // The server died under this batch: it was never acknowledged.
                        lock (acknowledged) unacknowledged.Add(ids);
                        return true;
                    }
                }
                return false;
            }, Ct);
            // The kill lands while batches stream in: after the first is acknowledged (a cold server on a busy machine can be
            // slow to answer it), somewhere in the next 150 to 900 ms.
            await Task.WhenAny(firstAcknowledged.Task, sender).WaitAsync(TimeSpan.FromMinutes(2), Ct);
            await Task.Delay(random.Next(150, 900), Ct);
            server.Kill(); // SIGKILL: no clean-up of any kind
            await server.WaitForExitAsync(Ct);
            await stop.CancelAsync();
            if (await sender) killedMidBatch++;
        }

        await using var store = await SqliteEventStore.OpenReadOnlyAsync(db, Ct);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in store.ReadEventsAsync(new EventQuery { FromUtc = at }, Ct)) stored.Add(e.EventId);
        Assert.True(acknowledged.Count > Rounds * BatchSize, $"only {acknowledged.Count} events acknowledged");
        Assert.All(acknowledged, id => Assert.Contains(id, stored));
        // A batch the server did not acknowledge is wholly stored (it committed just before the kill) or not at all.
        foreach (var batch in unacknowledged)
        {
            int present = batch.Count(stored.Contains);
            Assert.True(present == 0 || present == batch.Length, $"batch {batch[0]}: {present} of {batch.Length} events stored");
        }
        Assert.True(killedMidBatch > Rounds / 2, $"the kill landed mid-batch in only {killedMidBatch} of {Rounds} rounds");
        Assert.Equal(stored.Count, acknowledged.Count + unacknowledged.Where(b => stored.Contains(b[0])).Sum(b => b.Length));
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", check.ExecuteScalar());
    }
}
