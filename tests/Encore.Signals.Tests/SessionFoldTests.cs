using Encore.Core;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;
using static Encore.Signals.Tests.Fixtures;

namespace Encore.Signals.Tests;

/// <summary>Sessions and per-title features on constructed event sequences, edge cases included.</summary>
public sealed class SessionFoldTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Events_stored_out_of_order_are_folded_in_time_order_into_the_same_sessions()
    {
        var ct = TestContext.Current.CancellationToken;
        // A film on the TV over two sessions, and an episode on the phone during the first; a second member alongside.
        ViewingEvent E(string id, EventKind kind, string title, double minutes, double? position = null, DeviceKind device = DeviceKind.Tv,
            string member = "m0", string? episode = null, double? pause = null) => new()
            {
                EventId = id, Kind = kind, MemberId = member, TitleId = title, EpisodeId = episode, Device = device,
                TimestampUtc = T0.AddMinutes(minutes), PositionSeconds = position, PauseSeconds = pause, SessionId = "s",
            };
        ViewingEvent[] inOrder =
        [
            E("a1", EventKind.PlayStart, "film", 0, 0),
            E("b1", EventKind.PlayStart, "series", 2, 0, DeviceKind.Phone, episode: "s1e1"),
            E("a2", EventKind.Pause, "film", 10, 600, pause: 120),
            E("a3", EventKind.Resume, "film", 12, 600),
            E("b2", EventKind.Completion, "series", 27, 1_500, DeviceKind.Phone, episode: "s1e1"),
            E("c1", EventKind.PlayStart, "drama", 30, 0, member: "m1", episode: "d1e1"),
            E("a4", EventKind.Stop, "film", 40, 2_280),
            E("a5", EventKind.PlayStart, "film", 300, 2_280),
            E("a6", EventKind.Completion, "film", 362, 6_000),
        ];
        var shuffled = new[] { inOrder[8], inOrder[3], inOrder[0], inOrder[6], inOrder[5], inOrder[1], inOrder[7], inOrder[4], inOrder[2] };

        await using var store = await SqliteEventStore.OpenAsync(_folder.File("late.db"), ct);
        await store.UpsertTitlesAsync(Titles(), ct);
        foreach (var batch in shuffled.Chunk(2)) await store.AppendAsync(batch, ct);
        var read = await SignalSet.LoadAsync(store, ct: ct);

        // The same events folded one by one in time order, over the same catalogue and members.
        var live = new SignalSet(read.Catalogue, new IdMap(Enumerable.Range(0, read.MemberIds.Count).Select(m => read.MemberIds[m])));
        foreach (var e in inOrder) live.Apply(e);

        int m0 = read.MemberIds.IndexOf("m0"), film = read.Catalogue.TitleIds.IndexOf("film"), series = read.Catalogue.TitleIds.IndexOf("series");
        Assert.Equal(live.AllPairs().Select(p => (p.Member, p.Title, p.Signals)).OrderBy(p => (p.Member, p.Title)),
            read.AllPairs().Select(p => (p.Member, p.Title, p.Signals)).OrderBy(p => (p.Member, p.Title)));
        // Two sessions on the TV (the 260-minute gap) and one on the phone; the film's pause and 100 minutes of watching.
        Assert.Equal(3, read.SessionsOf(m0));
        var f = read.Get(m0, film);
        Assert.Equal((2, 1, 120f), (f.Sessions, f.Pauses, f.PauseSeconds));
        Assert.Equal(6_000f, f.WatchedSeconds);
        Assert.True(f.Completed);
        Assert.Equal((1, true), (read.Get(m0, series).Sessions, read.Get(m0, series).Completed));
    }

    [Fact]
    public void A_late_event_is_counted_but_neither_opens_a_session_nor_moves_where_the_member_is()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Film, 0, position: 0),
            Row(EventKind.Stop, Film, 20, position: 1_200),
            Row(EventKind.PlayStart, Film, 120, position: 1_200),
            Row(EventKind.Stop, Film, 140, position: 2_400),
            // Sent late by the player: a pause from the first session, after everything else.
            Row(EventKind.Pause, Film, 10, position: 600, value: 30),
        ]);

        var s = set.Get(0, Film);
        Assert.Equal((1, 30f), (s.Pauses, s.PauseSeconds));
        Assert.Equal(2, set.SessionsOf(0));
        Assert.Equal(2, s.Sessions);
        // Where the member is, and how far they got, stay those of the latest events.
        Assert.Equal((Ms(140), Ms(140), Ms(0)), (s.LastPlayMs, s.LastMs, s.FirstMs));
        Assert.Equal(2_400f, s.LastPosition);
        Assert.Equal(0.4f, s.FurthestShare, 3);
        Assert.Equal(2_400f, s.WatchedSeconds);
        Assert.Equal(Ms(140), set.LastEventMs);
    }

    [Fact]
    public void A_film_watched_halfway_with_a_pause_gives_its_share_furthest_point_and_pause()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Film, 0, position: 0),
            Row(EventKind.Pause, Film, 17, position: 1_000, value: 60),
            Row(EventKind.Resume, Film, 18, position: 1_000),
            Row(EventKind.Stop, Film, 51, position: 3_000),
        ]);

        var s = set.Get(0, Film);
        Assert.Equal(1, s.Starts);
        Assert.Equal(3_000f, s.WatchedSeconds);
        Assert.Equal(0.5f, s.WatchShare, 3);
        Assert.Equal(0.5f, s.FurthestShare, 3);
        Assert.Equal((1, 60f, 60f), (s.Pauses, s.PauseSeconds, s.LongestPauseSeconds));
        Assert.False(s.Completed);
        Assert.Equal(1, s.Sessions);
        Assert.Equal(1, set.SessionsOf(0));
        Assert.Equal(1 << (int)DeviceKind.Tv, s.Devices);
        Assert.Equal(1 << Dayparts.Of(20), s.DayParts);
    }

    [Fact]
    public void Overlapping_devices_keep_their_own_sessions_and_playbacks()
    {
        // A film on the TV while a series episode plays on the phone, their events interleaved.
        var set = Fold([
            Row(EventKind.PlayStart, Film, 0, position: 0),
            Row(EventKind.PlayStart, Series, 1, position: 0, episode: S1E1, device: DeviceKind.Phone),
            Row(EventKind.Pause, Film, 10, position: 600, value: 30),
            Row(EventKind.Completion, Series, 26, position: 1_500, episode: S1E1, device: DeviceKind.Phone),
            Row(EventKind.Resume, Film, 11, position: 600),
            Row(EventKind.Stop, Film, 40, position: 2_340),
        ]);

        Assert.Equal(2, set.SessionsOf(0));
        var film = set.Get(0, Film);
        Assert.Equal(2_340f, film.WatchedSeconds);
        Assert.False(film.Completed);
        var series = set.Get(0, Series);
        Assert.Equal(1_500f, series.WatchedSeconds);
        Assert.True(series.Completed);
        Assert.Equal(1 << (int)DeviceKind.Phone, series.Devices);
    }

    [Fact]
    public void A_pause_across_midnight_stays_in_one_session()
    {
        // 23:50 pause of 20 minutes, resumed at 00:10 the next day.
        double pauseAt = 230, resumeAt = 250;
        var set = Fold([
            Row(EventKind.PlayStart, Film, 200, position: 0),
            Row(EventKind.Pause, Film, pauseAt, position: 1_800, value: 1_200),
            Row(EventKind.Resume, Film, resumeAt, position: 1_800),
            Row(EventKind.Completion, Film, resumeAt + 70, position: 6_000),
        ]);

        var s = set.Get(0, Film);
        Assert.Equal(1, set.SessionsOf(0));
        Assert.Equal(1, s.Sessions);
        Assert.Equal(1_200f, s.PauseSeconds);
        Assert.Equal(6_000f, s.WatchedSeconds);
        Assert.True(s.Completed);
    }

    [Fact]
    public void Silence_longer_than_the_gap_starts_a_new_session()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Film, 0, position: 0),
            Row(EventKind.Stop, Film, 20, position: 1_200),
            Row(EventKind.PlayStart, Film, 60, position: 1_200),
            Row(EventKind.Stop, Film, 80, position: 2_400),
        ]);

        Assert.Equal(2, set.SessionsOf(0));
        Assert.Equal(2, set.Get(0, Film).Sessions);
        Assert.Equal(2_400f, set.Get(0, Film).WatchedSeconds);
    }

    [Fact]
    public void A_series_with_a_skipped_episode_counts_episodes_and_binges_only_for_the_next_one()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Series, 0, position: 0, episode: S1E1),
            Row(EventKind.Completion, Series, 25, position: 1_500, episode: S1E1),
            // Episode 2 skipped: episode 3 right after is not a binge continuation.
            Row(EventKind.PlayStart, Series, 26, position: 0, episode: S1E3),
            Row(EventKind.Completion, Series, 51, position: 1_500, episode: S1E3),
            // Back to episode 2 the next day, then 3 again right after it: that one follows.
            Row(EventKind.PlayStart, Series, 1_440, position: 0, episode: S1E2),
            Row(EventKind.Stop, Series, 1_450, position: 600, episode: S1E2),
        ]);

        var s = set.Get(0, Series);
        Assert.Equal((3, 2), (s.EpisodesStarted, s.EpisodesCompleted));
        // Where the member is: episode 2, stopped 600 s in, not finished.
        Assert.Equal((S1E2, false, 600f), (s.LastEpisode, s.LastEpisodeCompleted, s.LastPosition));
        Assert.Equal(0, s.NextEpisodeFollowed);
        Assert.Equal((1f + 1f + 0.4f) / 3f, s.WatchShare, 3);
        Assert.Equal(2, set.SessionsOf(0));
    }

    [Fact]
    public void Skipped_credits_naming_the_next_episode_then_its_start_is_a_binge()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Series, 0, position: 0, episode: S1E1),
            Row(EventKind.SkipCredits, Series, 24, position: 0, episode: S1E2),
            Row(EventKind.PlayStart, Series, 24.1, position: 0, episode: S1E2),
            Row(EventKind.Completion, Series, 49, position: 1_500, episode: S1E2),
            Row(EventKind.PlayStart, Series, 50, position: 0, episode: S1E3),
        ]);

        var s = set.Get(0, Series);
        Assert.Equal(1, s.SkippedCredits);
        Assert.Equal(2, s.NextEpisodeFollowed);
        Assert.Equal(3, s.EpisodesStarted);
        Assert.Equal((S1E3, false), (s.LastEpisode, s.LastEpisodeCompleted));
        var before = Fold([Row(EventKind.PlayStart, Series, 0, position: 0, episode: S1E1), Row(EventKind.Completion, Series, 25, position: 1_500, episode: S1E1)]).Get(0, Series);
        Assert.Equal((S1E1, true, (byte)DeviceKind.Tv, (byte)20), (before.LastEpisode, before.LastEpisodeCompleted, before.LastDevice, before.LastHour));
    }

    [Fact]
    public void Seeking_past_the_end_is_clamped_to_the_runtime()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Film, 0, position: 0),
            Row(EventKind.Seek, Film, 83, position: 99_999, value: 5_000),
            Row(EventKind.Stop, Film, 84, position: 99_999),
        ]);

        var s = set.Get(0, Film);
        Assert.Equal(1f, s.FurthestShare);
        Assert.Equal(1, s.ForwardSeeks);
        Assert.Equal(1_000f, s.SkippedSeconds);
        Assert.Equal(5_000f, s.WatchedSeconds);
        Assert.True(s.Completed, "a stop at the end counts as watched to the end");
    }

    [Fact]
    public void A_replayed_scene_is_one_scene_replay_and_its_seconds_count_again()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Film, 0, position: 0),
            // Back 200 s to a scene already seen; the player reports the seek and the replay.
            Row(EventKind.Seek, Film, 50, position: 2_800, value: 3_000),
            Row(EventKind.Replay, Film, 50.01, position: 2_800),
            Row(EventKind.Stop, Film, 70, position: 4_000),
        ]);

        var s = set.Get(0, Film);
        Assert.Equal(1, s.SceneReplays);
        Assert.Equal(0, s.TitleReplays);
        Assert.Equal(1, s.Starts);
        Assert.Equal(3_000f + 1_200f, s.WatchedSeconds);
        Assert.Equal(4_000f / 6_000f, s.FurthestShare, 3);
    }

    [Fact]
    public void A_backward_seek_into_unseen_parts_is_not_a_scene_replay()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Film, 0, position: 3_000),
            Row(EventKind.Seek, Film, 1, position: 1_000, value: 3_060),
            Row(EventKind.Stop, Film, 10, position: 1_500),
        ]);

        Assert.Equal(0, set.Get(0, Film).SceneReplays);
    }

    [Fact]
    public void Watching_a_finished_film_again_is_a_title_replay()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Film, 0, position: 0),
            Row(EventKind.Completion, Film, 100, position: 6_000),
            Row(EventKind.Replay, Film, 3_000, position: 0),
            Row(EventKind.Stop, Film, 3_010, position: 600),
            Row(EventKind.PlayStart, Film, 6_000, position: 0),
        ]);

        var s = set.Get(0, Film);
        Assert.Equal(3, s.Starts);
        Assert.Equal(2, s.TitleReplays);
        Assert.Equal(1, s.EpisodesStarted);
        Assert.Equal(1f, s.WatchShare);
        Assert.Equal(6_600f, s.WatchedSeconds);
    }

    [Fact]
    public void Searches_mark_the_title_they_led_to_and_keep_the_ones_that_led_nowhere()
    {
        var set = Fold([
            Row(EventKind.Search, Film, 0, query: "heet"),
            Row(EventKind.PlayStart, Film, 0.2, position: 0),
            Row(EventKind.Search, -1, 30, query: "the wire"),
            Row(EventKind.Search, -1, 31, query: "wire", member: 1),
        ]);

        Assert.Equal(1, set.Get(0, Film).SearchLed);
        Assert.Equal([("heet", Film), ("the wire", -1)], set.RecentSearchesOf(0).Select(s => (s.Query, s.Title)));
        Assert.Equal([(0, "the wire"), (1, "wire")], set.UnmatchedSearches.Select(u => (u.Member, u.Query)));
    }

    /// <summary>Names the film for "heat" and the series for "short stories", anything else nothing.</summary>
    private sealed class NameResolver : IQueryResolver
    {
        public int Resolve(string query, long unixMilliseconds) => query switch { "heat" => Film, "short stories" => Series, _ => -1 };
    }

    [Fact]
    public void A_search_that_names_a_title_it_did_not_play_is_search_intent_for_that_title()
    {
        var set = new SignalSet(Catalogue(), new IdMap(["m0", "m1"]), resolver: new NameResolver());
        foreach (var row in new[]
        {
            Row(EventKind.Search, -1, 0, query: "heat"),                 // found nothing: looked for the film
            Row(EventKind.Search, Drama, 5, query: "short stories"),     // played another title than the one named
            Row(EventKind.Search, Series, 9, query: "short stories"),    // played what it named: an ordinary search
            Row(EventKind.Search, -1, 12, query: "the wire"),            // names nothing
            Row(EventKind.Search, -1, 20, query: "heat", member: 1),
        }) set.Apply(row);

        var film = set.Get(0, Film);
        Assert.Equal((1, 0, false), (film.SearchIntent, film.SearchLed, film.Played));
        Assert.Equal((Ms(0), Ms(0)), (film.FirstMs, film.LastMs));
        Assert.Equal((1, 1), (set.Get(0, Series).SearchIntent, set.Get(0, Series).SearchLed));
        Assert.Equal((0, 1), (set.Get(0, Drama).SearchIntent, set.Get(0, Drama).SearchLed));
        Assert.Equal(1, set.Get(1, Film).SearchIntent);
        Assert.Equal([("heat", -1, Film), ("short stories", Drama, Series), ("short stories", Series, -1), ("the wire", -1, -1)],
            set.RecentSearchesOf(0).Select(q => (q.Query, q.Title, q.Named)));
        // The searches that played nothing are still kept for the search-demand analytics.
        Assert.Equal([(0, "heat"), (0, "the wire"), (1, "heat")], set.UnmatchedSearches.Select(u => (u.Member, u.Query)));
        // Without a resolver, searches count only for what they played.
        Assert.Equal(0, Fold([Row(EventKind.Search, -1, 0, query: "heat")]).Get(0, Film).SearchIntent);
    }

    [Fact]
    public void Impressions_and_ratings_alone_are_signals_but_not_plays()
    {
        var set = Fold([
            Row(EventKind.Impression, Drama, 0, value: 0.25f),
            Row(EventKind.Impression, Drama, 10, value: 0.25f),
            Row(EventKind.Rating, Film, 20, value: 4.5f),
        ]);

        var drama = set.Get(0, Drama);
        Assert.Equal(2, drama.Impressions);
        Assert.False(drama.Played);
        var film = set.Get(0, Film);
        Assert.Equal(4.5f, film.Rating);
        Assert.False(film.Played);
        Assert.Equal([Drama, Film], set.TitlesOf(0));
    }

    [Fact]
    public void An_event_for_an_unknown_episode_or_a_title_outside_the_catalogue_is_ignored_safely()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Film, 0, position: 0, episode: S1E2),
            Row(EventKind.Stop, Film, 10, position: 600, episode: S1E2),
            Row(EventKind.PlayStart, 99, 20, position: 0),
        ]);

        // An episode of another title is read as the film itself.
        Assert.Equal(600f, set.Get(0, Film).WatchedSeconds);
        Assert.Equal([Film], set.TitlesOf(0));
    }
}
