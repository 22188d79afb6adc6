using Encore.Core;
using Encore.Ranking;
using Encore.Ranking.Pages;
using Encore.Ranking.Search;
using Encore.Service;
using Encore.Signals;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Concurrency;

namespace Encore.Cluster;

/// <summary>
/// One member's real-time state, held by one silo at a time: the member's signals (what they began, finished, rated,
/// searched, Continue Watching and the vector folded in from them at page time) and the profile's maturity limit (and
/// whether the member was removed), rebuilt from the store whenever the grain is activated (first use, after its silo
/// left or crashed). Keyed by the member id. Every answer holds the member to the profile's limit (the request may
/// narrow it) and refuses a removed member with <see cref="KeyNotFoundException"/>.
/// </summary>
public interface IMemberGrain : IGrainWithStringKey
{
    /// <summary>Folds events already stored in PostgreSQL (an event folded before, by its id, is skipped); returns how many were new here.</summary>
    Task<int> ApplyAsync(ViewingEvent[] events);

    /// <summary>The member's page built by model <paramref name="version"/> (a request time of <c>default</c>: the node's clock).</summary>
    Task<Homepage> HomepageAsync(PageRequest request, string version);

    /// <summary>The member's top titles (<see cref="MemberReads.TopN"/>) by model <paramref name="version"/> (a request time of <c>default</c>: the node's clock).</summary>
    Task<RankedTitle[]> TopNAsync(TopNRequest request, string version);

    /// <summary>Why a title is or is not on the member's page (<see cref="MemberReads.Explain"/>), by model <paramref name="version"/>.</summary>
    Task<PageExplanation> ExplainAsync(ExplainRequest request, string version);

    /// <summary>The member's latest stored events and signals (<see cref="MemberReads.Timeline"/>), weighed as model <paramref name="version"/> does (null: the defaults).</summary>
    Task<MemberTimeline> TimelineAsync(TimelineRequest request, string? version);

    /// <summary>A search over this node's catalogue ranked for the member (<see cref="MemberReads.Search"/>) by model <paramref name="version"/> (null: text only).</summary>
    Task<SearchResult> SearchAsync(MemberSearchRequest request, string? version);

    /// <summary>Reads the member's profile again from the store (a node changed it: a maturity limit, a removal).</summary>
    Task ReloadProfileAsync();

    /// <summary>How many of the member's events the grain has folded.</summary>
    Task<int> EventCountAsync();
}

/// <summary>The model version every silo builds pages with, the same cluster-wide; changed by one atomic switch.</summary>
public interface IModelVersionGrain : IGrainWithIntegerKey
{
    /// <summary>The active version, or null while there is none.</summary>
    [ReadOnly]
    Task<string?> GetAsync();

    /// <summary>
    /// Makes <paramref name="version"/> the active one: the version is loaded on this silo first (a version that cannot
    /// be loaded changes nothing), stored as the store property <see cref="EncoreService.ActiveModelProperty"/>, then
    /// switched: every page asked for after this returns is built by it, every page before by the old one.
    /// </summary>
    Task ActivateAsync(string version);
}

