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
        var first = await Encore(["demo", "--db", db, .. SmallService]);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Matches(@"Simulated 300 members x 150 titles x 28 days \(seed \d+\) into .*demo\.db: [\d,]+ events", first.Output);
        foreach (var model in new[] { "popularity", "itemknn", "ease", "ials", "sequential" })
            Assert.Matches($@"(?m)^\s+{model}\s+0\.\d+\s+0\.\d+", first.Output);
        Assert.Contains("Top Picks:", first.Output);
        Assert.Matches(@"(?m)^\s+10\. [ *] \S", first.Output);
        Assert.Contains("Because you watched ", first.Output);

        var second = await Encore(["demo", "--db", db, .. SmallService]);
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

        var run = await Encore(["demo", "--db", db, .. SmallService]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("already holds 1 events", run.Error);
    }

    /// <summary>Everything from the P-SIM table on, less the fit times (the only part that varies between runs).</summary>
    private static string TableOf(string output) => string.Join('\n',
        output[output.IndexOf("P-SIM:", StringComparison.Ordinal)..].Split('\n')
            .Select(line => System.Text.RegularExpressions.Regex.Replace(line, @"\s+[\d.]+$", "")));
}
