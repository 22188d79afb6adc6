using Encore.Core;
using Encore.Simulation;
using Xunit;

namespace Encore.Simulation.Tests;

/// <summary>The behaviours the issue asks the simulated members to show, checked on a fixed-seed run.</summary>
public sealed class BehaviourTests(SharedRunFixture fixture) : IClassFixture<SharedRunFixture>
{
    private SimulationRun Run => fixture.Run;

    [Fact]
    public void Members_complete_titles_they_truly_like_far_more_often_than_titles_they_dislike()
    {
        var liked = Run.Memory.Plays.Where(p => p.Utility > GroundTruth.LikeThreshold).ToList();
        var disliked = Run.Memory.Plays.Where(p => p.Utility < GroundTruth.DislikeThreshold + 0.25f).ToList();
        Assert.True(liked.Count > 200, $"only {liked.Count} plays of liked titles");
        Assert.True(disliked.Count > 30, $"only {disliked.Count} plays of disliked titles");
        double likedRate = liked.Count(p => p.Completed) / (double)liked.Count;
        double dislikedRate = disliked.Count(p => p.Completed) / (double)disliked.Count;
        Assert.True(likedRate > 2 * dislikedRate, $"completion: liked {likedRate:P1}, disliked {dislikedRate:P1}");
    }

    [Fact]
    public void Completion_rate_rises_with_true_utility()
    {
        var rates = Run.Report.CompletionByUtility;
        // Bands with enough plays must be ordered (0 <= u < 0.5 below 0.5 <= u < 1 below u >= 1.5).
        Assert.True(rates[2] < rates[3] && rates[3] < rates[5], string.Join(", ", rates));
    }

    [Fact]
    public void Replays_and_skipped_credits_concentrate_on_liked_titles()
    {
        var truth = Run.Service.Truth;
        var catalogue = Run.Service.Catalogue;
        var skips = Run.Memory.Events.Where(e => e.Kind == EventKind.SkipCredits).ToList();
        var replays = Run.Memory.Events.Where(e => e.Kind == EventKind.Replay).ToList();
        Assert.NotEmpty(skips);
        Assert.NotEmpty(replays);
        Assert.All(skips, e => Assert.True(catalogue.IsSeries(e.Title)));

        // Chance that a series play includes a skip of the credits, for liked and for other series.
        var seriesPlays = Run.Memory.Plays.Where(p => catalogue.IsSeries(p.Title)).ToList();
        var likedPlays = seriesPlays.Where(p => p.Utility > GroundTruth.LikeThreshold).ToList();
        var otherPlays = seriesPlays.Where(p => p.Utility <= 0.5f).ToList();
        double likedRate = likedPlays.Count(p => p.SkippedCredits) / (double)likedPlays.Count;
        double otherRate = otherPlays.Count(p => p.SkippedCredits) / (double)Math.Max(1, otherPlays.Count);
        Assert.True(likedRate > 2 * otherRate, $"skip-credits rate: liked {likedRate:P1}, utility <= 0.5 {otherRate:P1}");

        double lovedReplays = replays.Count(e => truth.Utility(e.Member, e.Title) > GroundTruth.LikeThreshold) / (double)replays.Count;
        double likedShareOfPlays = Run.Memory.Plays.Count(p => p.Utility > GroundTruth.LikeThreshold) / (double)Run.Memory.Plays.Count;
        Assert.True(lovedReplays > 0.9 && lovedReplays > likedShareOfPlays, $"replays of liked titles {lovedReplays:P1}; liked share of plays {likedShareOfPlays:P1}");
    }

    [Fact]
    public void Device_genre_habits_appear_in_the_events()
    {
        var members = Run.Service.Members;
        var catalogue = Run.Service.Catalogue;
        // Households with children pick children's titles on the tablet more than on the TV (titles started
        // for the first time: what the member chose on that screen, not what they resumed).
        var kidsPlays = Run.Memory.Plays.Where(p => members.KidsHousehold[p.Member] && p.FirstTime).ToList();
        double ChildrenShare(DeviceKind device)
        {
            var on = kidsPlays.Where(p => p.Device == device).ToList();
            return on.Count(p => Genres.IsChildren(catalogue.GenreMasks[p.Title])) / (double)Math.Max(1, on.Count);
        }
        Assert.True(ChildrenShare(DeviceKind.Tablet) > ChildrenShare(DeviceKind.Tv) + 0.05,
            $"children's titles: tablet {ChildrenShare(DeviceKind.Tablet):P1}, tv {ChildrenShare(DeviceKind.Tv):P1}");

        // Short episodes on the phone, films on the TV.
        double Share(DeviceKind device, Func<int, bool> kind)
        {
            var on = Run.Memory.Plays.Where(p => p.Device == device && p.FirstTime).ToList();
            return on.Count(p => kind(p.Title)) / (double)Math.Max(1, on.Count);
        }
        bool ShortSeries(int t) => catalogue.IsSeries(t) && catalogue.RuntimeSeconds[t] <= 31 * 60;
        bool Film(int t) => !catalogue.IsSeries(t);
        Assert.True(Share(DeviceKind.Phone, ShortSeries) > Share(DeviceKind.Tv, ShortSeries),
            $"short series: phone {Share(DeviceKind.Phone, ShortSeries):P1}, tv {Share(DeviceKind.Tv, ShortSeries):P1}");
        Assert.True(Share(DeviceKind.Tv, Film) > Share(DeviceKind.Phone, Film),
            $"films: tv {Share(DeviceKind.Tv, Film):P1}, phone {Share(DeviceKind.Phone, Film):P1}");
    }

