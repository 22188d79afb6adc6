using Encore.Core;
using Encore.Ranking.Pages;
using Xunit;

namespace Encore.Ranking.Tests;

/// <summary>Trending, popular titles mixed into personal rows, Watch Again and Because You Watched, on <see cref="HomepageFixture"/>'s members.</summary>
public sealed class HomepageRowTests
{
    private static PageRow? Row(Homepage page, RowKind kind) => page.Rows.FirstOrDefault(r => r.Kind == kind);

    /// <summary>
    /// Four titles whose plays jumped in the last hour (five new members each), and one played once a day for four weeks:
    /// popular at a steady pace, not rising.
    /// </summary>
    private static HomepageFixture WithTrends()
    {
        var f = new HomepageFixture();
        int viewer = 50;
        foreach (var title in new[] { "comedy8", "comedy9", "crime8", "crime9" })
            for (int i = 0; i < 5; i++) f.Apply(viewer++, title, EventKind.PlayStart, f.Now.AddMinutes(-50 + 8 * i));
        for (int d = 0; d < 28; d++) f.Apply(viewer++, "comedy7", EventKind.PlayStart, f.Now.AddDays(-d).AddHours(-3));
        return f;
    }

    [Fact]
    public void Trending_holds_the_titles_rising_now_not_the_steadily_popular_and_says_which_window()
    {
        var f = WithTrends();
        var page = f.Page(1);
        var trending = Row(page, RowKind.Trending);
        Assert.NotNull(trending);
        Assert.Equal(["comedy8", "comedy9", "crime8", "crime9"], trending.Titles.Select(t => t.TitleId).Order());
        Assert.Equal("Rising in the last hour", trending.Evidence);
        Assert.All(trending.Titles, t => Assert.Equal("rising in the last hour", t.Reason));
        // Played every day at the same pace: popular, not trending.
        Assert.DoesNotContain(trending.Titles, t => t.TitleId == "comedy7");

        // A rise over the day (the same plays, 20 hours ago) is trending over the day, not the hour.
        var later = f.Page(1, at: f.Now.AddHours(20));
        var dayRow = Row(later, RowKind.Trending);
        Assert.NotNull(dayRow);
        Assert.Equal("Trending in the last 24 hours", dayRow.Evidence);
        Assert.All(dayRow.Titles, t => Assert.Equal("rising over the last day", t.Reason));
        // A week later nothing is rising any more.
        Assert.Null(Row(f.Page(1, at: f.Now.AddDays(8)), RowKind.Trending));
    }

    [Fact]
    public void Two_members_see_the_same_trending_titles_in_their_own_order()
    {
        var f = WithTrends();
        var comedyFan = Row(f.Page(1), RowKind.Trending)!.Titles.Select(t => t.TitleId).ToList();
        var crimeFan = Row(f.Page(21), RowKind.Trending)!.Titles.Select(t => t.TitleId).ToList();
        Assert.Equal(comedyFan.Order(), crimeFan.Order());
        Assert.StartsWith("comedy", comedyFan[0]);
        Assert.StartsWith("crime", crimeFan[0]);
    }

    [Theory]
    [InlineData(0.2f, 5)]
    [InlineData(0.5f, 2)]
    public void Popular_titles_take_every_nth_slot_of_top_picks_and_genre_rows(float share, int every)
    {
        var f = new HomepageFixture();
        // No de-duplication above the fold, which would move titles out of their slots.
        var options = PageOptions.Default with { PopularShare = share, AboveFoldRows = 0 };
        var page = f.Builder(options).Build(f.Signals, new PageRequest { MemberId = "m1", AtUtc = f.Now });
        foreach (var row in page.Rows.Where(r => r.Kind is RowKind.TopPicks or RowKind.Genre))
        {
            Assert.True(row.Titles.Count >= every, $"{row.Key} holds {row.Titles.Count} titles");
            for (int slot = 0; slot < row.Titles.Count; slot++)
            {
                bool popular = row.Titles[slot].Reason == "popular on the service";
                // The first two popular slots always find a popular title the row does not hold yet; no other slot holds one.
                if ((slot + 1) % every != 0) Assert.False(popular, $"{row.Key} slot {slot} is not a popular slot");
                else if (slot < 2 * every) Assert.True(popular, $"{row.Key} slot {slot}: {row.Titles[slot].Reason}");
            }
        }
        // The same state gives the same placement.
        Assert.Equal(Row(page, RowKind.TopPicks)!.Titles, Row(f.Builder(options).Build(f.Signals, new PageRequest { MemberId = "m1", AtUtc = f.Now }), RowKind.TopPicks)!.Titles);

        var none = f.Builder(PageOptions.Default with { PopularShare = 0 }).Build(f.Signals, new PageRequest { MemberId = "m1", AtUtc = f.Now });
        Assert.DoesNotContain(none.Rows.SelectMany(r => r.Titles), t => t.Reason == "popular on the service");
    }

