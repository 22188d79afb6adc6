using System.Diagnostics;
using Encore.Core;
using Encore.Ingestion;
using Encore.Ranking;
using Encore.Ranking.Pages;
using Encore.Ranking.Search;
using Encore.Service;
using Encore.Storage;
using Orleans;
using Orleans.Runtime;

namespace Encore.Cluster;

/// <summary>
/// What a node offers in front of the cluster (what the HTTP server calls in cluster mode): ingestion that stores a batch
/// in PostgreSQL first and then folds it into its members' grains, and every member-specific read (the page, the top
/// titles, an explanation, the timeline, a search ranked for the member) built by the member's grain with the cluster's
/// active model version. Calls that meet a silo leaving or crashed are tried again (a grain comes back on
/// another silo, rebuilt from the store) until <see cref="RetryFor"/> has passed.
/// </summary>
public sealed class ClusterFront : IMemberStateRouter, ITrainingJobQueue
{
    private readonly IGrainFactory _grains;
    private readonly IngestionPipeline _pipeline;

    /// <summary>A front over <paramref name="grains"/> (a silo's or a client's) that stores into <paramref name="store"/>.</summary>
    public ClusterFront(IGrainFactory grains, IEventStore store, IngestionOptions? ingestion = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(store);
        _grains = grains;
        _pipeline = new IngestionPipeline(store, ingestion ?? IngestionOptions.Default);
    }

