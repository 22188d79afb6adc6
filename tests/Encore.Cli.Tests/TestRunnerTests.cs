using System.Diagnostics;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>
/// The counting behind ./test.sh's last line (tests/trx-summary.sh), on TRX files written the way the VSTest
/// logger writes them: its &lt;Counters&gt; element says notExecuted="0" even when tests were skipped.
/// </summary>
public sealed class TestRunnerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Skipped_tests_are_counted_from_the_results_and_printed_with_their_reasons()
    {
        using var folder = new TempFolder();
        await File.WriteAllTextAsync(folder.File("a.trx"), Trx(
            """<Counters total="5" executed="3" passed="2" failed="1" error="0" timeout="0" aborted="0" notExecuted="0" />""",
            Result("Suite.Passes", "Passed"),
            Result("Suite.AlsoPasses(x: &quot;1&quot;)", "Passed"),
            Result("Suite.Fails", "Failed", "<Output><ErrorInfo><Message>Assert.Equal() Failure</Message></ErrorInfo></Output>"),
            Result("Suite.NeedsData", "NotExecuted", "<Output>\n<ErrorInfo>\n<Message>MovieLens 100K not found: expected ../shared/data</Message>\n</ErrorInfo>\n</Output>"),
            Result("Suite.Quiet", "NotExecuted")), Ct);
        await File.WriteAllTextAsync(folder.File("b.trx"), Trx(
            """<Counters total="1" executed="1" passed="1" failed="0" notExecuted="0" />""",
            Result("Other.Passes", "Passed")), Ct);

        var (exit, lines) = await SummarizeAsync(folder.Path);

        Assert.Equal(1, exit);
        Assert.Equal("3 passed, 1 failed, 2 skipped", lines[^1]);
        Assert.Contains("skipped Suite.NeedsData: MovieLens 100K not found: expected ../shared/data", lines);
        Assert.Contains("skipped Suite.Quiet: (no reason given)", lines);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public async Task A_run_with_no_results_is_a_failure()
    {
        using var folder = new TempFolder();

        var (exit, lines) = await SummarizeAsync(folder.Path);

        Assert.Equal(1, exit);
        Assert.Equal("0 passed, 1 failed, 0 skipped", lines[^1]);
    }

    private static string Result(string name, string outcome, string? body = null)
        => body is null
            ? $"""<UnitTestResult executionId="x" testName="{name}" duration="00:00:00.001" outcome="{outcome}" />"""
            : $"<UnitTestResult executionId=\"x\" testName=\"{name}\" duration=\"00:00:00.001\" outcome=\"{outcome}\">\n{body}\n</UnitTestResult>";

    private static string Trx(string counters, params string[] results)
        => "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<TestRun id=\"r\" xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\">\n  <Results>\n"
            + string.Join("\n", results) + "\n  </Results>\n  <ResultSummary outcome=\"Completed\">\n    " + counters + "\n  </ResultSummary>\n</TestRun>\n";

    private static async Task<(int Exit, string[] Lines)> SummarizeAsync(string folder)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "tests", "trx-summary.sh"));
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "tests", "trx-summary.sh"))) return dir.FullName;
        throw new DirectoryNotFoundException("no tests/trx-summary.sh above " + AppContext.BaseDirectory);
    }
}
