using Encore.Core;
using Xunit;
using static Encore.Signals.Tests.Fixtures;

namespace Encore.Signals.Tests;

/// <summary>The episode order signals and Continue Watching read from the catalogue.</summary>
public sealed class SignalCatalogueTests
{
    [Fact]
    public void Each_episode_knows_the_next_one_and_its_season_and_number()
    {
        var c = Catalogue();
        Assert.Equal([S1E2, S1E3, -1], [c.NextEpisode[S1E1], c.NextEpisode[S1E2], c.NextEpisode[S1E3]]);
        Assert.Equal((1, 3), (c.EpisodeSeason[S1E3], c.EpisodeNumber[S1E3]));
        Assert.Equal([0, 1, 1], c.SeasonCount);
    }

    [Fact]
    public void Seasons_are_read_in_order_whatever_order_the_catalogue_lists_them()
    {
        Title[] titles =
        [
            new()
            {
                Id = "s", Name = "Two Seasons", Kind = TitleKind.Series, RuntimeSeconds = 1_500,
                Seasons = [
                    new Season(2, [new Episode("b2", 2, 2, "b2", 1_500), new Episode("b1", 2, 1, "b1", 1_500)]),
                    new Season(1, [new Episode("a1", 1, 1, "a1", 1_500)])],
            },
        ];
        var c = SignalCatalogue.Build(new IdMap(["s"]), new IdMap(["b2", "b1", "a1"]), titles);
        int a1 = c.EpisodeIds.IndexOf("a1"), b1 = c.EpisodeIds.IndexOf("b1"), b2 = c.EpisodeIds.IndexOf("b2");
        Assert.Equal((b1, b2, -1), (c.NextEpisode[a1], c.NextEpisode[b1], c.NextEpisode[b2]));
        Assert.Equal(2, c.SeasonCount[0]);
    }
}
