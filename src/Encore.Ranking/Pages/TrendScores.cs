using Encore.Signals;

namespace Encore.Ranking.Pages;

/// <summary>The windows trends are read over: the last hour, day or week.</summary>
public enum TrendWindow
{
    Hour = 0,
    Day = 1,
    Week = 2,
}

/// <summary>One title of a trend list: its strength in the window, and the plays the window holds (decayed).</summary>
public sealed record TrendingTitle(string TitleId, string Name, double Strength, double Plays);

/// <summary>
/// How fast titles are rising now, from their decayed play counts over an hour, a day and a week
/// (<see cref="TitleTrends"/>). Each count is turned into a rate in plays a day (a count with half-life h holds about
/// rate x h / ln 2 at a steady rate); a window rises when its rate is at least <see cref="MinimumRatio"/> times the next
/// longer window's, by the log of that ratio weighted by how many plays the window holds. A title played at a steady pace
/// has no rise however popular it is (it belongs to Popular, not Trending); a title whose plays jumped in the last hour or
/// day rises.
/// </summary>
public static class TrendScores
{
    /// <summary>A window rises once about this many plays began in it: fewer is noise, not a trend.</summary>
    public const double MinimumPlays = 1;

    /// <summary>A window rises when its rate of plays is at least this many times the next longer window's.</summary>
    public const double MinimumRatio = 1.5;

    /// <summary>Rates are smoothed by this many plays a day, so a title with a handful of plays does not rise from nothing.</summary>
    public const double RateSmoothing = 0.5;

    /// <summary>
    /// A title's rise now: the larger of the hour's rise (against the day) and the day's (against the week), 0 when neither
    /// rises; whether the hour's was the larger; and its decayed plays over the week.
    /// </summary>
    public static (double Strength, bool HourLed, double WeekPlays) Rise(TitleTrends trends, int title, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(trends);
        double hour = trends.Plays(title, 0, nowMs), day = trends.Plays(title, 1, nowMs), week = trends.Plays(title, 2, nowMs);
        double hourRise = WindowRise(hour, TitleTrends.HalfLives[0], day, TitleTrends.HalfLives[1]);
        double dayRise = WindowRise(day, TitleTrends.HalfLives[1], week, TitleTrends.HalfLives[2]);
        return hourRise > dayRise ? (hourRise, true, week) : (dayRise, false, week);
    }

    /// <summary>The rise of a window of <paramref name="plays"/> against the longer one's; 0 when it does not rise.</summary>
    private static double WindowRise(double plays, TimeSpan halfLife, double longerPlays, TimeSpan longerHalfLife)
    {
        if (plays < MinimumPlays) return 0;
        double rate = plays * Math.Log(2) / halfLife.TotalDays + RateSmoothing;
        double longer = longerPlays * Math.Log(2) / longerHalfLife.TotalDays + RateSmoothing;
        return rate >= MinimumRatio * longer ? Math.Log(rate / longer) * Math.Log(1 + plays) : 0;
    }

    /// <summary>
    /// The titles rising most in <paramref name="window"/> now, strongest first: for the hour, its rise against the day; for
    /// the day, against the week; for the week, the plays it holds (nothing longer to rise against). Titles not available
    /// now (or removed) are left out.
    /// </summary>
    public static IReadOnlyList<TrendingTitle> Top(SignalSet signals, RankingCatalogue catalogue, TrendWindow window, DateTime atUtc, int count)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        long now = new DateTimeOffset(DateTime.SpecifyKind(atUtc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
        int n = Math.Min(catalogue.Titles, signals.Catalogue.Titles);
        var strength = new float[n];
        var trends = signals.Trends;
        var h = TitleTrends.HalfLives;
        for (int t = 0; t < n; t++)
        {
            double value = !catalogue.IsAvailable(t, now) ? 0 : window switch
            {
                TrendWindow.Hour => WindowRise(trends.Plays(t, 0, now), h[0], trends.Plays(t, 1, now), h[1]),
                TrendWindow.Day => WindowRise(trends.Plays(t, 1, now), h[1], trends.Plays(t, 2, now), h[2]),
                _ => trends.Plays(t, 2, now) >= MinimumPlays ? trends.Plays(t, 2, now) : 0,
            };
            strength[t] = value > 0 ? (float)value : float.NegativeInfinity;
        }
        var top = new int[Math.Min(count, n)];
        var scores = new float[top.Length];
        int found = Encore.Models.TopN.Select(strength, top.Length, top, scores);
        var list = new TrendingTitle[found];
        for (int i = 0; i < found; i++)
        {
            int t = top[i];
            list[i] = new TrendingTitle(catalogue.Signals.TitleIds[t], catalogue.Signals.Names[t], scores[i], trends.Plays(t, (int)window, now));
        }
        return list;
    }
}