/// <summary>The grain behind <see cref="IMemberGrain"/>.</summary>
internal sealed class MemberGrain(ClusterNode node) : Grain, IMemberGrain
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private SignalSet? _signals;
    private int? _limit; // the profile's maturity limit as an age
    private bool _removed;
    private bool _known; // the store has the member (a profile, or events), or an event was folded here

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await node.ReadyAsync().ConfigureAwait(true);
        var id = this.GetPrimaryKeyString();
        // In the order a single node folds them (timestamp, then as stored); events stored meanwhile arrive by ApplyAsync too.
        long through = await node.Store.ReadLastSequenceAsync(cancellationToken).ConfigureAwait(true);
        // The node's catalogue as new as those events: a title added through another node just before its first event
        // would otherwise be unknown here, and the event skipped yet counted as seen.
        await node.RefreshCatalogueAsync(cancellationToken).ConfigureAwait(true);
        var signals = node.NewMemberSignals(id);
        await foreach (var e in node.Store.ReadEventsThroughAsync(through, id, cancellationToken).ConfigureAwait(true))
            if (_seen.Add(e.EventId)) signals.Apply(e);
        _signals = signals;
        await ReloadProfileAsync().ConfigureAwait(true);
    }

    public async Task ReloadProfileAsync()
    {
        var id = this.GetPrimaryKeyString();
        var member = await node.Store.GetMemberAsync(id).ConfigureAwait(true);
        _limit = member?.MaturityLimit is { } limit ? MaturityRatings.AgeOf(limit) : null;
        _removed = member is null && (await node.Store.GetCatalogueSnapshotAsync().ConfigureAwait(true)).IsRemovedMember(id);
        _known = member is not null || _seen.Count > 0;
    }

    /// <summary>The stricter of the profile's limit and the request's; a removed member, or one the store never had, is refused (as on a single node).</summary>
    private int? LimitWith(int? asked)
    {
        var id = this.GetPrimaryKeyString();
        if (_removed) throw new KeyNotFoundException($"member {UnicodeText.Quote(id)} was removed");
        if (!_known) throw new KeyNotFoundException($"no member {UnicodeText.Quote(id)}; create it (PUT /v1/members/{{id}}) or send its events");
        return MemberReads.Stricter(asked, _limit);
    }

    public async Task<int> ApplyAsync(ViewingEvent[] events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var id = this.GetPrimaryKeyString();
        foreach (var e in events)
            if (!string.Equals(e.MemberId, id, StringComparison.Ordinal))
                throw new ArgumentException($"event '{e.EventId}' is member '{e.MemberId}''s, sent to member '{id}'s grain");
        // A title added through another node a moment ago: this node's catalogue first, so the event is folded, not skipped.
        if (ClusterNode.NamesUnknownTitle(events, node.View.Catalogue.Signals)) await node.RefreshCatalogueAsync().ConfigureAwait(true);
        var signals = Current();
        int added = 0;
        foreach (var e in events)
            if (_seen.Add(e.EventId)) { signals.Apply(e); added++; }
        if (added > 0) _known = true;
        return added;
    }

    /// <summary>The member's signals over the node's catalogue as it is now (moved onto a newer one the node took in).</summary>
    private SignalSet Current()
    {
        var catalogue = node.View.Catalogue.Signals;
        if (!ReferenceEquals(_signals!.Catalogue, catalogue)) _signals.Rebase(catalogue);
        return _signals;
    }

    /// <summary>The member's signals reading time as the node's view does (what a single node's set of every member reads).</summary>
    private SignalSet Observed() => Observed(Current());

    private SignalSet Observed(SignalSet signals)
    {
        signals.ObserveTime(node.View.LastEventMs);
        return signals;
    }

    /// <summary>
    /// The page builder of <paramref name="version"/> and the member's signals over one and the same catalogue: the node
    /// may take in a newer catalogue between reading the two, and a builder over the older one would refuse the signals.
    /// </summary>
    private async Task<(HomepageBuilder Builder, SignalSet Signals)> OnOneCatalogueAsync(string version)
    {
        for (int attempt = 1; ; attempt++)
        {
            var builder = await node.BuilderAsync(version).ConfigureAwait(true);
            var signals = Current();
            if (ReferenceEquals(builder.Catalogue.Signals, signals.Catalogue) || attempt == 3) return (builder, signals);
        }
    }

    public async Task<Homepage> HomepageAsync(PageRequest request, string version)
    {
        ArgumentNullException.ThrowIfNull(request);
        request = request with { MaturityLimit = LimitWith(request.MaturityLimit) };
        var (builder, signals) = await OnOneCatalogueAsync(version).ConfigureAwait(true);
        if (request.AtUtc == default) request = request with { AtUtc = node.Now };
        return node.View.BuildFor(signals, request, builder);
    }

    public async Task<RankedTitle[]> TopNAsync(TopNRequest request, string version)
    {
        ArgumentNullException.ThrowIfNull(request);
        request = request with { MaturityLimit = LimitWith(request.MaturityLimit) };
        var (builder, signals) = await OnOneCatalogueAsync(version).ConfigureAwait(true);
        if (request.AtUtc == default) request = request with { AtUtc = node.Now };
        return [.. MemberReads.TopN(builder.Model, Observed(signals), builder.Catalogue, request)];
    }

    public async Task<PageExplanation> ExplainAsync(ExplainRequest request, string version)
    {
        ArgumentNullException.ThrowIfNull(request);
        request = request with { MaturityLimit = LimitWith(request.MaturityLimit) };
        var (builder, signals) = await OnOneCatalogueAsync(version).ConfigureAwait(true);
        if (request.AtUtc == default) request = request with { AtUtc = node.Now };
        var page = node.View.BuildFor(signals, request.Page(), builder);
        return MemberReads.Explain(page, Observed(signals), builder.Model, builder.Catalogue, request);
    }

    public async Task<MemberTimeline> TimelineAsync(TimelineRequest request, string? version)
    {
        ArgumentNullException.ThrowIfNull(request);
        LimitWith(null);
        var preferences = version is null ? PreferenceOptions.Default : (await node.BuilderAsync(version).ConfigureAwait(true)).Model.Preferences;
        var events = await MemberReads.LatestEventsAsync(node.Store, request.MemberId, request.MaxEvents).ConfigureAwait(true);
        if (request.AtUtc == default) request = request with { AtUtc = node.Now };
        return MemberReads.Timeline(events, Observed(), preferences, request);
    }

    public async Task<SearchResult> SearchAsync(MemberSearchRequest request, string? version)
    {
        ArgumentNullException.ThrowIfNull(request);
        request = request with { MaturityLimit = LimitWith(request.MaturityLimit) };
        var model = version is null ? null : (await node.BuilderAsync(version).ConfigureAwait(true)).Model;
        if (request.AtUtc == default) request = request with { AtUtc = node.Now };
        return MemberReads.Search(node.Search, model, Observed(), request);
    }

    public Task<int> EventCountAsync() => Task.FromResult(_seen.Count);
}