    [Fact]
    public void Watch_again_holds_finished_titles_the_member_replayed_or_loved_and_nothing_else()
    {
        var f = new HomepageFixture();
        // Member 2 finished comedy2..comedy6: replays comedy2 whole and comedy5, a scene of comedy3, and rates comedy4 five stars.
        f.Apply(2, "comedy2", EventKind.Replay, f.Now.AddDays(-2), 0);
        f.Apply(2, "comedy2", EventKind.Completion, f.Now.AddDays(-2).AddSeconds(5_400), 5_400);
        f.Apply(2, "comedy3", EventKind.PlayStart, f.Now.AddDays(-1), 1_000); // a start mid-way is not a whole replay
        f.Apply(2, "comedy3", EventKind.Seek, f.Now.AddDays(-1).AddSeconds(1_800), 1_200, value: 1_800);
        f.Apply(2, "comedy3", EventKind.Completion, f.Now.AddDays(-1).AddSeconds(5_400), 5_400);
        f.Apply(2, "comedy4", EventKind.Rating, f.Now.AddDays(-1), value: 5);
        f.Apply(2, "comedy5", EventKind.Replay, f.Now.AddDays(-3), 0);
        f.Apply(2, "comedy5", EventKind.Stop, f.Now.AddDays(-3).AddSeconds(600), 600);
        var all = new PageRequest { MemberId = "m2", AtUtc = f.Now, Rows = 30 };
        var watchAgain = Row(f.Builder().Build(f.Signals, all), RowKind.WatchAgain);
        Assert.NotNull(watchAgain);
        Assert.Equal(["comedy2", "comedy3", "comedy4", "comedy5"], watchAgain.Titles.Select(t => t.TitleId).Order());
        var reasons = watchAgain.Titles.ToDictionary(t => t.TitleId, t => t.Reason);
        Assert.Equal("you watched it again", reasons["comedy2"]);
        Assert.Equal("you replayed scenes of it", reasons["comedy3"]);
        Assert.Equal("you rated it 5", reasons["comedy4"]);

        // Member 3 finished titles too, but never came back to one: no Watch Again.
        Assert.Null(Row(f.Builder().Build(f.Signals, all with { MemberId = "m3" }), RowKind.WatchAgain));
    }

    [Fact]
    public void Because_you_watched_gives_a_row_for_each_recent_liked_title_most_recent_first()
    {
        var f = new HomepageFixture();
        // Member 1 finished comedy1..comedy5, one a day; the three most recent anchor the rows.
        var page = f.Page(1);
        Assert.Equal(["byw:comedy5", "byw:comedy4", "byw:comedy3"], page.Rows.Where(r => r.Kind == RowKind.BecauseYouWatched).Select(r => r.Key));
        var one = f.Builder(PageOptions.Default with { MaxBecauseYouWatched = 1 }).Build(f.Signals, new PageRequest { MemberId = "m1", AtUtc = f.Now });
        Assert.Equal(["byw:comedy5"], one.Rows.Where(r => r.Kind == RowKind.BecauseYouWatched).Select(r => r.Key));
        // Titles watched more than the window ago anchor nothing.
        var stale = f.Builder(PageOptions.Default with { BecauseYouWatchedDays = 1 }).Build(f.Signals, new PageRequest { MemberId = "m1", AtUtc = f.Now });
        Assert.DoesNotContain(stale.Rows, r => r.Kind == RowKind.BecauseYouWatched);
    }