    [Fact]
    public void Most_viewing_hours_are_on_tv_and_most_plays_start_from_recommendations()
    {
        var report = Run.Report;
        Assert.InRange(report.HoursShareByDevice[DeviceKind.Tv], 0.60, 0.80);
        Assert.InRange(report.ShareFromRecommendations, 0.70, 0.90);
        Assert.InRange(report.ShareFromSearch, 0.10, 0.30);
    }

    [Fact]
    public void Searches_for_titles_the_service_does_not_have_occur_and_find_nothing_by_that_name()
    {
        var catalogue = Run.Service.Catalogue;
        var searches = Run.Memory.Events.Where(e => e.Kind == EventKind.Search).ToList();
        Assert.NotEmpty(searches);
        Assert.Contains(Run.Memory.Sessions, s => s.SearchedAbsentTitle);
        // Queries typed for absent titles: the exact absent name (typed cleanly) is never a catalogue title.
        var names = new HashSet<string>(catalogue.Names, StringComparer.OrdinalIgnoreCase);
        Assert.Contains(searches, e => catalogue.AbsentNames.Any(a => string.Equals(a, e.Text, StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(catalogue.AbsentNames, a => names.Contains(a));
        // Typos occur: some queries match neither a title nor an absent name, nor a prefix of one.
        Assert.Contains(searches, e => !names.Contains(e.Text!) && !catalogue.AbsentNames.Contains(e.Text!, StringComparer.OrdinalIgnoreCase)
            && !catalogue.Names.Any(n => n.StartsWith(e.Text!, StringComparison.OrdinalIgnoreCase))
            && !catalogue.AbsentNames.Any(n => n.StartsWith(e.Text!, StringComparison.OrdinalIgnoreCase)));
        Assert.Contains(searches, e => e.Title < 0);
        Assert.Contains(searches, e => e.Title >= 0);
    }

    [Fact]
    public void Popularity_is_long_tailed()
    {
        var viewers = new int[Run.Service.Catalogue.Count];
        foreach (var p in Run.Memory.Plays) if (p.FirstTime) viewers[p.Title]++;
        Array.Sort(viewers);
        Array.Reverse(viewers);
        long total = viewers.Sum(v => (long)v);
        long top10 = viewers.Take(viewers.Length / 10).Sum(v => (long)v);
        long bottomHalf = viewers.Skip(viewers.Length / 2).Sum(v => (long)v);
        Assert.True(top10 > 0.4 * total, $"top 10% of titles have {top10} of {total} viewers");
        Assert.True(bottomHalf < 0.15 * total, $"bottom half of titles have {bottomHalf} of {total} viewers");
        // A tail, not a cliff: many titles have a few viewers.
        Assert.True(viewers.Count(v => v is > 0 and <= 5) > viewers.Length / 20, "too few titles with a handful of viewers");
    }

    [Fact]
    public void Impressions_carry_propensities_and_continue_watching_is_deterministic()
    {
        var impressions = Run.Memory.Events.Where(e => e.Kind == EventKind.Impression).ToList();
        Assert.NotEmpty(impressions);
        Assert.All(impressions, e => Assert.InRange(e.Value, float.Epsilon, 1f));
        Assert.All(impressions.Where(e => e.Text == "continue-watching"), e => Assert.Equal(1f, e.Value));
        // Exploration: some slots were drawn at random (small propensity), most greedily (close to 1).
        Assert.Contains(impressions, e => e.Value < 0.05f);
        Assert.Contains(impressions, e => e.Text == "popular" && e.Value > 0.85f);
    }

    [Fact]
    public void Members_pause_seek_stop_resume_later_and_rate_a_little()
    {
        var byKind = Run.Memory.Events.GroupBy(e => e.Kind).ToDictionary(g => g.Key, g => g.Count());
        foreach (var kind in EventKinds.All) Assert.True(byKind.GetValueOrDefault(kind) > 0, $"no {kind} events");
        Assert.Equal(byKind[EventKind.Pause], byKind[EventKind.Resume]);
        // Few rate: ratings are rare next to plays.
        Assert.True(byKind[EventKind.Rating] < 0.1 * Run.Memory.Plays.Count);
        // Resumed later: some plays pick up from Continue Watching.
        Assert.Contains(Run.Memory.Plays, p => p.Source == PlaySource.ContinueWatching);
        // Patience: no member looks at more titles in one go than their patience allows (with a second, shorter look after a play).
        Assert.All(Run.Memory.Sessions, s => Assert.True(s.TitlesLookedAt <= 20 + 10 * 3, $"{s.TitlesLookedAt} titles looked at"));
    }

    [Fact]
    public void Events_of_a_session_are_in_time_order_with_positions_inside_the_runtime()
    {
        var catalogue = Run.Service.Catalogue;
        foreach (var session in Run.Memory.Events.GroupBy(e => (e.Member, e.Session)).Take(5000))
        {
            long last = long.MinValue;
            int sequence = 0;
            foreach (var e in session)
            {
                Assert.True(e.TimestampMs >= last, "events of a session go back in time");
                Assert.Equal(++sequence, e.Sequence);
                last = e.TimestampMs;
                if (!float.IsNaN(e.Position))
                {
                    int runtime = catalogue.PlayableRuntime(e.Title, Math.Max(0, e.Episode));
                    Assert.InRange(e.Position, 0f, runtime);
                }
            }
        }
    }
}