/// <summary>The grain behind <see cref="IModelVersionGrain"/>: its state is the store property, read again on activation.</summary>
internal sealed class ModelVersionGrain(ClusterNode node) : Grain, IModelVersionGrain
{
    private string? _version;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await node.ReadyAsync().ConfigureAwait(true);
        _version = await node.Store.GetPropertyAsync(EncoreService.ActiveModelProperty, cancellationToken).ConfigureAwait(true);
    }

    public Task<string?> GetAsync() => Task.FromResult(_version);

    public async Task ActivateAsync(string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        await node.BuilderAsync(version).ConfigureAwait(true);
        await node.Store.SetPropertyAsync(EncoreService.ActiveModelProperty, version).ConfigureAwait(true);
        _version = version;
    }
}

/// <summary>
/// The cluster's one training queue (key 0): jobs asked for through any node run here, one at a time, on the silo that
/// holds this grain, with that silo's Encore service (<see cref="ClusterNode.RunTrainingAsync"/>): the model is
/// registered in the shared model store and activated cluster-wide like any swap. Every node lists and follows the same
/// jobs by the same ids. Jobs are kept while the grain lives: it is kept alive, but when its silo stops or crashes the
/// jobs it kept are gone (the one running ends with it), as a single node's are with its process; the queue that starts
/// on another silo never gives an id of the lost ones (<see cref="TrainingJobQueue.Enqueue"/>).
/// </summary>
public interface ITrainingJobsGrain : IGrainWithIntegerKey
{
    /// <summary>Queues a job; returns it as queued, with its id. A <paramref name="requestId"/> seen before returns its job (a call tried again is one job).</summary>
    Task<TrainingJobStatus> EnqueueAsync(TrainingSpec spec, string requestId);

    /// <summary>Queues a scheduled retrain unless one is due no sooner (<see cref="ITrainingJobQueue.EnqueueScheduledAsync"/>).</summary>
    Task<TrainingJobStatus?> EnqueueScheduledAsync(TrainingSpec spec, TimeSpan every);

    /// <summary>The job with this id, or null.</summary>
    Task<TrainingJobStatus?> FindAsync(string id);

    /// <summary>Every job kept, by id.</summary>
    Task<TrainingJobStatus[]> AllAsync();
}

/// <summary>The grain behind <see cref="ITrainingJobsGrain"/>: a <see cref="TrainingJobQueue"/> that runs jobs with this silo's service.</summary>
[KeepAlive]
internal sealed class TrainingJobsGrain(ClusterNode node) : Grain, ITrainingJobsGrain
{
    private TrainingJobQueue? _queue;

    private TrainingJobQueue Queue => _queue ??= new TrainingJobQueue(node.RunTrainingAsync);

    public Task<TrainingJobStatus> EnqueueAsync(TrainingSpec spec, string requestId) => Task.FromResult(Queue.Enqueue(spec, requestId));

    public Task<TrainingJobStatus?> EnqueueScheduledAsync(TrainingSpec spec, TimeSpan every) => Task.FromResult(Queue.EnqueueScheduled(spec, every));

    public Task<TrainingJobStatus?> FindAsync(string id) => Task.FromResult(Queue.Find(id));

    public Task<TrainingJobStatus[]> AllAsync() => Task.FromResult(Queue.All.ToArray());

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_queue is not null) await _queue.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(true);
    }
}