    /// <summary>How long a call is tried again while the cluster settles after a silo left (default 30 s).</summary>
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Validates and stores a batch (durable in PostgreSQL when this returns), then folds the stored events, and those
    /// already stored (a batch sent again after a failure), into their members' grains. A failure after the store
    /// leaves the events stored: sending the batch again finishes the fold (grains skip what they have).
    /// </summary>
    public async Task<IngestResult> IngestAsync(IReadOnlyList<ViewingEvent> batch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var result = await _pipeline.IngestAsync(batch, ct).ConfigureAwait(false);
        var kept = new List<ViewingEvent>(batch.Count);
        for (int i = 0; i < batch.Count; i++) if (result.Outcomes[i] != EventOutcome.Rejected) kept.Add(batch[i]);
        await FoldAsync(kept, ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>Folds events already stored into their members' grains (each grain skips what it has).</summary>
    public async Task FoldAsync(IReadOnlyList<ViewingEvent> events, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var byMember = new Dictionary<string, List<ViewingEvent>>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (!byMember.TryGetValue(e.MemberId, out var list)) byMember[e.MemberId] = list = [];
            list.Add(e);
        }
        var folds = new List<Task>(byMember.Count);
        foreach (var (member, own) in byMember)
        {
            var grain = _grains.GetGrain<IMemberGrain>(member);
            var array = own.ToArray();
            folds.Add(RetryAsync(() => grain.ApplyAsync(array), ct));
        }
        await Task.WhenAll(folds).ConfigureAwait(false);
    }

    /// <summary>The member's page with the cluster's active model (request time <c>default</c>: the serving node's clock).</summary>
    /// <exception cref="ServiceException">No model is active yet.</exception>
    public async Task<Homepage> HomepageAsync(PageRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var version = await RequireActiveVersionAsync(ct).ConfigureAwait(false);
        var grain = _grains.GetGrain<IMemberGrain>(request.MemberId);
        return await RetryAsync(() => grain.HomepageAsync(request, version), ct).ConfigureAwait(false);
    }

    /// <summary>The member's top titles with the cluster's active model (request time <c>default</c>: the serving node's clock).</summary>
    /// <exception cref="ServiceException">No model is active yet.</exception>
    /// <exception cref="ArgumentException">The genre is not one of the catalogue's.</exception>
    public async Task<IReadOnlyList<RankedTitle>> TopNAsync(TopNRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var version = await RequireActiveVersionAsync(ct).ConfigureAwait(false);
        var grain = _grains.GetGrain<IMemberGrain>(request.MemberId);
        return await RetryAsync(() => grain.TopNAsync(request, version), ct).ConfigureAwait(false);
    }

    /// <summary>Why a title is or is not on the member's page, with the cluster's active model.</summary>
    /// <exception cref="ServiceException">No model is active yet.</exception>
    /// <exception cref="KeyNotFoundException">No such title.</exception>
    public async Task<PageExplanation> ExplainAsync(ExplainRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var version = await RequireActiveVersionAsync(ct).ConfigureAwait(false);
        var grain = _grains.GetGrain<IMemberGrain>(request.MemberId);
        return await RetryAsync(() => grain.ExplainAsync(request, version), ct).ConfigureAwait(false);
    }

    /// <summary>The member's latest events and signals, weighed as the cluster's active model does (the defaults while there is none).</summary>
    public async Task<MemberTimeline> TimelineAsync(TimelineRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var version = await ActiveVersionAsync(ct).ConfigureAwait(false);
        var grain = _grains.GetGrain<IMemberGrain>(request.MemberId);
        return await RetryAsync(() => grain.TimelineAsync(request, version), ct).ConfigureAwait(false);
    }

    /// <summary>A search ranked for the member with the cluster's active model (text only while there is none).</summary>
    /// <exception cref="ArgumentException">A bad query, count or maturity limit.</exception>
    public async Task<SearchResult> SearchAsync(MemberSearchRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var version = await ActiveVersionAsync(ct).ConfigureAwait(false);
        var grain = _grains.GetGrain<IMemberGrain>(request.MemberId);
        return await RetryAsync(() => grain.SearchAsync(request, version), ct).ConfigureAwait(false);
    }

    /// <summary>The members' grains read their profiles again from the store (each activated, from the store, when it is not).</summary>
    public async Task ProfilesChangedAsync(IReadOnlyList<string> memberIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(memberIds);
        var reloads = new List<Task>(memberIds.Count);
        foreach (var id in memberIds.Distinct(StringComparer.Ordinal))
        {
            var grain = _grains.GetGrain<IMemberGrain>(id);
            reloads.Add(RetryAsync(async () => { await grain.ReloadProfileAsync().ConfigureAwait(false); return 0; }, ct));
        }
        await Task.WhenAll(reloads).ConfigureAwait(false);
    }

    private ITrainingJobsGrain Jobs => _grains.GetGrain<ITrainingJobsGrain>(0);

    /// <summary>Queues a job on the cluster's one training queue (<see cref="ITrainingJobsGrain"/>).</summary>
    public Task<TrainingJobStatus> EnqueueAsync(TrainingSpec spec, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // One request id for every try: a call that timed out after the grain queued the job finds that job again.
        string request = Guid.NewGuid().ToString("N");
        return RetryAsync(() => Jobs.EnqueueAsync(spec, request), ct);
    }

    /// <summary>A scheduled retrain on the cluster's queue: the first node whose schedule comes due in a period queues it, the others find it done.</summary>
    public Task<TrainingJobStatus?> EnqueueScheduledAsync(TrainingSpec spec, TimeSpan every, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return RetryAsync(() => Jobs.EnqueueScheduledAsync(spec, every), ct);
    }

    /// <summary>A job of the cluster's queue, or null.</summary>
    public Task<TrainingJobStatus?> FindAsync(string id, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return RetryAsync(() => Jobs.FindAsync(id), ct);
    }

    /// <summary>Every job of the cluster's queue, by id.</summary>
    public async Task<IReadOnlyList<TrainingJobStatus>> AllAsync(CancellationToken ct = default)
        => await RetryAsync(() => Jobs.AllAsync(), ct).ConfigureAwait(false);

    private async Task<string> RequireActiveVersionAsync(CancellationToken ct)
        => await ActiveVersionAsync(ct).ConfigureAwait(false)
            ?? throw new ServiceException(ServiceErrorKind.Unavailable, "there is no active model yet; train one and activate it");

    /// <summary>Makes a registered version the active one on every silo at once (<see cref="IModelVersionGrain.ActivateAsync"/>).</summary>
    public Task ActivateAsync(string version, CancellationToken ct = default)
        => RetryAsync(async () => { await _grains.GetGrain<IModelVersionGrain>(0).ActivateAsync(version).ConfigureAwait(false); return 0; }, ct);

    /// <summary>The cluster's active model version, or null.</summary>
    public Task<string?> ActiveVersionAsync(CancellationToken ct = default)
        => RetryAsync(() => _grains.GetGrain<IModelVersionGrain>(0).GetAsync(), ct);

    /// <summary>How many of the member's events the member's grain holds (activating it, from the store, when it is not).</summary>
    public Task<int> EventCountAsync(string memberId, CancellationToken ct = default)
        => RetryAsync(() => _grains.GetGrain<IMemberGrain>(memberId).EventCountAsync(), ct);

    private async Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        int attempt = 0;
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception e) when (Transient(e) && clock.Elapsed < RetryFor)
            {
                attempt++;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500, 25 * attempt)), ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A failure of the cluster rather than of the request: a silo gone or going, a call that timed out meanwhile.</summary>
    private static bool Transient(Exception e) => e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
        || (e is OrleansException && e is not OrleansLifecycleCanceledException);
}
