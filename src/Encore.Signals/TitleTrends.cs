namespace Encore.Signals;

/// <summary>
/// Service-wide activity of every title as time-decayed counts: plays begun and impressions (times shown), each over
/// several half-lives (an hour, a day, a week), updated per event in constant time. A count read at time t is
/// <c>sum over events of 2^(-(t - event time) / half-life)</c>: "plays in about the last day", smoothly. Trending is
/// the short window rising against the long one; exposure (how much the service shows a title now) comes from the
/// impressions.
/// </summary>
public sealed class TitleTrends
{
    /// <summary>The half-lives of the windows, shortest first.</summary>
    public static readonly TimeSpan[] HalfLives = [TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(7)];

    private readonly double[] _rates; // per window: ln 2 / half-life in ms
    private double[] _plays, _impressions; // [title * windows + w], as of _stamp[title]
    private long[] _stamp;

    /// <summary>Trends of <paramref name="titles"/> titles (dense indices), with nothing counted yet.</summary>
    public TitleTrends(int titles)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(titles);
        _rates = new double[HalfLives.Length];
        for (int w = 0; w < _rates.Length; w++) _rates[w] = Math.Log(2) / HalfLives[w].TotalMilliseconds;
        _plays = new double[titles * HalfLives.Length];
        _impressions = new double[titles * HalfLives.Length];
        _stamp = new long[titles];
        Array.Fill(_stamp, long.MinValue);
    }

    /// <summary>How many titles the trends cover.</summary>
    public int Titles => _stamp.Length;

    /// <summary>A playback of <paramref name="title"/> began at <paramref name="ms"/>.</summary>
    public void Play(int title, long ms) => Add(impression: false, title, ms);

    /// <summary><paramref name="title"/> was shown at <paramref name="ms"/>.</summary>
    public void Impression(int title, long ms) => Add(impression: true, title, ms);

    /// <summary>The decayed play count of <paramref name="title"/> in window <paramref name="window"/> (an index of <see cref="HalfLives"/>) at <paramref name="asOfMs"/>.</summary>
    public double Plays(int title, int window, long asOfMs) => Read(_plays, title, window, asOfMs);

    /// <summary>The decayed impression count of <paramref name="title"/> in window <paramref name="window"/> at <paramref name="asOfMs"/>.</summary>
    public double Impressions(int title, int window, long asOfMs) => Read(_impressions, title, window, asOfMs);

    private void Add(bool impression, int title, long ms)
    {
        if ((uint)title >= (uint)_stamp.Length) Grow(title + 1);
        var counts = impression ? _impressions : _plays; // after growing: the arrays are new
        int w0 = title * _rates.Length;
        long stamp = _stamp[title];
        if (stamp == long.MinValue)
        {
            _stamp[title] = ms;
            stamp = ms;
        }
        if (ms >= stamp)
        {
            // Bring both counts of the title forward to this event, then count it.
            if (ms > stamp)
            {
                for (int w = 0; w < _rates.Length; w++)
                {
                    double decay = Math.Exp(-_rates[w] * (ms - stamp));
                    _plays[w0 + w] *= decay;
                    _impressions[w0 + w] *= decay;
                }
                _stamp[title] = ms;
            }
            for (int w = 0; w < _rates.Length; w++) counts[w0 + w] += 1;
        }
        else
        {
            // A late event counts as much as it still weighs now.
            for (int w = 0; w < _rates.Length; w++) counts[w0 + w] += Math.Exp(-_rates[w] * (stamp - ms));
        }
    }

    private double Read(double[] counts, int title, int window, long asOfMs)
    {
        if ((uint)title >= (uint)_stamp.Length || _stamp[title] == long.MinValue) return 0;
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)window, (uint)_rates.Length, nameof(window));
        double value = counts[title * _rates.Length + window];
        long age = asOfMs - _stamp[title];
        return age > 0 ? value * Math.Exp(-_rates[window] * age) : value;
    }

    private void Grow(int titles)
    {
        int old = _stamp.Length;
        Array.Resize(ref _stamp, Math.Max(titles, old * 2));
        Array.Fill(_stamp, long.MinValue, old, _stamp.Length - old);
        Array.Resize(ref _plays, _stamp.Length * _rates.Length);
        Array.Resize(ref _impressions, _stamp.Length * _rates.Length);
    }
}
