using Encore.Core;
using Xunit;
using static Encore.Signals.Tests.Fixtures;

namespace Encore.Signals.Tests;

/// <summary>What Continue Watching reads of a member beyond each title's features: passed-over impressions and recent activity.</summary>
public sealed class ActivityTests
{
    [Fact]
    public void Impressions_since_the_latest_playback_count_from_zero_after_each_play()
    {
        var set = Fold([
            Row(EventKind.Impression, Film, 0, value: 0.9f),
            Row(EventKind.PlayStart, Film, 1, position: 0),
            Row(EventKind.Stop, Film, 20, position: 1_140),
            Row(EventKind.Impression, Film, 60 * 24, value: 0.9f),
            Row(EventKind.Impression, Film, 60 * 48, value: 0.9f),
        ]);

        var s = set.Get(0, Film);
        Assert.Equal((3, 2), (s.Impressions, s.ImpressionsSincePlay));
        Assert.Equal(1, s.LastSessionNumber);
        Assert.Equal(3, set.SessionsOf(0));
    }

    [Fact]
    public void Recent_sessions_halve_every_week()
    {
        var set = Fold([
            Row(EventKind.PlayStart, Film, 0, position: 0),
            Row(EventKind.PlayStart, Film, 60 * 24 * 7, position: 0),
        ]);

        // The first session has halved by the second: 0.5 + 1, and a week later half of that.
        Assert.Equal(1.5, set.RecentSessionsOf(0, Ms(60 * 24 * 7)), 6);
        Assert.Equal(0.75, set.RecentSessionsOf(0, Ms(60 * 24 * 14)), 6);
        Assert.Equal(0, set.RecentSessionsOf(1, Ms(0)));
    }
}
