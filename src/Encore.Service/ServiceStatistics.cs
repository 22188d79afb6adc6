using Encore.Core;
using Encore.Storage;

namespace Encore.Service;

/// <summary>One hour of events: how many of each kind, and on each device.</summary>
public sealed record HourOfEvents(DateTime HourUtc, IReadOnlyDictionary<string, long> ByKind, IReadOnlyDictionary<string, long> ByDevice);

/// <summary>
/// How a kind of homepage row did, from logged impressions: titles shown, plays that followed (the member began the title
/// within <see cref="ServiceStatistics.TakeWindow"/> of seeing it there), and their ratio.
/// </summary>
public sealed record RowPerformance(string Row, long Impressions, long Plays, double TakeRate);

/// <summary>A title's plays hour by hour.</summary>
public sealed record TitleSeries(string TitleId, string Name, IReadOnlyList<long> Plays);

/// <summary>What the console's overview shows: the store's counts, the last hours of events, rows' take-rates and trending titles over time.</summary>
public sealed record ServiceOverview(StoreStatistics Store, DateTime FromUtc, DateTime ToUtc, IReadOnlyList<HourOfEvents> Hours,
    IReadOnlyList<RowPerformance> Rows, IReadOnlyList<TitleSeries> Trending);

/// <summary>Who watches a title: how many members began and finished it, on which devices, which tastes, and its plays day by day.</summary>
public sealed record TitleAudience(string TitleId, string Name, int Viewers, int Finished, IReadOnlyDictionary<string, int> ByDevice,
    IReadOnlyDictionary<string, int> ByTaste, DateTime FromUtc, IReadOnlyList<long> PlaysPerDay);

/// <summary>
/// The figures behind the console, read from the store's log over a recent window (the service's clock): events per hour by
/// kind and device, per-row take-rates from impressions, the trending titles' plays per hour, a title's audience.
/// </summary>
public static class ServiceStatistics
{
    /// <summary>A play counts for the row a member saw the title in when it began within this time of the impression.</summary>
    public static readonly TimeSpan TakeWindow = TimeSpan.FromHours(1);

    /// <summary>The row kind of an impression's row name: "genre:drama" is "genre", "byw:t1" is "because-you-watched".</summary>
    public static string RowKindOf(string? row)
    {
        if (string.IsNullOrEmpty(row)) return "unknown";
        int colon = row.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? row : row[..colon];
        return kind == "byw" ? "because-you-watched" : kind.Length > 40 ? kind[..40] : kind;
    }

