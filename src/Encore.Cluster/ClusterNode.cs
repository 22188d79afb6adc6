using System.Collections.Concurrent;
using Encore.Core;
using Encore.Models;
using Encore.Ranking;
using Encore.Ranking.Pages;
using Encore.Ranking.Search;
using Encore.Service;
using Encore.Signals;
using Encore.Storage.Postgres;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;

namespace Encore.Cluster;

/// <summary>
/// What one silo holds besides its grains: the store, the service-wide view (the catalogue and the trends and habits of
/// the whole service, folded from the log in the order it was stored and kept up by following what every node appends),
/// the search index, and the page builders of the model versions it has loaded. The catalogue is followed too: when
/// the store's catalogue counter moves (a title added, changed or removed through any node), the node reads the
/// catalogue again into the view, the search index and its builders, and tells whoever subscribed
/// (<see cref="OnCatalogueChanged"/>). A member's own signals live in that member's grain.
/// </summary>
public sealed class ClusterNode : IHostedService, IAsyncDisposable
{
    private readonly EncoreClusterOptions _options;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, Lazy<Task<TrainedModel>>> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HomepageBuilder> _builders = new(StringComparer.Ordinal); // over the view's catalogue
    private readonly SemaphoreSlim _follow = new(1, 1);
    private readonly SemaphoreSlim _catalogueGate = new(1, 1);
    private readonly TaskCompletionSource<EncoreService> _service = new(TaskCreationOptions.RunContinuationsAsynchronously); // the HTTP server's, in this process (Attach): what the cluster's training jobs run with
    private readonly List<Func<CancellationToken, Task>> _catalogueHandlers = [];
    private readonly List<Action<string>> _modelHandlers = [];
    private readonly ILogger<ClusterNode>? _log;
    private string? _activeModel;
    private readonly CancellationTokenSource _stop = new();
    private PostgresEventStore? _store;
    private HomepageService? _view;
    private SearchIntentResolver? _resolver;
    private SearchIndex? _search;
    private ModelRegistry? _registry;
    private long _seq;
    private long _catalogueVersion;
    private Task? _follower;

    /// <summary>A node over the options' database (nothing is opened until the host starts it); <paramref name="log"/> hears of a subscriber that failed.</summary>
    public ClusterNode(EncoreClusterOptions options, ILogger<ClusterNode>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _log = log;
    }

    /// <summary>The options the node runs with.</summary>
    public EncoreClusterOptions Options => _options;

    /// <summary>The store (once <see cref="ReadyAsync"/> has completed).</summary>
    public PostgresEventStore Store => _store ?? throw new InvalidOperationException("the cluster node has not started");

    /// <summary>The service-wide view (once <see cref="ReadyAsync"/> has completed).</summary>
    public HomepageService View => _view ?? throw new InvalidOperationException("the cluster node has not started");

    /// <summary>The search index over the catalogue the view holds now (once <see cref="ReadyAsync"/> has completed).</summary>
    public SearchIndex Search => Volatile.Read(ref _search) ?? throw new InvalidOperationException("the cluster node has not started");

    /// <summary>The store's catalogue counter (<see cref="PostgresEventStore.ReadCatalogueVersionAsync"/>) when the view's catalogue was read.</summary>
    public long CatalogueVersion => Interlocked.Read(ref _catalogueVersion);

    /// <summary>The sequence number of the last stored event this node's view has folded.</summary>
    public long FollowedSequence => Interlocked.Read(ref _seq);

    /// <summary>Completes once the store is open and the whole log has been folded into the view.</summary>
    public Task ReadyAsync() => _ready.Task;

    /// <summary>The moment pages are for (<see cref="EncoreClusterOptions.Clock"/>).</summary>
    public DateTime Now
    {
        get
        {
            if (_options.Clock == ServiceClock.Wall) return DateTime.UtcNow;
            long last = View.LastEventMs;
            return last == long.MinValue ? DateTime.UtcNow : DateTime.UnixEpoch.AddMilliseconds(last);
        }
    }

