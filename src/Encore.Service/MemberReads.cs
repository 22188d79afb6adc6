using System.Globalization;
using Encore.Core;
using Encore.Ranking;
using Encore.Ranking.Pages;
using Encore.Ranking.Search;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Service;

/// <summary>
/// A member's top titles, asked of wherever the member's signals are (this node's, or the member's grain in a cluster).
/// </summary>
public sealed record TopNRequest
{
    /// <summary>The member.</summary>
    public required string MemberId { get; init; }

    /// <summary>How many titles (1..500).</summary>
    public int Count { get; init; } = 20;

    /// <summary>Only titles of this genre (case-insensitive), or null for all.</summary>
    public string? Genre { get; init; }

    /// <summary>Titles never to list.</summary>
    public IReadOnlyList<string>? ExcludeTitleIds { get; init; }

    /// <summary>The device the list is for, or null to ignore the context.</summary>
    public DeviceKind? Device { get; init; }

    /// <summary>The maturity limit as an age (the stricter of the profile's and the request's), or null for none.</summary>
    public int? MaturityLimit { get; init; }

    /// <summary>The moment of the list (<c>default</c>: the clock of the node that answers).</summary>
    public DateTime AtUtc { get; init; }
}

/// <summary>Why a title is (or is not) on a member's page, asked of wherever the member's signals are.</summary>
public sealed record ExplainRequest
{
    /// <summary>The member.</summary>
    public required string MemberId { get; init; }

    /// <summary>The title to explain.</summary>
    public required string TitleId { get; init; }

    /// <summary>The device of the page.</summary>
    public DeviceKind Device { get; init; } = DeviceKind.Tv;

    /// <summary>The profile's maturity limit as an age, or null for none.</summary>
    public int? MaturityLimit { get; init; }

    /// <summary>The moment of the page (<c>default</c>: the clock of the node that answers).</summary>
    public DateTime AtUtc { get; init; }

    /// <summary>The page the explanation reads: the member's whole page for the device, with every entry's score parts.</summary>
    public PageRequest Page() => new() { MemberId = MemberId, Device = Device, AtUtc = AtUtc, MaturityLimit = MaturityLimit, Explain = true };
}

/// <summary>A member's latest events and signals, asked of wherever the member's signals are.</summary>
public sealed record TimelineRequest
{
    /// <summary>The member.</summary>
    public required string MemberId { get; init; }

    /// <summary>How many of the latest events (1..10,000).</summary>
    public int MaxEvents { get; init; } = 200;

    /// <summary>The moment the weights are for (<c>default</c>: the clock of the node that answers).</summary>
    public DateTime AtUtc { get; init; }
}

/// <summary>A search ranked for a member, asked of wherever the member's signals are.</summary>
public sealed record MemberSearchRequest
{
    /// <summary>The member the results are ranked for.</summary>
    public required string MemberId { get; init; }

    /// <summary>The words searched for.</summary>
    public required string Query { get; init; }

    /// <summary>How many results (1..<see cref="SearchRequest.MaxCount"/>).</summary>
    public int Count { get; init; } = 20;

    /// <summary>The maturity limit as an age, or null for none.</summary>
    public int? MaturityLimit { get; init; }

    /// <summary>The moment of the search, for availability (<c>default</c>: the clock of the node that answers).</summary>
    public DateTime AtUtc { get; init; }
}

/// <summary>
/// The member-specific reads of the service, built from a set of signals that holds the member: the whole service's
/// on a single node (<see cref="EncoreService"/>), the member's own in its grain on a node of a cluster. One code path
/// for both, so that a cluster answers as a single node does for the same events. A member-only set must read time as
/// the service does (<see cref="SignalSet.ObserveTime"/>) before these are called. Errors are the framework's
/// (<see cref="ArgumentException"/> for a bad request, <see cref="KeyNotFoundException"/> for an unknown title), so
/// that they cross a cluster's wire as they are; the service turns them into <see cref="ServiceException"/>s.
/// </summary>
public static class MemberReads
{
    /// <summary>The stricter of two maturity limits (ages; null: none): a request may narrow a profile's limit, never widen it.</summary>
    public static int? Stricter(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    /// <summary>The member's top titles (titles begun, rated or with negative evidence left out), with the request's filters.</summary>
    /// <exception cref="ArgumentException">The genre is not one of the catalogue's (the message lists them).</exception>
    public static IReadOnlyList<RankedTitle> TopN(TrainedModel model, SignalSet signals, RankingCatalogue catalogue, TopNRequest request)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(request);
        return MemberRanking.Recommend(model, signals, request.MemberId, new RankingRequest
        {
            Count = request.Count, Genre = request.Genre, ExcludeTitleIds = request.ExcludeTitleIds, Device = request.Device,
            Hour = request.AtUtc.Hour, Rules = catalogue, AtUtc = request.AtUtc, MaturityLimit = request.MaturityLimit,
        });
    }

