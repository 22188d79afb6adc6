using Xunit;

namespace Encore.Signals.Tests;

/// <summary>Decayed plays and impressions per title.</summary>
public sealed class TitleTrendsTests
{
    private const long Hour = 3_600_000;

    [Fact]
    public void Counts_decay_by_each_windows_half_life()
    {
        var trends = new TitleTrends(2);
        trends.Play(1, 0);
        trends.Play(1, 0);
        Assert.Equal(2, trends.Plays(1, 0, 0), 9);
        Assert.Equal(1, trends.Plays(1, 0, Hour), 9);          // an hour later: half, over the hour window
        Assert.Equal(2 * Math.Pow(0.5, 1 / 24.0), trends.Plays(1, 1, Hour), 9);
        Assert.Equal(0, trends.Plays(0, 2, Hour));
        trends.Impression(0, Hour);
        Assert.Equal(1, trends.Impressions(0, 2, Hour), 9);
        Assert.Equal(0, trends.Plays(0, 2, Hour));
    }

    [Fact]
    public void A_title_beyond_the_catalogue_it_was_made_for_grows_it_and_keeps_every_count()
    {
        // Titles added to a live service's catalogue get indices past the first catalogue's.
        var trends = new TitleTrends(3);
        trends.Play(2, 0);
        trends.Impression(2, 0);
        trends.Play(50, Hour);
        trends.Impression(7, Hour);
        trends.Play(7, Hour);
        Assert.True(trends.Titles >= 51);
        Assert.Equal(1, trends.Plays(50, 0, Hour), 9);
        Assert.Equal(1, trends.Plays(7, 0, Hour), 9);
        Assert.Equal(1, trends.Impressions(7, 0, Hour), 9);
        Assert.Equal(0.5, trends.Plays(2, 0, Hour), 9);
        Assert.Equal(0.5, trends.Impressions(2, 0, Hour), 9);
        Assert.Equal(0, trends.Plays(20, 0, Hour));
    }
}
