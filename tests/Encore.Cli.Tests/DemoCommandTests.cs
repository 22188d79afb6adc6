using Encore.Models;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore demo`, the README's first command, run as the real program on a small simulated service.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    private static readonly string[] SmallService = ["--members", "300", "--titles", "150", "--days", "28"];

    [Fact]
    public async Task Demo_simulates_evaluates_and_shows_a_member_then_reuses_the_service()
    {
        var db = _temp.File("demo.db");
        var first = await Encore(["demo", "--no-serve", "--db", db, .. SmallService]);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Matches(@"Simulated 300 members x 150 titles x 28 days \(seed \d+\) into .*demo\.db: [\d,]+ events", first.Output);
        // Every main model, in the catalogue's order.
        var rows = first.Output.Split('\n').Select(l => l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells.Length == 6 && ModelCatalog.Main.Contains(cells[0])).Select(cells => cells[0]).ToList();
        Assert.Equal(ModelCatalog.Main, rows);
        foreach (var model in ModelCatalog.Main)
            Assert.Matches($@"(?m)^\s+{model}\s+0\.\d+\s+0\.\d+", first.Output);
        Assert.Contains("Top Picks:", first.Output);
        Assert.Matches(@"(?m)^\s+10\. [ *] \S", first.Output);
        Assert.Contains("Because you watched ", first.Output);
        Assert.DoesNotContain("NaN", first.Output);
        // It ends with what to try next, on this database.
        var next = first.Output[first.Output.LastIndexOf("\nNext (", StringComparison.Ordinal)..];
        Assert.Contains($"encore stats --db {db}", next);
        Assert.Contains($"encore eval --protocol p-sim --db {db}", next);
        Assert.Contains("encore simulate --members 300 --titles 150 --days 28 --no-store --report", next);
        Assert.Contains("README.md", next);

        var second = await Encore(["demo", "--no-serve", "--db", db, .. SmallService]);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Reusing the simulated service", second.Output);
        // The same service, the same figures.
        Assert.Equal(TableOf(first.Output), TableOf(second.Output));
    }

    [Fact]
    public async Task Demo_refuses_a_database_that_holds_other_data()
    {
        var db = _temp.File("other.db");
        var events = _temp.File("events.jsonl");
        await File.WriteAllTextAsync(events, """{"event_id":"e1","kind":"search","member_id":"m1","device":"tv","timestamp":"2025-01-01T10:00:00Z","session_id":"s1","query":"space"}""" + "\n", Ct);
        var import = await Encore("import", events, "--db", db);
        Assert.True(import.ExitCode == 0, import.ToString());

        var run = await Encore(["demo", "--no-serve", "--db", db, .. SmallService]);
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("holds 1 event (1 member, 0 titles) and no simulation manifest", run.Error);
        Assert.Contains("an import or another data set", run.Error);
    }

    [Theory]
    [InlineData("--days", "5", "--days 5: P-SIM needs at least 15 simulated days: the last 14 are its test period, and training needs at least one day before them")]
    [InlineData("--days", "14", "--days 14: P-SIM needs at least 15 simulated days")]
    [InlineData("--members", "1", "--members 1: P-SIM needs at least 20 members: its figures average over the members who start a new title in the last 14 days")]
    [InlineData("--members", "0", "--members 0: members must be at least 1")]
    [InlineData("--titles", "5", "--titles 5: titles must be at least 20")]
    public async Task Every_option_is_checked_before_any_work(string option, string value, string reason)
    {
        var db = _temp.File("never.db");
        var args = new List<string> { "demo", "--no-serve", "--db", db };
        for (int i = 0; i < SmallService.Length; i += 2)
            if (SmallService[i] != option) args.AddRange([SmallService[i], SmallService[i + 1]]);
        args.AddRange([option, value]);
        var run = await Encore([.. args]);
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("encore: " + reason, line);
        Assert.False(File.Exists(db), "the demo touched the database before refusing its options");
        Assert.DoesNotContain("NaN", run.Output);
    }

    [Fact]
    public async Task Ctrl_C_during_the_first_demo_exits_130_and_the_next_demo_resumes_by_itself()
    {
        // The default database, as a first `./encore demo` from a fresh clone uses it.
        var dataHome = _temp.File("data-home");
        var db = Path.Combine(dataHome, "encore", "encore.db");
        using (var child = EncoreProcess.Start(dataHome, ["demo", "--no-serve", .. SimulateCommandTests.Interruptible], SimulateCommandTests.FirstDayStored))
        {
            Assert.True(await child.SignalledAsync(Ct), "the demo ended before it could be interrupted");
            SimulateCommandTests.AssertCancelled(await child.WaitForExitAsync(Ct));
        }
        long left = await SimulateCommandTests.EventCountAsync(db);

        var second = await Encore(["demo", "--no-serve", .. SimulateCommandTests.Interruptible]);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains($"{db} holds an unfinished simulation of seed 20250106, 600 members x 300 titles x 21 days under the popularity policy ({left:N0} events so far); resuming", second.Output);
        Assert.Matches($@"Finished the interrupted simulation in .*encore\.db: [\d,]+ events added to the {left:N0} stored before", second.Output);
        Assert.Contains("Top Picks:", second.Output);

        var third = await Encore(["demo", "--no-serve", .. SimulateCommandTests.Interruptible]);
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Contains("Reusing the simulated service", third.Output);
        Assert.Equal(TableOf(second.Output), TableOf(third.Output));
    }

    /// <summary>Everything from the P-SIM table on, less the fit times (the only part that varies between runs).</summary>
    private static string TableOf(string output) => string.Join('\n',
        output[output.IndexOf("P-SIM:", StringComparison.Ordinal)..output.LastIndexOf("\nNext (", StringComparison.Ordinal)].Split('\n')
            .Select(line => System.Text.RegularExpressions.Regex.Replace(line, @"\s+[\d.]+$", "")));
}