    [Fact]
    public void A_title_past_its_availability_window_or_removed_from_the_catalogue_never_appears()
    {
        var f = new HomepageFixture();
        // comedy8 left the service yesterday; comedy9 was removed (the store no longer reads it; its index stays).
        var titles = f.Titles.Where(t => t.Id != "comedy9").Select(t => t.Id == "comedy8" ? t with { AvailableUntilUtc = f.Now.AddDays(-1) } : t).ToList();
        var catalogue = RankingCatalogue.Build(f.Catalogue.Signals.TitleIds, f.Catalogue.Signals.EpisodeIds, titles);
        var builder = new HomepageBuilder(catalogue, f.Model);
        foreach (var member in new[] { 0, 1, 12, 99 })
        {
            var page = builder.Build(f.Signals, new PageRequest { MemberId = $"m{member}", AtUtc = f.Now, Rows = 30 });
            Assert.NotEmpty(page.Rows);
            Assert.DoesNotContain("comedy8", page.TitleIds);
            Assert.DoesNotContain("comedy9", page.TitleIds);
        }
        // Before its window closed, comedy8 could appear.
        Assert.Contains(Enumerable.Range(0, 20), m => builder.Build(f.Signals, new PageRequest { MemberId = $"m{m}", AtUtc = f.Now.AddDays(-2), Rows = 30 }).TitleIds.Contains("comedy8"));
    }

    [Fact]
    public void Because_you_watched_takes_its_titles_from_the_similar_titles_model_in_its_order()
    {
        var f = new HomepageFixture();
        var model = ModelTraining.Fit(f.Signals, Models.ModelCatalog.CreateTrainer("itemknn"),
            new TrainingRequest { Model = "itemknn", SimilarModel = "ease" }, "fixture", ct: TestContext.Current.CancellationToken);
        Assert.Equal("ease", model.Similar.Name);
        var page = new HomepageBuilder(f.Catalogue, model).Build(f.Signals, new PageRequest { MemberId = "m21", AtUtc = f.Now });
        var row = page.Rows.First(r => r.Kind == RowKind.BecauseYouWatched);
        var anchor = row.Key["byw:".Length..];
        var similar = new float[model.Similar.TitleIds.Count];
        model.Similar.SimilarTitles(model.Similar.TitleIds.IndexOf(anchor), similar);
        var scores = row.Titles.Select(t => t.Score).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.All(row.Titles, t => Assert.Equal(similar[model.Similar.TitleIds.IndexOf(t.TitleId)], t.Score));
    }

    [Fact]
    public void Where_genre_rows_stand_follows_the_members_device_and_hour()
    {
        var f = new HomepageFixture();
        // Member 60 watches comedies on the phone in the morning and crime on the television at night, as often.
        for (int d = 0; d < 6; d++)
        {
            var morning = HomepageFixture.Start.Date.AddDays(d).AddHours(8);
            var night = HomepageFixture.Start.Date.AddDays(d).AddHours(22);
            string comedy = $"comedy{d}", crime = $"crime{d}";
            f.Apply(60, comedy, EventKind.PlayStart, morning, 0, device: DeviceKind.Phone);
            f.Apply(60, comedy, EventKind.Completion, morning.AddSeconds(5_400), 5_400, device: DeviceKind.Phone);
            f.Apply(60, crime, EventKind.PlayStart, night, 0, device: DeviceKind.Tv);
            f.Apply(60, crime, EventKind.Completion, night.AddSeconds(6_600), 6_600, device: DeviceKind.Tv);
        }
        // Rows of six titles on both devices, so that the small catalogue leaves titles for the genre rows.
        Homepage PageAt(DeviceKind device, int hour)
            => f.Builder().Build(f.Signals, new PageRequest { MemberId = "m60", Device = device, AtUtc = f.Now.Date.AddHours(hour), TitlesPerRow = 6 });
        string Rows(Homepage page) => string.Join(", ", page.Rows.Select(r => $"{r.Kind} {r.Label} ({r.Titles.Count})"));
        var phone = PageAt(DeviceKind.Phone, 8);
        var tv = PageAt(DeviceKind.Tv, 22);
        // Among the rows both pages hold, the Comedy row stands higher on the phone in the morning than on the television at
        // night, where it falls below every row the two pages share. (Which genre row comes first also weighs how good its
        // remaining titles are, so Crime, watched later each day, may lead on both.)
        var shared = phone.Rows.Select(r => r.Key).Intersect(tv.Rows.Select(r => r.Key)).ToHashSet();
        int Place(Homepage page, string key) => page.Rows.Where(r => shared.Contains(r.Key)).Select(r => r.Key).ToList().IndexOf(key);
        Assert.True(shared.Contains("genre:Comedy") && shared.Contains("genre:Crime"), Rows(phone) + " | " + Rows(tv));
        Assert.True(Place(phone, "genre:Comedy") < Place(tv, "genre:Comedy"), "phone at 8:00: " + Rows(phone) + " | tv at 22:00: " + Rows(tv));
        Assert.Equal(shared.Count - 1, Place(tv, "genre:Comedy"));
        Assert.True(Place(tv, "genre:Crime") < Place(tv, "genre:Comedy"));
    }
}

