using Encore.Core;
using Encore.Ranking.Pages;
using Xunit;

namespace Encore.Ranking.Tests;

/// <summary>Every row and page rule on constructed members (see <see cref="HomepageFixture"/>).</summary>
public sealed class HomepageTests
{
    private static PageRow? Row(Homepage page, RowKind kind) => page.Rows.FirstOrDefault(r => r.Kind == kind);

    [Fact]
    public void A_member_mid_series_gets_the_next_episode_and_an_unfinished_one_resumes_where_it_stopped()
    {
        var f = new HomepageFixture();
        f.Apply(1, "series0", EventKind.PlayStart, f.Now.AddDays(-2), 0, "series0e1");
        f.Apply(1, "series0", EventKind.Completion, f.Now.AddDays(-2).AddSeconds(2_700), 2_700, "series0e1");
        f.Apply(2, "series1", EventKind.PlayStart, f.Now.AddDays(-1), 0, "series1e2");
        f.Apply(2, "series1", EventKind.Stop, f.Now.AddDays(-1).AddSeconds(1_200), 1_200, "series1e2");

        var next = Row(f.Page(1), RowKind.ContinueWatching)!.Titles.Single(t => t.TitleId == "series0");
        Assert.Equal("series0e2", next.EpisodeId);
        Assert.Equal("next: episode 2", next.Reason);
        var resume = Row(f.Page(2), RowKind.ContinueWatching)!.Titles.Single(t => t.TitleId == "series1");
        Assert.Equal("series1e2", resume.EpisodeId);
        Assert.Equal("resume episode 2 at 0:20:00", resume.Reason);
    }

    [Fact]
    public void A_title_abandoned_early_leaves_continue_watching_after_the_window_and_a_finished_series_never_enters()
    {
        var f = new HomepageFixture();
        f.Apply(3, "comedy11", EventKind.PlayStart, f.Now.AddDays(-20), 0);
        f.Apply(3, "comedy11", EventKind.Stop, f.Now.AddDays(-20).AddSeconds(300), 300); // 6%, then nothing for 20 days
        f.Apply(4, "comedy11", EventKind.PlayStart, f.Now.AddDays(-2), 0);
        f.Apply(4, "comedy11", EventKind.Stop, f.Now.AddDays(-2).AddSeconds(300), 300); // the same, but only 2 days ago
        for (int e = 1; e <= 4; e++)
        {
            f.Apply(5, "series2", EventKind.PlayStart, f.Now.AddDays(-3).AddHours(e), 0, $"series2e{e}");
            f.Apply(5, "series2", EventKind.Completion, f.Now.AddDays(-3).AddHours(e).AddSeconds(2_700), 2_700, $"series2e{e}");
        }

        Assert.DoesNotContain(f.Page(3).TitleIds, id => id == "comedy11");
        Assert.Contains(Row(f.Page(4), RowKind.ContinueWatching)!.Titles, t => t.TitleId == "comedy11");
        var page = f.Page(5);
        Assert.True(Row(page, RowKind.ContinueWatching) is null || Row(page, RowKind.ContinueWatching)!.Titles.All(t => t.TitleId != "series2"));
    }

    [Fact]
    public void A_fresh_member_gets_a_sensible_page_that_personalizes_after_a_few_events()
    {
        var f = new HomepageFixture();
        var cold = f.Page(99);
        Assert.Contains(cold.Rows, r => r.Kind == RowKind.TopPicks);
        Assert.Contains(cold.Rows, r => r.Kind == RowKind.Popular || r.Kind == RowKind.Genre);
        Assert.Equal(cold.Rows.Count, cold.Rows.Select(r => r.Key).Distinct().Count());
        Assert.DoesNotContain(cold.Rows, r => r.Kind is RowKind.ContinueWatching or RowKind.BecauseYouWatched or RowKind.WatchAgain);

        // Three crime films later, crime leads the member's Top Picks.
        for (int k = 0; k < 3; k++) f.WatchFilm(99, $"crime{k}", f.Now.AddHours(-10 + k * 3));
        var warm = f.Page(99);
        var picks = Row(warm, RowKind.TopPicks)!.Titles.Take(3).ToList();
        Assert.All(picks, t => Assert.StartsWith("crime", t.TitleId));
        Assert.Contains(warm.Rows, r => r.Kind == RowKind.BecauseYouWatched);
    }

    [Fact]
    public void Two_members_with_different_tastes_get_different_orders_within_the_same_genre_row()
    {
        var f = new HomepageFixture();
        // Member 6 watches comedies, member 25 crime: both pages have a comedy row, each in its member's own order.
        var a = f.Page(6).Rows.FirstOrDefault(r => r.Key == "genre:Comedy");
        var b = f.Page(25).Rows.FirstOrDefault(r => r.Key == "genre:Comedy");
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.NotEqual(a.Titles.Select(t => t.TitleId), b.Titles.Select(t => t.TitleId));
    }

    [Fact]
    public void No_title_appears_twice_above_the_fold_and_a_phone_page_is_shorter_than_a_tv_page()
    {
        var f = new HomepageFixture();
        var options = PageOptions.Default;
        foreach (var member in new[] { 0, 7, 21, 33 })
        {
            var tv = f.Page(member, DeviceKind.Tv);
            var aboveFold = tv.Rows.Take(options.AboveFoldRows).SelectMany(r => r.Titles.Take(options.AboveFoldTitles).Select(t => t.TitleId)).ToList();
            Assert.Equal(aboveFold.Count, aboveFold.Distinct().Count());
            var phone = f.Page(member, DeviceKind.Phone);
            Assert.True(phone.Rows.Count <= tv.Rows.Count, $"phone {phone.Rows.Count} rows, tv {tv.Rows.Count}");
            Assert.True(phone.Rows.Sum(r => r.Titles.Count) < tv.Rows.Sum(r => r.Titles.Count));
            Assert.All(phone.Rows, r => Assert.True(r.Titles.Count <= options.LayoutFor(DeviceKind.Phone).TitlesPerRow));
        }
    }

