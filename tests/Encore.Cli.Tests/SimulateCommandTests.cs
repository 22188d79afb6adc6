using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore simulate` into a database: once per service, never mixed with other data, resumed after an interruption.</summary>
public sealed class SimulateCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private string DataHome => _temp.File("data-home");

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(DataHome, Ct, args);

    /// <summary>A service whose run lasts long enough (a second or two) to be interrupted after its first day is stored.</summary>
    internal static readonly string[] Interruptible = ["--members", "600", "--titles", "300", "--days", "21"];

    /// <summary>The first progress line comes once the first day's events went to the store, in durable batches of 1,000.</summary>
    internal static bool FirstDayStored(string line) => line.StartsWith("simulate: ", StringComparison.Ordinal);

    [Fact]
    public async Task The_same_service_is_stored_once_and_another_one_is_refused()
    {
        var db = _temp.File("sim.db");
        var first = await Encore("simulate", "--members", "60", "--titles", "40", "--days", "16", "--db", db);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Matches(@"(?m)^\s+rejected\s+0\s*$", first.Output);

        var again = await Encore("simulate", "--members", "60", "--titles", "40", "--days", "16", "--db", db);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("holds the finished simulation of seed 20250106, 60 members x 40 titles x 16 days under the popularity policy (", again.Output);
        Assert.Contains("; nothing to store", again.Output);

        // A different seed would reuse the first run's event ids (member, session, sequence) and mix two worlds.
        var other = await Encore("simulate", "--members", "60", "--titles", "40", "--days", "16", "--seed", "5", "--db", db);
        Assert.Equal(3, other.ExitCode);
        Assert.Contains("holds the finished simulation of seed 20250106, 60 members x 40 titles x 16 days", other.Error);
        Assert.Contains("not the one asked for (seed 5, 60 members x 40 titles x 16 days under the popularity policy)", other.Error);
    }

    [Fact]
    public async Task A_killed_simulate_resumes_on_the_next_run_and_ends_with_the_events_of_an_uninterrupted_run()
    {
        var db = _temp.File("killed.db");
        using (var child = EncoreProcess.Start(DataHome, ["simulate", .. Interruptible, "--db", db], FirstDayStored, ChildSignal.Kill))
        {
            // SIGKILL: no cancellation, no clean-up.
            Assert.True(await child.SignalledAsync(Ct), "the run ended before it could be killed");
            var killed = await child.WaitForExitAsync(Ct);
            Assert.NotEqual(0, killed.ExitCode);
        }
        long left = await EventCountAsync(db);

        // P-SIM refuses it, says what it is, and how to finish it.
        var eval = await Encore("eval", "--protocol", "p-sim", "--db", db);
        Assert.Equal(3, eval.ExitCode);
        Assert.Contains($"holds an unfinished simulation of seed 20250106, 600 members x 300 titles x 21 days under the popularity policy ({left:N0} events so far)", eval.Error);
        Assert.Contains($"`encore simulate --members 600 --titles 300 --days 21 --seed 20250106 --policy popularity --db {db}`", eval.Error);

        var resumed = await Encore(["simulate", .. Interruptible, "--db", db]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"holds an unfinished simulation of seed 20250106, 600 members x 300 titles x 21 days under the popularity policy ({left:N0} events so far); resuming", resumed.Output);
        Assert.Matches($@"(?m)^\s+already stored \(an earlier run\)\s+{left}\s*$", resumed.Output);

        var reference = _temp.File("uninterrupted.db");
        var whole = await Encore(["simulate", .. Interruptible, "--db", reference]);
        Assert.True(whole.ExitCode == 0, whole.ToString());
        var expected = await EventsAsync(reference);
        Assert.InRange(left, 1, expected.Count - 1); // the kill landed mid-run
        var actual = await EventsAsync(db);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);

        var evaluated = await Encore("eval", "--protocol", "p-sim", "--db", db, "--model", "popularity");
        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
    }

    [Fact]
    public async Task Ctrl_C_exits_130_with_one_line_and_the_next_run_resumes()
    {
        var db = _temp.File("interrupted.db");
        using (var child = EncoreProcess.Start(DataHome, ["simulate", .. Interruptible, "--db", db], FirstDayStored))
        {
            Assert.True(await child.SignalledAsync(Ct), "the run ended before it could be interrupted");
            var run = await child.WaitForExitAsync(Ct);
            AssertCancelled(run);
        }
        var resumed = await Encore(["simulate", .. Interruptible, "--db", db]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("holds an unfinished simulation of seed 20250106, 600 members x 300 titles x 21 days", resumed.Output);
        Assert.Contains("; resuming", resumed.Output);
    }

    [Fact]
    public async Task The_policy_can_be_encores_own_page_generator()
    {
        var db = _temp.File("encore-policy.db");
        var run = await Encore(["simulate", "--members", "60", "--titles", "40", "--days", "16", "--policy", "encore", "--db", db]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("policy encore", run.Output);
        // Its pages were shown: impressions of the rows Encore builds after its first weekly training.
        await using var store = await global::Encore.Storage.SqliteEventStore.OpenReadOnlyAsync(db, Ct);
        var rows = new HashSet<string>();
        await foreach (var e in store.ReadEventsAsync(new global::Encore.Storage.EventQuery { Kinds = [global::Encore.Core.EventKind.Impression], FromUtc = new DateTime(2025, 1, 14, 0, 0, 0, DateTimeKind.Utc) }, Ct))
            rows.Add(e.Row!);
        Assert.Contains("top-picks", rows);
        Assert.Contains(rows, r => r.StartsWith("byw:", StringComparison.Ordinal)); // "Because you watched" rows are Encore's own
    }

    [Fact]
    public async Task Ctrl_C_twice_still_exits_130_with_one_line()
    {
        // Pressing Ctrl-C twice, or `timeout -s INT`, which signals the process and its group: two SIGINTs at once.
        var db = _temp.File("twice.db");
        using var child = EncoreProcess.Start(DataHome, ["simulate", .. Interruptible, "--db", db], FirstDayStored);
        Assert.True(await child.SignalledAsync(Ct), "the run ended before it could be interrupted");
        // Two signals sent at once would be merged into one pending signal: the second comes while the first is handled.
        await Task.Delay(50, Ct);
        child.TryInterrupt();
        AssertCancelled(await child.WaitForExitAsync(Ct));
    }

    /// <summary>Exit code 130 and one line, "encore: cancelled", after the progress lines; no stack trace.</summary>
    internal static void AssertCancelled(EncoreRun run)
    {
        Assert.True(run.ExitCode == 130, run.ToString());
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("encore: cancelled", lines[^1]);
        Assert.Single(lines, l => l.StartsWith("encore:", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => !l.StartsWith("simulate: ", StringComparison.Ordinal) && !l.StartsWith("p-sim: ", StringComparison.Ordinal) && l != "encore: cancelled");
    }

    [Fact]
    public async Task An_export_file_that_cannot_be_written_is_refused_before_the_run()
    {
        var folder = _temp.File("a-folder");
        Directory.CreateDirectory(folder);
        var run = await Encore("simulate", "--members", "60", "--titles", "40", "--days", "3", "--no-store", "--export-interactions", folder);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"encore: cannot write --export-interactions {folder}: ", line);
    }

    [Fact]
    public async Task A_service_too_short_for_p_sim_is_stored_with_a_note_and_p_sim_refuses_it_before_any_work()
    {
        var db = _temp.File("short.db");
        var run = await Encore("simulate", "--members", "60", "--titles", "40", "--days", "5", "--db", db);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("note: `encore eval --protocol p-sim` cannot score this service well: --days 5: P-SIM needs at least 15 simulated days", run.Output);

        var eval = await Encore("eval", "--protocol", "p-sim", "--db", db);
        Assert.Equal(1, eval.ExitCode);
        var line = Assert.Single(eval.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("P-SIM needs at least 15 simulated days: the last 14 are its test period, and training needs at least one day before them (this service has 5)", line);
    }

    internal static async Task<long> EventCountAsync(string db)
    {
        await using var store = await SqliteEventStore.OpenAsync(db, Ct);
        return (await store.GetStatisticsAsync(Ct)).Events;
    }

    /// <summary>Every stored event, as JSON, in the store's read order (time, then id).</summary>
    internal static async Task<List<string>> EventsAsync(string db)
    {
        await using var store = await SqliteEventStore.OpenAsync(db, Ct);
        var events = new List<string>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) events.Add(System.Text.Json.JsonSerializer.Serialize(e));
        return events;
    }
}
