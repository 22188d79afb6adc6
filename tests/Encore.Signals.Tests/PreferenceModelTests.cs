using Encore.Core;
using Xunit;
using static Encore.Signals.Tests.Fixtures;

namespace Encore.Signals.Tests;

/// <summary>The one function from signals to weights: each rule on constructed signals, and explanations that add up.</summary>
public sealed class PreferenceModelTests
{
    private static TitleSignals Played(float share = 1f, bool completed = true, double daysAgo = 1) => TitleSignals.Empty with
    {
        Starts = 1, EpisodesStarted = 1, EpisodeShareSum = share, FurthestShare = share, Completions = completed ? 1 : 0,
        EpisodesCompleted = completed ? 1 : 0, WatchedSeconds = share * FilmRuntime, LastPlayMs = Ms(-daysAgo * 1_440), LastMs = Ms(-daysAgo * 1_440),
    };

    private static readonly long Now = Ms(0);

    [Fact]
    public void Plays_only_gives_one_for_every_title_begun_and_nothing_else()
    {
        Assert.Equal(new PreferenceWeight(Evidence.Positive, 1f), PreferenceModel.Weigh(Played(0.05f, completed: false, daysAgo: 30), PreferenceOptions.Plays, Now));
        Assert.Equal(new PreferenceWeight(Evidence.Positive, 1f), PreferenceModel.Weigh(Played() with { SceneReplays = 4, Rating = 1 }, PreferenceOptions.Plays, Now));
        Assert.Equal(Evidence.None, PreferenceModel.Weigh(TitleSignals.Empty with { Impressions = 9, Rating = 3.5f }, PreferenceOptions.Plays, Now).Evidence);
        Assert.Equal(Evidence.None, PreferenceModel.Weigh(TitleSignals.Empty with { Rating = 5 }, PreferenceOptions.Plays, Now).Evidence);
        // Beyond plays only, a good rating alone counts as P-TOPN counts MovieLens: 4 stars or more.
        Assert.Equal(new PreferenceWeight(Evidence.Positive, 1f), PreferenceModel.Weigh(TitleSignals.Empty with { Rating = 4 }, PreferenceOptions.Default, Now));
        Assert.Equal(Evidence.None, PreferenceModel.Weigh(TitleSignals.Empty with { Rating = 3.5f }, PreferenceOptions.Default, Now).Evidence);
    }

    [Fact]
    public void A_title_stopped_early_is_negative_evidence_only_once_the_window_has_passed()
    {
        var o = new PreferenceOptions { AbandonShare = 0.2f, AbandonDays = 7, NegativeWeight = 0.5f };
        Assert.Equal(new PreferenceWeight(Evidence.Negative, 0.5f), PreferenceModel.Weigh(Played(0.1f, completed: false, daysAgo: 8), o, Now));
        Assert.Equal(-0.5f, PreferenceModel.Weigh(Played(0.1f, completed: false, daysAgo: 8), o, Now).Value);
        Assert.Equal(Evidence.Positive, PreferenceModel.Weigh(Played(0.1f, completed: false, daysAgo: 2), o, Now).Evidence);
        Assert.Equal(Evidence.Positive, PreferenceModel.Weigh(Played(0.3f, completed: false, daysAgo: 8), o, Now).Evidence);
        // A series the member went on with (a second episode) is not abandoned however the first went.
        Assert.Equal(Evidence.Positive, PreferenceModel.Weigh(Played(0.1f, completed: false, daysAgo: 8) with { EpisodesStarted = 2 }, o, Now).Evidence);
    }

    [Fact]
    public void A_title_searched_for_by_name_and_never_played_is_positive_when_search_intent_is_weighed()
    {
        var searched = TitleSignals.Empty with { SearchIntent = 2, Impressions = 3, FirstMs = Ms(-14 * 1_440), LastMs = Ms(-14 * 1_440) };
        var o = new PreferenceOptions { SearchIntent = 0.8f, IgnoredImpressions = 1, IgnoredWeight = 0.1f };
        // Looking for it by name outweighs having passed it over on a page.
        Assert.Equal(new PreferenceWeight(Evidence.Positive, 0.8f), PreferenceModel.Weigh(searched, o, Now));
        // Decayed like a play, by the days since the search (14 days at a 14-day half-life: half).
        Assert.Equal(0.4f, PreferenceModel.Weigh(searched, o with { HalfLifeDays = 14 }, Now).Weight, 4);
        var terms = new List<WeightTerm>();
        var explained = PreferenceModel.Explain(searched, o with { HalfLifeDays = 14 }, Now, terms, out var rule);
        Assert.Equal(explained.Weight, terms.Sum(t => t.Contribution), 4);
        Assert.StartsWith("positive: searched for by name 2 times", rule);
        // Off (the default), the same title is only what it otherwise is: shown and passed over.
        Assert.Equal(new PreferenceWeight(Evidence.Negative, 0.1f), PreferenceModel.Weigh(searched, o with { SearchIntent = 0 }, Now));
        Assert.Equal(0f, PreferenceOptions.Default.SearchIntent);
        // A title played is weighed as played, whatever searches named it.
        Assert.Equal(PreferenceModel.Weigh(Played(), o, Now), PreferenceModel.Weigh(Played() with { SearchIntent = 3 }, o, Now));
        Assert.Throws<ArgumentException>(() => (o with { SearchIntent = -1 }).Validate());
    }