    /// <summary>The overview of the <paramref name="hours"/> hours up to <paramref name="nowUtc"/>.</summary>
    public static async Task<ServiceOverview> OverviewAsync(IEventStore store, DateTime nowUtc, int hours, IReadOnlyList<(string Id, string Name)> trending,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(hours, 1);
        var to = new DateTime(nowUtc.Ticks - nowUtc.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc).AddHours(1);
        var from = to.AddHours(-hours);
        var byKind = new long[hours, EventKinds.All.Length];
        var byDevice = new long[hours, Enum.GetValues<DeviceKind>().Length];
        var trendIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < trending.Count; i++) trendIndex[trending[i].Id] = i;
        var trendPlays = new long[trending.Count, hours];
        // Impressions waiting for a play: (member, title) -> (time, row kind).
        var shown = new Dictionary<(string, string), (DateTime At, string Row)>();
        var impressions = new Dictionary<string, long>(StringComparer.Ordinal);
        var takes = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var e in store.ReadEventsAsync(new EventQuery { FromUtc = from, ToUtc = to }, ct).ConfigureAwait(false))
        {
            int h = (int)((e.TimestampUtc - from).Ticks / TimeSpan.TicksPerHour);
            if ((uint)h >= (uint)hours) continue;
            if (Enum.IsDefined(e.Kind)) byKind[h, (int)e.Kind]++;
            if (Enum.IsDefined(e.Device)) byDevice[h, (int)e.Device]++;
            if (e.TitleId is null) continue;
            if (e.Kind == EventKind.Impression)
            {
                var row = RowKindOf(e.Row);
                impressions[row] = impressions.GetValueOrDefault(row) + 1;
                shown[(e.MemberId, e.TitleId)] = (e.TimestampUtc, row);
            }
            else if (e.Kind == EventKind.PlayStart)
            {
                if (trendIndex.TryGetValue(e.TitleId, out int t)) trendPlays[t, h]++;
                if (shown.Remove((e.MemberId, e.TitleId), out var seen) && e.TimestampUtc - seen.At <= TakeWindow)
                    takes[seen.Row] = takes.GetValueOrDefault(seen.Row) + 1;
            }
        }
        var kinds = EventKinds.All;
        var devices = Enum.GetValues<DeviceKind>();
        var hourList = new List<HourOfEvents>(hours);
        for (int h = 0; h < hours; h++)
        {
            var k = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var kind in kinds) if (byKind[h, (int)kind] > 0) k[kind.WireName()] = byKind[h, (int)kind];
            var d = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var device in devices) if (byDevice[h, (int)device] > 0) d[device.ToString().ToLowerInvariant()] = byDevice[h, (int)device];
            hourList.Add(new HourOfEvents(from.AddHours(h), k, d));
        }
        var rows = impressions.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new RowPerformance(r.Key, r.Value, takes.GetValueOrDefault(r.Key), r.Value == 0 ? 0 : (double)takes.GetValueOrDefault(r.Key) / r.Value))
            .ToList();
        var series = new List<TitleSeries>(trending.Count);
        for (int t = 0; t < trending.Count; t++)
        {
            var plays = new long[hours];
            for (int h = 0; h < hours; h++) plays[h] = trendPlays[t, h];
            series.Add(new TitleSeries(trending[t].Id, trending[t].Name, plays));
        }
        return new ServiceOverview(await store.GetStatisticsAsync(ct).ConfigureAwait(false), from, to, hourList, rows, series);
    }

    /// <summary>
    /// A title's audience: its viewers (members who began it) and how many finished it, the devices they began it on, their
    /// tastes (each viewer's most played genre, from <paramref name="tasteOf"/>), and its plays per day over the last
    /// <paramref name="days"/> days up to <paramref name="nowUtc"/>.
    /// </summary>
    public static async Task<TitleAudience> AudienceAsync(IEventStore store, Title title, DateTime nowUtc, int days, Func<string, string?> tasteOf,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(tasteOf);
        var to = nowUtc.Date.AddDays(1);
        var from = to.AddDays(-days);
        var viewers = new HashSet<string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var byDevice = new Dictionary<string, int>(StringComparer.Ordinal);
        var perDay = new long[days];
        await foreach (var e in store.ReadEventsAsync(new EventQuery { TitleId = title.Id, Kinds = [EventKind.PlayStart, EventKind.Completion] }, ct).ConfigureAwait(false))
        {
            if (e.Kind == EventKind.Completion) { finished.Add(e.MemberId); continue; }
            if (viewers.Add(e.MemberId))
            {
                var device = e.Device.ToString().ToLowerInvariant();
                byDevice[device] = byDevice.GetValueOrDefault(device) + 1;
            }
            int d = (int)((e.TimestampUtc - from).Ticks / TimeSpan.TicksPerDay);
            if ((uint)d < (uint)days) perDay[d]++;
        }
        var byTaste = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var member in viewers)
        {
            var taste = tasteOf(member) ?? "unknown";
            byTaste[taste] = byTaste.GetValueOrDefault(taste) + 1;
        }
        return new TitleAudience(title.Id, title.Name, viewers.Count, finished.Count(viewers.Contains), byDevice,
            byTaste.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).ToDictionary(), from, perDay);
    }
}