    /// <summary>
    /// Why the title is on <paramref name="page"/> (the member's page built from <see cref="ExplainRequest.Page"/>): its
    /// row, place and score parts; or, when it is not there, the reasons read from the member's signals and the catalogue.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such title in the catalogue.</exception>
    public static PageExplanation Explain(Homepage page, SignalSet signals, TrainedModel? model, RankingCatalogue catalogue, ExplainRequest request)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(request);
        string memberId = request.MemberId, titleId = request.TitleId;
        for (int r = 0; r < page.Rows.Count; r++)
        {
            var row = page.Rows[r];
            for (int i = 0; i < row.Titles.Count; i++)
                if (row.Titles[i].TitleId == titleId) return new PageExplanation(memberId, titleId, row, i, row.Titles[i], []);
        }
        var now = request.AtUtc;
        var why = new List<string>();
        int t = catalogue.Signals.TitleIds.IndexOf(titleId);
        if (t < 0 || catalogue.AvailableUntilMs[t] == long.MinValue) throw new KeyNotFoundException($"no title {UnicodeText.Quote(titleId)}");
        long at = new DateTimeOffset(DateTime.SpecifyKind(now, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
        if (!catalogue.IsAvailable(t, at)) why.Add($"it is not available at {now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC");
        if (request.MaturityLimit is { } l && catalogue.MaturityAge[t] > l) why.Add("it is rated above the profile's maturity limit (or has no rating)");
        int m = signals.MemberIds.IndexOf(memberId);
        if (m >= 0 && model is not null && t < signals.Catalogue.Titles)
        {
            var s = signals.Get(m, t);
            var weight = PreferenceModel.Explain(s, model.Preferences, at, [], out var rule);
            if (s.Completed) why.Add("the member finished it");
            else if (s.Played) why.Add("the member began it; it would be in Continue Watching unless predicted abandoned");
            if (weight.Evidence == Evidence.Negative) why.Add($"the member's events count against it ({rule})");
        }
        if (why.Count == 0) why.Add("it ranked below the titles shown in every row it could be in");
        return new PageExplanation(memberId, titleId, null, -1, null, why);
    }

    /// <summary>The member's latest <paramref name="maxEvents"/> events in the store, in the store's order (newest last).</summary>
    public static async Task<IReadOnlyList<ViewingEvent>> LatestEventsAsync(IEventStore store, string memberId, int maxEvents, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        var events = new Queue<ViewingEvent>();
        await foreach (var e in store.ReadEventsAsync(new EventQuery { MemberId = memberId }, ct).ConfigureAwait(false))
        {
            events.Enqueue(e);
            if (events.Count > maxEvents) events.Dequeue();
        }
        return [.. events];
    }

    /// <summary>
    /// The member's timeline: <paramref name="events"/> (<see cref="LatestEventsAsync"/>), the member's sessions, and how
    /// each title's events became signals and a weight under <paramref name="preferences"/> (the active model's).
    /// </summary>
    public static MemberTimeline Timeline(IReadOnlyList<ViewingEvent> events, SignalSet signals, PreferenceOptions preferences, TimelineRequest request)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(preferences);
        ArgumentNullException.ThrowIfNull(request);
        int m = signals.MemberIds.IndexOf(request.MemberId);
        if (m < 0) return new MemberTimeline(request.MemberId, events, 0, []);
        long at = new DateTimeOffset(DateTime.SpecifyKind(request.AtUtc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
        return new MemberTimeline(request.MemberId, events, signals.SessionsOf(m), SignalExplanation.Explain(signals, m, preferences, at));
    }

    /// <summary>Search ranked for the member: text matches (typos folded) with the member's own score blended in (none without a model).</summary>
    /// <exception cref="ArgumentException">A bad query, count or maturity limit.</exception>
    public static SearchResult Search(SearchIndex index, TrainedModel? model, SignalSet signals, MemberSearchRequest request)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(request);
        var search = new SearchRequest
        {
            Count = request.Count, AsOfUtc = request.AtUtc,
            MaturityLimit = request.MaturityLimit?.ToString(CultureInfo.InvariantCulture),
        };
        var scores = model is null ? null : new MemberTaste(index, model).ScoresOf(signals, request.MemberId);
        return index.Search(request.Query, search, scores);
    }
}
