namespace Encore.Core;

/// <summary>Times as milliseconds since the Unix epoch (UTC), as the stores keep them.</summary>
public static class UnixTime
{
    /// <summary>Milliseconds since the epoch, rounded down (a local time is converted to UTC first).</summary>
    public static long Milliseconds(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        long ticks = utc.Ticks - DateTime.UnixEpoch.Ticks;
        long ms = Math.DivRem(ticks, TimeSpan.TicksPerMillisecond, out long rest);
        return rest < 0 ? ms - 1 : ms;
    }

    /// <summary>The UTC time <paramref name="ms"/> milliseconds after the epoch.</summary>
    public static DateTime FromMilliseconds(long ms) => new(DateTime.UnixEpoch.Ticks + ms * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}
