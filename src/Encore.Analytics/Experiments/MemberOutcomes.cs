using Encore.Core;
using Encore.Storage;

namespace Encore.Analytics.Experiments;

/// <summary>
/// What each member did in an experiment's period, struct-of-arrays (one entry per member): impressions of the rows a
/// page policy chooses and the takes among them (a title played from its impression), hours watched (in total and per
/// day, for sequential looks), plays and completions, whether the member came back in the period's last week (the
/// retention proxy), the first day they were seen in the period (when they entered the experiment), and hours watched
/// in the pre-period (CUPED's covariate).
/// </summary>
public sealed class MemberOutcomes
{
    public MemberOutcomes(string[] memberIds, int days)
    {
        ArgumentNullException.ThrowIfNull(memberIds);
        if (days < 1) throw new ArgumentOutOfRangeException(nameof(days), days, "the period needs at least one day");
        int n = memberIds.Length;
        MemberIds = memberIds;
        Days = days;
        Impressions = new double[n];
        Takes = new double[n];
        Hours = new double[n];
        Plays = new double[n];
        Completions = new double[n];
        Retained = new double[n];
        PreHours = new double[n];
        DailyHours = new double[n * days];
        DailyImpressions = new double[n * days];
        DailyTakes = new double[n * days];
        FirstDay = new int[n];
        Array.Fill(FirstDay, int.MaxValue);
    }

    public int Count => MemberIds.Length;
    public string[] MemberIds { get; }
    /// <summary>Days of the experiment period.</summary>
    public int Days { get; }
    public double[] Impressions { get; }
    public double[] Takes { get; }
    public double[] Hours { get; }
    public double[] Plays { get; }
    public double[] Completions { get; }
    /// <summary>1 when the member had a session in the last 7 days of the period (or its second half, if shorter), else 0.</summary>
    public double[] Retained { get; }
    public double[] PreHours { get; }
    /// <summary>Hours per (member, day): member × <see cref="Days"/> + day.</summary>
    public double[] DailyHours { get; }
    /// <summary>Impressions per (member, day), as <see cref="DailyHours"/>.</summary>
    public double[] DailyImpressions { get; }
    /// <summary>Takes per (member, day), as <see cref="DailyHours"/>.</summary>
    public double[] DailyTakes { get; }
    /// <summary>The first day of the period the member was seen (int.MaxValue: never; such members are not in the experiment).</summary>
    public int[] FirstDay { get; }

    /// <summary>The first day of the retention window.</summary>
    public int RetentionFrom => Days >= 14 ? Days - 7 : Days / 2;

    /// <summary>Notes a session on <paramref name="day"/> of the period (negative days are the pre-period).</summary>
    public void SeenOn(int member, int day)
    {
        if (day < 0 || day >= Days) return;
        if (day < FirstDay[member]) FirstDay[member] = day;
        if (day >= RetentionFrom) Retained[member] = 1;
    }

    /// <summary>Counts an impression of a policy row on <paramref name="day"/> of the period, and whether it was taken.</summary>
    public void AddImpression(int member, int day, bool taken)
    {
        if (day < 0 || day >= Days) return;
        Impressions[member]++;
        DailyImpressions[member * Days + day]++;
        if (!taken) return;
        Takes[member]++;
        DailyTakes[member * Days + day]++;
    }

    /// <summary>Adds hours watched on <paramref name="day"/> (pre-period when negative).</summary>
    public void AddHours(int member, int day, double hours)
    {
        if (day < 0) { PreHours[member] += hours; return; }
        if (day >= Days) return;
        Hours[member] += hours;
        DailyHours[member * Days + day] += hours;
    }

    /// <summary>
    /// Reads the outcomes of every member from <paramref name="store"/>: the period is <paramref name="days"/> days from
    /// <paramref name="startUtc"/>, the pre-period the <paramref name="preDays"/> days before it. Hours come from play
    /// segments (a play start to the next stop or completion of that title in the session).
    /// </summary>
    public static async Task<MemberOutcomes> ReadAsync(IEventStore store, DateTime startUtc, int days, int preDays = 7, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (startUtc.Kind != DateTimeKind.Utc) throw new ArgumentException("the start must be a UTC time", nameof(startUtc));
        if (preDays < 0) throw new ArgumentOutOfRangeException(nameof(preDays), preDays, "the pre-period cannot be negative");
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var members = new List<string>();
        var rows = new List<(int Member, int Day, EventKind Kind, string Session, string? Title, double Position, long Ms, string? Row)>();
        var from = startUtc.AddDays(-preDays);
        var to = startUtc.AddDays(days);
        await foreach (var e in store.ReadEventsAsync(new EventQuery { FromUtc = from, ToUtc = to }, ct).ConfigureAwait(false))
        {
            if (!ids.TryGetValue(e.MemberId, out int m)) { ids[e.MemberId] = m = members.Count; members.Add(e.MemberId); }
            int day = (int)Math.Floor((e.TimestampUtc - startUtc).TotalDays);
            rows.Add((m, day, e.Kind, e.SessionId, e.TitleId, e.PositionSeconds ?? 0, new DateTimeOffset(e.TimestampUtc).ToUnixTimeMilliseconds(), e.Row));
        }
        var outcomes = new MemberOutcomes([.. members], days);
        var plays = new HashSet<(string, string, long)>();
        foreach (var r in rows)
            if (r.Kind is EventKind.PlayStart or EventKind.Replay && r.Title is not null) plays.Add((r.Session, r.Title, r.Ms));
        var open = new Dictionary<string, (string Title, double Position, int Day)>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            outcomes.SeenOn(r.Member, r.Day);
            switch (r.Kind)
            {
                case EventKind.Impression when r.Day >= 0 && r.Title is not null && (r.Row is null || !OffPolicy.ImpressionLog.FixedRows.Contains(r.Row)):
                    outcomes.AddImpression(r.Member, r.Day, plays.Contains((r.Session, r.Title, r.Ms)));
                    break;
                case EventKind.PlayStart or EventKind.Replay when r.Title is not null:
                    if (r.Day >= 0 && r.Day < days) outcomes.Plays[r.Member]++;
                    open[r.Session] = (r.Title, r.Position, r.Day);
                    break;
                case EventKind.Stop or EventKind.Completion when r.Title is not null && open.TryGetValue(r.Session, out var start) && start.Title == r.Title:
                    outcomes.AddHours(r.Member, start.Day, Math.Max(0, r.Position - start.Position) / 3600.0);
                    if (r.Kind == EventKind.Completion && r.Day >= 0 && r.Day < days) outcomes.Completions[r.Member]++;
                    open.Remove(r.Session);
                    break;
            }
        }
        return outcomes;
    }
}