    [Fact]
    public void A_maturity_limited_profile_never_sees_a_title_above_its_limit_and_unavailable_titles_never_appear()
    {
        var f = new HomepageFixture();
        var levels = f.Titles.ToDictionary(t => t.Id, t => MaturityRatings.AgeOf(t.MaturityRating) ?? int.MaxValue);
        foreach (var member in new[] { 0, 12, 30, 99 })
        {
            var kids = f.Page(member, maturity: MaturityRatings.RequireAge("PG"));
            Assert.NotEmpty(kids.Rows);
            Assert.All(kids.TitleIds, id => Assert.True(levels[id] <= 10, $"{id} is rated above the limit"));
            Assert.DoesNotContain("comedy-later", f.Page(member).TitleIds);
        }
        // Once it is available, it can appear.
        var later = f.Page(0, at: f.Now.AddDays(25));
        Assert.Contains("comedy-later", later.TitleIds);
    }

    [Fact]
    public void A_new_title_nobody_played_reaches_the_members_who_like_its_genre_and_director()
    {
        var f = new HomepageFixture();
        var crimeFan = f.Page(30, explain: true);
        var newRow = Row(crimeFan, RowKind.New);
        Assert.NotNull(newRow);
        var entry = newRow.Titles.First();
        Assert.Equal("crime-new", entry.TitleId);
        Assert.True(entry.Scores!.ContainsKey("metadata"), "scored from its metadata: the model never saw it");
        var comedyFan = f.Page(3);
        var comedyRank = comedyFan.Rows.SelectMany(r => r.Titles).ToList().FindIndex(t => t.TitleId == "crime-new");
        var crimeRank = crimeFan.Rows.SelectMany(r => r.Titles).ToList().FindIndex(t => t.TitleId == "crime-new");
        Assert.True(comedyRank < 0 || comedyRank > crimeRank, $"crime fan {crimeRank}, comedy fan {comedyRank}");
    }

    [Fact]
    public void A_page_is_deterministic_and_explains_every_title()
    {
        var f = new HomepageFixture();
        var first = f.Page(8, explain: true);
        var second = f.Page(8, explain: true);
        Assert.Equal(first.Rows.Select(r => (r.Key, string.Join(",", r.Titles.Select(t => t.TitleId)))),
            second.Rows.Select(r => (r.Key, string.Join(",", r.Titles.Select(t => t.TitleId)))));
        Assert.All(first.Rows, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.Evidence));
            Assert.All(r.Titles, t => { Assert.False(string.IsNullOrWhiteSpace(t.Reason)); Assert.NotNull(t.Scores); });
        });
        var byw = Row(first, RowKind.BecauseYouWatched);
        Assert.NotNull(byw);
        Assert.StartsWith("Because you watched Comedy ", byw.Evidence);
        Assert.Contains(first.Rows, r => r.Kind == RowKind.Trending && r.Evidence == "Trending in the last 24 hours" || r.Kind != RowKind.Trending);
    }

    [Fact]
    public void One_event_changes_the_page_at_once_without_retraining()
    {
        var f = new HomepageFixture();
        using var service = new HomepageService(f.Catalogue, f.Signals, f.Model);
        var before = service.Build(new PageRequest { MemberId = "m9", AtUtc = f.Now });
        Assert.DoesNotContain(before.Rows, r => r.Kind == RowKind.ContinueWatching && r.Titles.Any(t => t.TitleId == "crime11"));

        service.Apply(new ViewingEvent
        {
            EventId = "live-1", Kind = EventKind.PlayStart, MemberId = "m9", TitleId = "crime11", Device = DeviceKind.Tv,
            TimestampUtc = f.Now.AddMinutes(-30), SessionId = "s", PositionSeconds = 0,
        });
        service.Apply(new ViewingEvent
        {
            EventId = "live-2", Kind = EventKind.Stop, MemberId = "m9", TitleId = "crime11", Device = DeviceKind.Tv,
            TimestampUtc = f.Now.AddMinutes(-10), SessionId = "s", PositionSeconds = 1_200,
        });
        var after = service.Build(new PageRequest { MemberId = "m9", AtUtc = f.Now });

        Assert.Equal("crime11", after.Rows.Single(r => r.Kind == RowKind.ContinueWatching).Titles[0].TitleId);
        Assert.DoesNotContain("crime11", after.Rows.Where(r => r.Kind != RowKind.ContinueWatching).SelectMany(r => r.Titles).Select(t => t.TitleId));
    }

    [Fact]
    public async Task A_model_swap_under_concurrent_page_requests_fails_no_request_and_each_page_uses_one_model()
    {
        var f = new HomepageFixture();
        var first = f.Model;
        var second = f.Train();
        using var service = new HomepageService(f.Catalogue, f.Signals, first);
        var models = new[] { first, second }.Select(m => m.Info.Model + " trained " + m.Info.TrainedAtUtc.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        using var stop = new CancellationTokenSource();
        int pages = 0;
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var page = service.Build(new PageRequest { MemberId = $"m{r * 7}", AtUtc = f.Now });
                Assert.Contains(page.Model, models);
                Assert.NotEmpty(page.Rows);
                Interlocked.Increment(ref pages);
            }
        })).ToArray();
        for (int i = 0; i < 40; i++)
        {
            service.Swap(i % 2 == 0 ? second : first);
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.True(pages > 10, $"{pages} pages built");
    }
}
