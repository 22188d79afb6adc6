using Encore.Core;
using Encore.Ranking.ContinueWatching;
using Xunit;
using static Encore.Ranking.Tests.Fixtures;

namespace Encore.Ranking.Tests;

/// <summary>The Continue Watching row on constructed members, with a resume model trained on a small simulated service.</summary>
public sealed class ContinueWatchingRowTests(ResumeModelFixture fixture) : IClassFixture<ResumeModelFixture>
{
    private ResumeModel Model => fixture.Model;

    /// <summary>The model without its probability threshold: only the early-abandonment rule takes titles out.</summary>
    private ResumeModel Unfiltered => fixture.Model.WithThreshold(0);

    [Fact]
    public void A_member_mid_series_gets_the_next_episode()
    {
        var signals = Fold(Episodes(E1, E3, 0));

        var row = ContinueWatchingRow.Build(signals, 0, Ms(3 * 51 + 60), Model, 10);

        var entry = Assert.Single(row);
        Assert.Equal(("stranger", E4, "st4", 0f, ContinueAction.NextEpisode), (entry.TitleId, entry.Episode, entry.EpisodeId, entry.PositionSeconds, entry.Action));
        Assert.Equal("Next: episode 4 of Stranger Things", entry.Reason);
        Assert.InRange(entry.Probability, Model.Threshold, 1f);
    }

    [Fact]
    public void An_unfinished_episode_resumes_at_its_position()
    {
        var signals = Fold([.. Episodes(E1, E2, 0),
            Row(EventKind.PlayStart, Stranger, 110, position: 0, episode: E3),
            Row(EventKind.Pause, Stranger, 115, position: 300, episode: E3, value: 40),
            Row(EventKind.Resume, Stranger, 116, position: 300, episode: E3),
            Row(EventKind.Stop, Stranger, 124, position: 760, episode: E3)]);

        var entry = Assert.Single(ContinueWatchingRow.Build(signals, "m0", Ms(180), Model, 10));

        Assert.Equal((E3, 760f, ContinueAction.Resume), (entry.Episode, entry.PositionSeconds, entry.Action));
        Assert.Equal("Resume episode 3 of Stranger Things at 12:40", entry.Reason);
    }

    [Fact]
    public void A_film_resumes_where_it_stopped_and_a_second_season_is_named()
    {
        var signals = Fold([
            Row(EventKind.PlayStart, Heat, 0, position: 0),
            Row(EventKind.Stop, Heat, 62, position: 3_735),
            Row(EventKind.PlayStart, Seasons, 100, position: 0, episode: S1E1),
            Row(EventKind.Completion, Seasons, 150, position: EpisodeRuntime, episode: S1E1)]);

        var row = ContinueWatchingRow.Build(signals, 0, Ms(200), Unfiltered, 10);

        Assert.Equal(["Next: season 2, episode 1 of Two Seasons", "Resume Heat at 1:02:15"], row.Select(e => e.Reason).Order(StringComparer.Ordinal));
        var heat = row.Single(e => e.TitleId == "heat");
        Assert.Equal((null, null, 3_735f), (heat.Episode, heat.EpisodeId, heat.PositionSeconds));
    }

    [Fact]
    public void A_finished_film_and_a_finished_series_leave_the_row()
    {
        var signals = Fold([
            Row(EventKind.PlayStart, Heat, 0, position: 0),
            Row(EventKind.Stop, Heat, 30, position: 1_800),
            Row(EventKind.PlayStart, Heat, 60 * 24, position: 1_800),
            Row(EventKind.Completion, Heat, 60 * 24 + 70, position: FilmRuntime),
            .. Episodes(E1, E4, 60 * 26)]);

        Assert.Empty(ContinueWatchingRow.Build(signals, 0, Days(2), Unfiltered, 10));
        // Before the film was finished, it was there at its position.
        var before = Fold([Row(EventKind.PlayStart, Heat, 0, position: 0), Row(EventKind.Stop, Heat, 30, position: 1_800)]);
        Assert.Equal(1_800f, Assert.Single(ContinueWatchingRow.Build(before, 0, Ms(60), Unfiltered, 10)).PositionSeconds);
    }

    [Fact]
    public void A_member_who_abandoned_a_title_early_sees_it_before_the_window_and_not_after()
    {
        // Cats stopped 5% in, never played again.
        var signals = Fold([Row(EventKind.PlayStart, Cats, 0, position: 0), Row(EventKind.Stop, Cats, 5, position: 300)]);

        Assert.Equal("cats", Assert.Single(ContinueWatchingRow.Build(signals, 0, Ms(60), Model, 10)).TitleId);
        Assert.Empty(ContinueWatchingRow.Build(signals, 0, Days(Model.AbandonDays + 1), Model, 10));
        // The early-abandonment rule takes it out whatever the probability.
        Assert.Empty(ContinueWatchingRow.Build(signals, 0, Days(Model.AbandonDays + 1), Unfiltered, 10));
        Assert.Single(ContinueWatchingRow.Build(signals, 0, Days(Model.AbandonDays - 1), Unfiltered, 10));
    }

    [Fact]
    public void The_learned_model_ranks_a_likely_resume_above_an_unlikely_one()
    {
        var signals = Fold([
            // Unlikely: a film stopped 3% in twelve days ago, shown four times since and passed over.
            Row(EventKind.PlayStart, Cats, 0, position: 0),
            Row(EventKind.Stop, Cats, 3, position: 180),
            .. Enumerable.Range(1, 4).Select(d => Row(EventKind.Impression, Cats, d * 24 * 60, value: 0.9f)),
            // Likely: two episodes of a series finished in a row and the third half watched, yesterday.
            .. Episodes(E1, E2, 11 * 24 * 60),
            Row(EventKind.PlayStart, Stranger, 11 * 24 * 60 + 110, position: 0, episode: E3),
            Row(EventKind.Stop, Stranger, 11 * 24 * 60 + 135, position: 1_500, episode: E3)]);
        long now = Days(12);

        var row = ContinueWatchingRow.Build(signals, 0, now, Unfiltered, 10);

        Assert.Equal(["stranger", "cats"], row.Select(e => e.TitleId));
        Assert.True(row[0].Probability > row[1].Probability + 0.1f, $"P(resume) {row[0].Probability} vs {row[1].Probability}");
        Assert.DoesNotContain(ContinueWatchingRow.Build(signals, 0, now, Model, 10), e => e.TitleId == "cats");
    }

    [Fact]
    public void The_row_is_cut_at_max_titles_and_an_unknown_member_has_none()
    {
        var signals = Fold([
            Row(EventKind.PlayStart, Heat, 0, position: 0), Row(EventKind.Stop, Heat, 60, position: 3_600),
            Row(EventKind.PlayStart, Stranger, 70, position: 0, episode: E1), Row(EventKind.Stop, Stranger, 90, position: 1_200, episode: E1)]);

        Assert.Single(ContinueWatchingRow.Build(signals, 0, Ms(120), Unfiltered, 1));
        Assert.Empty(ContinueWatchingRow.Build(signals, 0, Ms(120), Unfiltered, 0));
        Assert.Empty(ContinueWatchingRow.Build(signals, "nobody", Ms(120), Unfiltered, 10));
        Assert.Empty(ContinueWatchingRow.Build(signals, 1, Ms(120), Unfiltered, 10));
    }
}
