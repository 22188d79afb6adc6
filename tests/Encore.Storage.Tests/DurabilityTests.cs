using System.Diagnostics;
using System.Globalization;
using Encore.TestSupport;
using Xunit;

namespace Encore.Storage.Tests;

/// <summary>
/// An acknowledged batch survives the process being killed: a child process appends batches and reports each
/// one once AppendAsync has returned; the test kills it mid-ingest (twice, the second time on the recovered
/// file), reopens the store and finds every acknowledged event, whole batches only, and a sound file.
/// </summary>
public sealed class DurabilityTests
{
    internal const int BatchSize = 400;

    [Fact]
    public async Task Every_acknowledged_batch_survives_the_writer_being_killed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var db = folder.File("crash.db");

        // The first writer leaves its batches pending; the second seals every 3 batches, so it dies amid seals.
        int acked1 = await RunAndKillAsync(db, firstBatch: 0, killAfterAcks: 25, sealEvery: 0, ct);
        int acked2 = await RunAndKillAsync(db, firstBatch: 100_000, killAfterAcks: 16, sealEvery: 3, ct);

        await using var store = await SqliteEventStore.OpenAsync(db, ct);
        Assert.Equal("ok", await store.CheckIntegrityAsync(ct));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, ct)) ids.Add(e.EventId);

        foreach (var (first, acked) in new[] { (0, acked1), (100_000, acked2) })
        {
            for (int b = first; b < first + acked; b++)
            {
                for (int i = 0; i < BatchSize; i++)
                    Assert.True(ids.Contains($"b{b}-e{i}"), $"acknowledged event b{b}-e{i} is missing after the kill");
            }
        }
        // A batch is one transaction: after a kill there are only whole batches, and at most the one being
        // committed when the kill came is there without its acknowledgement.
        Assert.Equal(0, ids.Count % BatchSize);
        int batchesStored = ids.Count / BatchSize;
        Assert.InRange(batchesStored, acked1 + acked2, acked1 + acked2 + 2);
        Assert.Equal(ids.Count, (await store.GetStatisticsAsync(ct)).Events);
        // The second writer had sealed at least five times before its sixteenth acknowledgement.
        await using var file = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
        await file.OpenAsync(ct);
        await using var count = file.CreateCommand();
        count.CommandText = "SELECT count(*) FROM segments";
        Assert.InRange((long)(await count.ExecuteScalarAsync(ct))!, 5, long.MaxValue);
    }

    /// <summary>Starts the writer, waits for <paramref name="killAfterAcks"/> acknowledgements, kills it; returns the acknowledged batch count.</summary>
    internal static async Task<int> RunAndKillAsync(string db, int firstBatch, int killAfterAcks, int sealEvery, CancellationToken ct)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "Encore.Storage.CrashWriter.dll");
        Assert.True(File.Exists(writer), $"the child program is missing: {writer}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { writer, db, BatchSize.ToString(CultureInfo.InvariantCulture), firstBatch.ToString(CultureInfo.InvariantCulture), "1000000", sealEvery.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync(ct);
        int acked = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (acked < killAfterAcks)
            {
                var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"the writer ended early: {await stderr}");
                var parts = line.Split(' ');
                Assert.Equal("acked", parts[0]);
                Assert.Equal(firstBatch + acked, int.Parse(parts[1], CultureInfo.InvariantCulture));
                Assert.Equal(BatchSize, int.Parse(parts[2], CultureInfo.InvariantCulture));
                acked++;
            }
        }
        finally
        {
            // Killed while it is in the middle of later batches: SIGKILL, no chance to flush or close.
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(ct);
        }
        // Acknowledgements the child wrote before it died but we had not read yet also count.
        var rest = await child.StandardOutput.ReadToEndAsync(ct);
        var lines = rest.Split('\n');
        // The last piece has no newline after it: it is empty, or a line cut short by the kill.
        for (int i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].StartsWith("acked ", StringComparison.Ordinal)) acked++;
        }
        Assert.NotEqual(0, child.ExitCode);
        return acked;
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return "dotnet";
    }
}

/// <summary>
/// The same kill-mid-ingest drill against PostgreSQL: the writer is killed twice while appending; every acknowledged
/// batch is in the database afterwards, only whole batches are, and the counts agree.
/// </summary>
public sealed class PostgresDurabilityTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Every_acknowledged_batch_survives_the_writer_being_killed()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = cluster.NewDatabaseUrl("crash");
        int acked1 = await DurabilityTests.RunAndKillAsync(db, firstBatch: 0, killAfterAcks: 25, sealEvery: 0, ct);
        int acked2 = await DurabilityTests.RunAndKillAsync(db, firstBatch: 100_000, killAfterAcks: 16, sealEvery: 0, ct);

        await using var store = await Encore.Storage.Postgres.PostgresEventStore.OpenAsync(db, ct);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, ct)) ids.Add(e.EventId);
        foreach (var (first, acked) in new[] { (0, acked1), (100_000, acked2) })
        {
            for (int b = first; b < first + acked; b++)
            {
                for (int i = 0; i < DurabilityTests.BatchSize; i++)
                    Assert.True(ids.Contains($"b{b}-e{i}"), $"acknowledged event b{b}-e{i} is missing after the kill");
            }
        }
        Assert.Equal(0, ids.Count % DurabilityTests.BatchSize);
        Assert.InRange(ids.Count / DurabilityTests.BatchSize, acked1 + acked2, acked1 + acked2 + 2);
        Assert.Equal(ids.Count, (await store.GetStatisticsAsync(ct)).Events);
        Assert.Equal(997, (await store.ReadMemberIdsAsync(ct)).Count);
    }
}