    [Fact]
    public void Low_ratings_and_titles_passed_over_are_negative_and_a_good_rating_alone_is_positive()
    {
        var o = new PreferenceOptions { Rating = 0.5f, LowRating = 2, IgnoredImpressions = 3, IgnoredWeight = 0.25f };
        Assert.Equal(Evidence.Negative, PreferenceModel.Weigh(Played() with { Rating = 2 }, o, Now).Evidence);
        Assert.Equal(new PreferenceWeight(Evidence.Positive, 1f + 0.5f * 2), PreferenceModel.Weigh(TitleSignals.Empty with { Rating = 5 }, o, Now));
        Assert.Equal(new PreferenceWeight(Evidence.Negative, 0.25f), PreferenceModel.Weigh(TitleSignals.Empty with { Impressions = 3 }, o, Now));
        Assert.Equal(Evidence.None, PreferenceModel.Weigh(TitleSignals.Empty with { Impressions = 2 }, o, Now).Evidence);
    }

    [Fact]
    public void Each_signal_adds_its_term_and_decay_halves_the_weight_per_half_life()
    {
        var o = new PreferenceOptions { Watch = 2, Complete = 1, Scene = 0.5f, Binge = 0.25f, Search = 1, CountCap = 3 };
        var s = Played(0.8f) with { SceneReplays = 10, NextEpisodeFollowed = 1, SkippedCredits = 2, SearchLed = 1 };
        float expected = 1 + 2 * 0.8f + 1 + 0.5f * 3 + 0.25f * (1 + 2) + 1;
        Assert.Equal(expected, PreferenceModel.Weigh(s, o, Now).Weight, 4);
        var decayed = o with { HalfLifeDays = 10 };
        Assert.Equal(expected / 2, PreferenceModel.Weigh(s with { LastPlayMs = Ms(-10 * 1_440) }, decayed, Now).Weight, 3);
    }

    [Fact]
    public void An_explanation_lists_terms_that_add_up_to_the_weight_and_says_which_rule_decided()
    {
        var o = PreferenceOptions.Default with { Watch = 1.5f, Rating = 0.5f };
        var s = Played(0.6f) with { SceneReplays = 2, Rating = 4, ForwardSeeks = 1, SkippedSeconds = 600 };
        var terms = new List<WeightTerm>();
        var weight = PreferenceModel.Explain(s, o, Now, terms, out var rule);

        Assert.Equal(PreferenceModel.Weigh(s, o, Now), weight);
        Assert.Equal("positive: played", rule);
        Assert.Equal(weight.Weight, terms.Sum(t => t.Contribution), 4);
        Assert.Contains(terms, t => t.Feature == "scene replays" && t.Contribution == 0.5f);
        Assert.Contains(terms, t => t.Feature == "skipped share" && t.Contribution < 0);
        var abandoned = PreferenceModel.Explain(Played(0.05f, completed: false, daysAgo: 20), o, Now, [], out var why);
        Assert.Equal(Evidence.Negative, abandoned.Evidence);
        Assert.StartsWith("negative: abandoned at 5 %", why);
    }

    [Fact]
    public void The_matrix_holds_positive_and_negative_evidence_and_leaves_the_rest_out()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Film, 0, position: 0),
            Row(EventKind.Stop, Film, 5, position: 300), // 5% of the film, then never again
            Row(EventKind.PlayStart, Series, 20, position: 0, episode: S1E1),
            Row(EventKind.Completion, Series, 45, position: 1_500, episode: S1E1),
            Row(EventKind.Impression, Drama, 50, value: 0.5f),
            Row(EventKind.PlayStart, Series, 20 * 1_440, position: 0, episode: S1E2, member: 1),
        ]);
        var o = new PreferenceOptions { AbandonShare = 0.2f, AbandonDays = 7, NegativeWeight = 0.5f };

        var matrix = set.ToMatrix(o, set.LastEventMs);

        Assert.Equal([Film, Series], matrix.RowColumns(0).ToArray());
        Assert.Equal([-0.5f, 1f], matrix.RowValues(0).ToArray());
        Assert.True(matrix.HasNegatives);
        Assert.Equal([Series], matrix.WithoutNegatives().RowColumns(0).ToArray());
        Assert.Equal([Film], set.NegativeTitles(0, o, set.LastEventMs));
        Assert.Equal([Film, Series], set.PlayedMatrix().RowColumns(0).ToArray());
    }
}