    /// <summary>Opens the store, reads the catalogue and folds the log; then follows it in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _store = await PostgresEventStore.OpenAsync(_options.Database, cancellationToken).ConfigureAwait(false);
            // Model versions live in the same PostgreSQL database: a version registered by any node is seen by every node.
            _registry = ModelRegistry.Open(_store, _options.ModelsDirectory);
            // The log's end first: every title an event up to it names was stored before it, so the catalogue read next
            // holds them all. Then the counter: a change made while the catalogue is read moves it again, and the
            // follower reads again.
            long through = await _store.ReadLastSequenceAsync(cancellationToken).ConfigureAwait(false);
            _catalogueVersion = await _store.ReadCatalogueVersionAsync(cancellationToken).ConfigureAwait(false);
            var (titleIds, episodeIds, titles) = await SignalCatalogue.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
            var catalogue = RankingCatalogue.Build(titleIds, episodeIds, titles);
            var members = await _store.ReadMemberIdsAsync(cancellationToken).ConfigureAwait(false);
            _search = SearchIndex.Build(titles);
            _resolver = new SearchIntentResolver(_search, catalogue.Signals);
            // The log as it was then, in the order a single node folds it at start; then what is stored after, as it is stored.
            var signals = new SignalSet(catalogue.Signals, members, resolver: _resolver);
            await foreach (var e in _store.ReadEventsThroughAsync(through, null, cancellationToken).ConfigureAwait(false)) signals.Apply(e);
            _view = new HomepageService(catalogue, signals, null, _options.Pages);
            _seq = through;
            _activeModel = await _store.GetPropertyAsync(EncoreService.ActiveModelProperty, cancellationToken).ConfigureAwait(false);
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
            _ready.TrySetResult();
            _follower = Task.Run(() => FollowAsync(_stop.Token), CancellationToken.None);
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            throw;
        }
    }

    /// <summary>Folds every event stored since the last one the view folded (all nodes' appends), in the order they were stored.</summary>
    public async Task CatchUpAsync(CancellationToken ct = default)
    {
        await _follow.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var batch = new List<ViewingEvent>(4096);
            while (true)
            {
                batch.Clear();
                long last = _seq;
                await foreach (var (seq, e) in Store.ReadEventsAfterAsync(last, 4096, ct).ConfigureAwait(false))
                {
                    batch.Add(e);
                    last = seq;
                }
                if (batch.Count == 0) return;
                // An event naming a title this view does not know yet (added through another node since): the
                // catalogue first, so that the event is folded rather than skipped.
                if (NamesUnknownTitle(batch, View.Catalogue.Signals)) await RefreshCatalogueAsync(ct).ConfigureAwait(false);
                View.Apply(batch);
                Interlocked.Exchange(ref _seq, last);
            }
        }
        finally
        {
            _follow.Release();
        }
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.FollowInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await RefreshCatalogueAsync(ct).ConfigureAwait(false);
                    await CatchUpAsync(ct).ConfigureAwait(false);
                    await FollowActiveModelAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or IOException)
                {
                    // The database was unreachable for a moment: the next tick reads from where this one stopped.
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Anything else is logged and the next tick tries again: a follower that stopped would leave this
                    // node's events, catalogue and model behind for good.
                    _log?.LogError(e, "the cluster node failed to follow the store; trying again at the next tick");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Whether an event of <paramref name="events"/> names a title or episode that <paramref name="catalogue"/> does not hold.</summary>
    internal static bool NamesUnknownTitle(IReadOnlyList<ViewingEvent> events, SignalCatalogue catalogue)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(catalogue);
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.TitleId is { } t && e.Kind != EventKind.Search && catalogue.TitleIds.IndexOf(t) < 0) return true;
            if (e.EpisodeId is { } ep && catalogue.EpisodeIds.IndexOf(ep) < 0) return true;
        }
        return false;
    }

    /// <summary>
    /// Reads the catalogue again when the store's catalogue counter moved since the view's was read: the view, the search
    /// index and the page builders move onto it, then every <see cref="OnCatalogueChanged"/> subscriber is called.
    /// Returns whether it changed. The follower calls it at every tick; a member grain calls it when an event names a
    /// title its catalogue does not hold.
    /// </summary>
    public async Task<bool> RefreshCatalogueAsync(CancellationToken ct = default)
    {
        await _catalogueGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            long version = await Store.ReadCatalogueVersionAsync(ct).ConfigureAwait(false);
            if (version == Interlocked.Read(ref _catalogueVersion)) return false;
            var (titleIds, episodeIds, titles) = await SignalCatalogue.ReadAsync(Store, ct).ConfigureAwait(false);
            View.UpdateCatalogue(RankingCatalogue.Build(titleIds, episodeIds, titles));
            Volatile.Write(ref _search, SearchIndex.Build(titles));
            // Builders are made again over the new catalogue when next asked for (BuilderAsync compares catalogues).
            _builders.Clear();
            Interlocked.Exchange(ref _catalogueVersion, version);
            Func<CancellationToken, Task>[] handlers;
            lock (_catalogueHandlers) handlers = [.. _catalogueHandlers];
            foreach (var handler in handlers)
            {
                // A subscriber that fails (its own store unreachable a moment) must not stop this node following the store.
                try { await handler(ct).ConfigureAwait(false); }
                catch (Exception e) when (e is not OperationCanceledException) { _log?.LogError(e, "a catalogue subscriber failed to take in catalogue version {Version}", version); }
            }
            return true;
        }
        finally
        {
            _catalogueGate.Release();
        }
    }

    /// <summary>The store's active model (<see cref="EncoreService.ActiveModelProperty"/>) as this node last read it.</summary>
    public string? ActiveModel => Volatile.Read(ref _activeModel);

    /// <summary>
    /// Reads the store's active model and, when it changed since the last read (a swap through any node), calls every
    /// <see cref="OnActiveModelChanged"/> subscriber with it. The follower calls it at every tick. Pages do not wait for
    /// it: they take the version from the model-version grain when asked for.
    /// </summary>
    public async Task FollowActiveModelAsync(CancellationToken ct = default)
    {
        var version = await Store.GetPropertyAsync(EncoreService.ActiveModelProperty, ct).ConfigureAwait(false);
        if (version is null || version == Volatile.Read(ref _activeModel)) return;
        Volatile.Write(ref _activeModel, version);
        Action<string>[] handlers;
        lock (_modelHandlers) handlers = [.. _modelHandlers];
        foreach (var handler in handlers)
        {
            try { handler(version); }
            catch (Exception e) { _log?.LogError(e, "an active-model subscriber failed to take in model {Version}", version); }
        }
    }

    /// <summary>
    /// Calls <paramref name="use"/> with the new version whenever the store's active model changes (<see cref="FollowActiveModelAsync"/>):
    /// a server hosted in the silo's process makes it its own (<see cref="EncoreService.UseActiveModel"/>).
    /// </summary>
    public void OnActiveModelChanged(Action<string> use)
    {
        ArgumentNullException.ThrowIfNull(use);
        lock (_modelHandlers) _modelHandlers.Add(use);
    }

    /// <summary>
    /// Calls <paramref name="reload"/> after every catalogue change this node takes in (<see cref="RefreshCatalogueAsync"/>):
    /// a server hosted in the silo's process reloads its own catalogue with it (<see cref="EncoreService.ReloadCatalogueAsync"/>).
    /// </summary>
    public void OnCatalogueChanged(Func<CancellationToken, Task> reload)
    {
        ArgumentNullException.ThrowIfNull(reload);
        lock (_catalogueHandlers) _catalogueHandlers.Add(reload);
    }

    /// <summary>
    /// Makes <paramref name="service"/> (the HTTP server's, in this silo's process) a node of the cluster: its events are
    /// folded into the member grains and its member-specific reads answered by them (<see cref="EncoreService.AttachCluster"/>
    /// with a <see cref="ClusterFront"/> over <paramref name="grains"/>), its catalogue is read again whenever this
    /// node takes in a catalogue change made through another node, and a model swap made through another node becomes
    /// its own active model (for what it answers from its own view: similar titles, analytics, the models list). Its
    /// service-wide reads (the clock, trending, audiences by taste, search demand) read this node's view, which follows
    /// every node's events. The node must have started (<see cref="ReadyAsync"/>).
    /// </summary>
    public ClusterFront Attach(EncoreService service, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(grains);
        var front = new ClusterFront(grains, service.Store);
        service.AttachCluster(front, View, front);
        _service.TrySetResult(service);
        OnCatalogueChanged(service.ReloadCatalogueAsync);
        OnActiveModelChanged(service.UseActiveModel);
        return front;
    }

    /// <summary>
    /// Runs one training job of the cluster's queue (<see cref="ITrainingJobsGrain"/>) with the service attached to this
    /// silo (<see cref="Attach"/>): fitted from the store, registered in the shared model store, activated cluster-wide.
    /// A silo joins the cluster before its service has read the log and attached: a job that comes to it meanwhile waits
    /// for the service (and says so in its progress).
    /// </summary>
    public async Task<string> RunTrainingAsync(TrainingSpec spec, IProgress<string> progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (!_service.Task.IsCompleted) progress.Report("waiting for this silo's Encore service to start");
        var service = await _service.Task.WaitAsync(ct).ConfigureAwait(false);
        return await service.RunTrainingAsync(spec, progress, ct).ConfigureAwait(false);
    }

    /// <summary>An empty signal set for one member over the view's catalogue (a member grain folds the member's events into it).</summary>
    public SignalSet NewMemberSignals(string memberId)
        => new(View.Catalogue.Signals, new IdMap([memberId]), resolver: _resolver);

    /// <summary>
    /// The page builder of a model version over the view's catalogue as it is now: the model is loaded once per node from
    /// the registry (opened again when the version was registered by another node after this one opened it), the builder
    /// made again after a catalogue change.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such version in the registry (a member read answers 503: the
    /// cluster names a model this node cannot load, which is the service's state, not the request's fault).</exception>
    public async Task<HomepageBuilder> BuilderAsync(string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        var lazy = _models.GetOrAdd(version, v => new Lazy<Task<TrainedModel>>(() => Task.Run(() => Load(v))));
        TrainedModel model;
        try
        {
            model = await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            _models.TryRemove(new KeyValuePair<string, Lazy<Task<TrainedModel>>>(version, lazy));
            throw;
        }
        var catalogue = View.Catalogue;
        if (_builders.TryGetValue(version, out var kept) && ReferenceEquals(kept.Catalogue, catalogue)) return kept;
        var builder = View.BuilderFor(model);
        _builders[version] = builder;
        return builder;
    }

    private TrainedModel Load(string version)
    {
        // The registry reads the store again for a version it has not seen, so one registered by another node is found.
        if (Registry.Find(version) is null) throw new InvalidOperationException($"model version '{version}' cannot be loaded on this node: it is not in {Registry.Directory}");
        return Registry.Load(version);
    }

    /// <summary>The registry of model versions, kept in the cluster's PostgreSQL database (once the node has started).</summary>
    public ModelRegistry Registry => _registry ?? throw new InvalidOperationException("the cluster node has not started");

    /// <summary>Stops following the log.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_follower is { } f) await f.ConfigureAwait(false);
    }

    /// <summary>Stops following the log and closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync().ConfigureAwait(false);
        if (_follower is { } f) await f.ConfigureAwait(false);
        if (_store is { } s) await s.DisposeAsync().ConfigureAwait(false);
        _view?.Dispose();
        _follow.Dispose();
        _catalogueGate.Dispose();
        _stop.Dispose();
    }
}