/// <summary>Retraining from the store in the background while events and pages go on.</summary>
public sealed class HomepageRetrainTests : IDisposable
{
    private readonly Encore.TestSupport.TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Retraining_from_the_store_swaps_the_new_model_in_while_pages_and_events_go_on()
    {
        var ct = TestContext.Current.CancellationToken;
        var f = new HomepageFixture();
        await using var store = await Storage.SqliteEventStore.OpenAsync(_temp.File("retrain.db"), ct);
        await store.UpsertTitlesAsync(f.Titles, ct);
        var events = new List<ViewingEvent>();
        for (int m = 0; m < 40; m++)
        {
            string genre = m < 20 ? "comedy" : "crime";
            for (int k = 0; k < 5; k++)
            {
                var title = $"{genre}{(m + k) % 10}";
                var at = HomepageFixture.Start.AddDays(m % 7 + k);
                int runtime = f.Titles[f.Title(title)].RuntimeSeconds;
                events.Add(new ViewingEvent { EventId = $"e{m}-{k}-s", Kind = EventKind.PlayStart, MemberId = $"m{m}", TitleId = title, Device = DeviceKind.Tv, TimestampUtc = at, SessionId = $"s{m}-{k}", PositionSeconds = 0 });
                events.Add(new ViewingEvent { EventId = $"e{m}-{k}-c", Kind = EventKind.Completion, MemberId = $"m{m}", TitleId = title, Device = DeviceKind.Tv, TimestampUtc = at.AddSeconds(runtime), SessionId = $"s{m}-{k}", PositionSeconds = runtime });
            }
        }
        await store.AppendAsync(events, ct);

        var first = await ModelTraining.TrainAsync(store, new TrainingRequest { Model = "itemknn", SimilarModel = null }, ct: ct);
        using var service = await HomepageService.LoadAsync(store, first, ct: ct);
        using var stop = new CancellationTokenSource();
        int pages = 0, live = 0;
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Assert.NotEmpty(service.Build(new PageRequest { MemberId = $"m{r * 21}", AtUtc = f.Now }).Rows);
                Interlocked.Increment(ref pages);
            }
        }, ct)).ToArray();
        var writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                int n = Interlocked.Increment(ref live);
                service.Apply(new ViewingEvent { EventId = $"live{n}", Kind = EventKind.PlayStart, MemberId = $"new{n % 5}", TitleId = "crime3", Device = DeviceKind.Phone, TimestampUtc = f.Now.AddSeconds(-n), SessionId = $"live{n}", PositionSeconds = 0 });
            }
        }, ct);

        // The readers and the writer are under way before the retraining starts (on two busy cores a task may start late).
        for (int wait = 0; wait < 2_000 && (Volatile.Read(ref pages) < 2 || Volatile.Read(ref live) < 1); wait++) await Task.Delay(5, ct);
        int pagesBefore = Volatile.Read(ref pages);
        var retrained = await service.RetrainAsync(store, new TrainingRequest { Model = "ease", SimilarModel = null }, ct: ct);
        // And they go on after the swap: pages are built by the new model without a failure.
        for (int wait = 0; wait < 2_000 && Volatile.Read(ref pages) <= pagesBefore; wait++) await Task.Delay(5, ct);
        await Task.Delay(50, ct);
        stop.Cancel();
        await Task.WhenAll([.. readers, writer]);

        Assert.Same(retrained, service.Model);
        Assert.Equal("ease", retrained.Info.Model);
        Assert.Equal(400, retrained.Info.Events); // what the store held; the live events were folded, not stored
        Assert.True(pagesBefore > 0 && pages > pagesBefore && live > 0, $"{pagesBefore} pages before the retraining, {pages} in all, and {live} events");
        Assert.StartsWith("ease trained ", service.Build(new PageRequest { MemberId = "m3", AtUtc = f.Now }).Model);
    }

}

