using System.Globalization;
using Encore.Core;
using Encore.Ingestion.Importers;
using Encore.Simulation;

namespace Encore.Service;

/// <summary>The pace of <see cref="SimulatedTraffic"/>.</summary>
public sealed record TrafficOptions
{
    /// <summary>Real time between two members opening their homepage.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Simulated time per real time: 60 turns a real second into a simulated minute.</summary>
    public double Speed { get; init; } = 60;
    /// <summary>Rows and titles of the first screen a member looks at.</summary>
    public int Rows { get; init; } = 3;
    public int TitlesPerRow { get; init; } = 8;
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// Members of a simulated service using Encore live: one after another a member opens the homepage Encore builds for them
/// on one of their devices, is shown its first screen (logged as impressions), and begins the title they like best there
/// by their hidden taste (<see cref="GroundTruth"/>) or leaves; what they begin they watch for as long as their taste says,
/// and the stop or completion arrives when that time has passed. Time runs from the store's latest event at
/// <see cref="TrafficOptions.Speed"/>. Every event goes through <see cref="EncoreService.IngestAsync"/>, as events from a
/// real service would: the demo's console shows pages correcting themselves as they arrive.
/// </summary>
public sealed class SimulatedTraffic : IAsyncDisposable
{
    private readonly EncoreService _service;
    private readonly SimulatedService _world;
    private readonly TrafficOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string _run = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
    private readonly PriorityQueue<ViewingEvent, DateTime> _due = new();
    private readonly DateTime _startSimulated;
    private readonly DateTime _startReal = DateTime.UtcNow;
    private long _events, _sessions, _plays;
    private int _next;

    private SimulatedTraffic(EncoreService service, SimulatedService world, TrafficOptions options)
    {
        _service = service;
        _world = world;
        _options = options;
        _startSimulated = service.Now;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Starts the traffic of the simulated <paramref name="world"/> (the one the store was filled from) into <paramref name="service"/>.</summary>
    public static SimulatedTraffic Start(EncoreService service, SimulatedService world, TrafficOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(world);
        return new SimulatedTraffic(service, world, options ?? new TrafficOptions());
    }

    /// <summary>Events sent so far, homepages opened, titles begun.</summary>
    public long Events => Interlocked.Read(ref _events);
    public long Sessions => Interlocked.Read(ref _sessions);
    public long Plays => Interlocked.Read(ref _plays);

    /// <summary>The simulated moment now.</summary>
    private DateTime SimulatedNow => _startSimulated + (DateTime.UtcNow - _startReal) * _options.Speed;

    private async Task RunAsync(CancellationToken ct)
    {
        var rng = new Xoshiro256StarStar(_options.Seed);
        using var timer = new PeriodicTimer(_options.Interval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            try
            {
                var batch = new List<ViewingEvent>();
                var now = SimulatedNow;
                while (_due.TryPeek(out _, out var at) && at <= now) batch.Add(_due.Dequeue());
                if (_service.HasModel) Visit(ref rng, now, batch);
                if (batch.Count == 0) continue;
                var result = await _service.IngestAsync([.. batch.Select(e => new EventBatchEntry(e, e.EventId, null))], ct).ConfigureAwait(false);
                Interlocked.Add(ref _events, result.Stored);
            }
            catch (ServiceException)
            {
                // A member removed meanwhile, or no model yet: the next visit goes on.
            }
        }
    }

    /// <summary>One member opens the homepage, sees its first screen, and begins a title or leaves.</summary>
    private void Visit(ref Xoshiro256StarStar rng, DateTime now, List<ViewingEvent> batch)
    {
        int days = _world.Options.Days;
        int member = (int)(rng.NextUInt64() % (ulong)_world.Members.Count);
        if (!_world.Members.IsActive(member, days - 1)) return;
        var memberId = _world.Members.Ids[member];
        var device = SimMembers.Devices[(int)(rng.NextUInt64() % (ulong)SimMembers.Devices.Length)];
        var page = _service.Homepage(memberId, device, _options.Rows, _options.TitlesPerRow);
        Interlocked.Increment(ref _sessions);
        var session = $"live-{_run}-{Interlocked.Increment(ref _next)}";
        int sequence = 0;
        ViewingEvent Event(EventKind kind, string titleId, DateTime at) => new()
        {
            EventId = $"{session}-{sequence++}", Kind = kind, MemberId = memberId, TitleId = titleId, Device = device,
            TimestampUtc = at, SessionId = session,
        };
        // The first screen, as impressions (the page is deterministic for the state: each slot's propensity is 1).
        var shown = new List<(Ranking.Pages.PageEntry Entry, float Utility)>();
        foreach (var row in page.Rows)
        {
            for (int slot = 0; slot < row.Titles.Count; slot++)
            {
                var entry = row.Titles[slot];
                batch.Add(Event(EventKind.Impression, entry.TitleId, now) with { Row = row.Key, RowPosition = slot, Propensity = 1.0 });
                shown.Add((entry, _world.Truth.Utility(memberId, entry.TitleId)));
            }
        }
        if (shown.Count == 0) return;
        // The member begins one title, with odds growing with their taste for it, or leaves.
        double leave = Math.Exp(1.5), total = leave;
        foreach (var (_, utility) in shown) total += Math.Exp(2 * utility);
        double pick = rng.NextDouble() * total - leave;
        if (pick < 0) return;
        foreach (var (shownEntry, utility) in shown)
        {
            var entry = shownEntry;
            pick -= Math.Exp(2 * utility);
            if (pick >= 0) continue;
            var start = now.AddSeconds(5);
            // A series not yet begun starts at its first episode; Continue Watching names the episode to play.
            var episode = entry.EpisodeId ?? FirstEpisode(entry.TitleId);
            entry = entry with { EpisodeId = episode };
            var play = Event(EventKind.PlayStart, entry.TitleId, start) with { EpisodeId = entry.EpisodeId, PositionSeconds = 0 };
            batch.Add(play);
            Interlocked.Increment(ref _plays);
            // How much of it they watch: all of a title they like, a part of one they do not.
            int runtime = RuntimeOf(entry.TitleId, entry.EpisodeId);
            if (runtime <= 0) return;
            double share = Math.Clamp(0.25 + 0.5 * utility, 0.05, 1.0);
            var end = start.AddSeconds(runtime * share);
            _due.Enqueue(share >= 1.0
                ? Event(EventKind.Completion, entry.TitleId, end) with { EpisodeId = entry.EpisodeId, PositionSeconds = runtime }
                : Event(EventKind.Stop, entry.TitleId, end) with { EpisodeId = entry.EpisodeId, PositionSeconds = Math.Round(runtime * share) }, end);
            return;
        }
    }

    private string? FirstEpisode(string titleId)
    {
        int t = _world.Catalogue.IndexOf(titleId);
        if (t < 0 || !_world.Catalogue.IsSeries(t)) return null;
        var title = _world.Catalogue.ToTitle(t, _world.Options.StartUtc);
        return title.Seasons.Count > 0 && title.Seasons[0].Episodes.Count > 0 ? title.Seasons[0].Episodes[0].Id : null;
    }

    private int RuntimeOf(string titleId, string? episodeId)
    {
        int t = _world.Catalogue.IndexOf(titleId);
        if (t < 0) return 0;
        if (episodeId is null || !_world.Catalogue.IsSeries(t)) return _world.Catalogue.RuntimeSeconds[t];
        int e = _world.Catalogue.EpisodeStart[t];
        return _world.Catalogue.EpisodeRuntime[e];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await _loop.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
