using Encore.Core;
using Encore.Simulation;
using Xunit;

namespace Encore.Simulation.Tests;

/// <summary>The text of `encore simulate --report`: every figure says what it counts, and none is NaN.</summary>
public sealed class ReportTests(SharedRunFixture shared) : IClassFixture<SharedRunFixture>
{
    [Fact]
    public void Replay_and_play_figures_say_what_they_count_so_that_none_contradicts_the_table_by_kind()
    {
        var run = shared.Run;
        var events = run.Memory.Events;
        // Counted from the events themselves: a scene replay is a replay event right after a seek back to the scene.
        var byKey = events.ToDictionary(e => (e.Member, e.Session, e.Sequence), e => e.Kind);
        long replayEvents = events.Count(e => e.Kind == EventKind.Replay);
        long sceneReplays = events.Count(e => e.Kind == EventKind.Replay && byKey.GetValueOrDefault((e.Member, e.Session, e.Sequence - 1)) == EventKind.Seek);
        long titleReplays = run.Memory.Plays.Count(p => p.Replay);
        long playStarts = events.Count(e => e.Kind == EventKind.PlayStart);
        Assert.True(titleReplays > 0 && sceneReplays > titleReplays, $"{titleReplays} title replays, {sceneReplays} scene replays");
        Assert.Equal(replayEvents, titleReplays + sceneReplays);

        var text = run.Report.ToText();
        Assert.Contains($"  replay        {replayEvents,12:N0}", text);
        Assert.Contains($"Replays: {titleReplays:N0} plays of a title already finished", text);
        Assert.Contains($"{replayEvents:N0} replay events: those {titleReplays:N0} and {sceneReplays:N0} scene replays", text);
        Assert.Contains($"Plays: {run.Memory.Plays.Count:N0} (a member watching one title in one session, however many episodes;", text);
        Assert.Contains($"the {playStarts:N0} play_start events count each episode started", text);
        Assert.Contains($"of the {run.Report.SeriesPlays:N0} series plays", text);
        // No line gives a bare count of "replays" or "plays" that the table by kind could be read against.
        Assert.DoesNotMatch(@"(?m)^Replays: [\d,]+,", text);
        Assert.DoesNotMatch(@"; plays [\d,]+;", text);
    }

    [Fact]
    public async Task A_figure_with_nothing_to_count_is_a_dash_with_the_reason_never_NaN()
    {
        var ct = TestContext.Current.CancellationToken;
        var run = await SimulationRun.RunAsync(new SimulationOptions { Members = 20, Titles = 20, Days = 2, Seed = 3 }, ct: ct);
        Assert.Contains(0L, run.Report.PlaysByUtility); // a band of true utility that nobody played
        var text = run.Report.ToText();
        Assert.DoesNotContain("NaN", text, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(@"(?m)^  \S.* - \(no plays\)$", text);
    }
}
