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

namespace Encore.Cluster;

/// <summary>
/// What one silo holds besides its grains: the store, the service-wide view (the catalogue and the trends and habits of
/// the whole service, folded from the log in the order it was stored and kept up by following what every node appends),
/// and the page builders of the model versions it has loaded. A member's own signals live in that member's grain.
/// </summary>
public sealed class ClusterNode : IHostedService, IAsyncDisposable
{
    private readonly EncoreClusterOptions _options;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, Lazy<Task<HomepageBuilder>>> _builders = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _follow = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private PostgresEventStore? _store;
    private HomepageService? _view;
    private SearchIntentResolver? _resolver;
    private ModelRegistry? _registry;
    private long _seq;
    private Task? _follower;

    /// <summary>A node over the options' database (nothing is opened until the host starts it).</summary>
    public ClusterNode(EncoreClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The options the node runs with.</summary>
    public EncoreClusterOptions Options => _options;

    /// <summary>The store (once <see cref="ReadyAsync"/> has completed).</summary>
    public PostgresEventStore Store => _store ?? throw new InvalidOperationException("the cluster node has not started");

    /// <summary>The service-wide view (once <see cref="ReadyAsync"/> has completed).</summary>
    public HomepageService View => _view ?? throw new InvalidOperationException("the cluster node has not started");

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
            var catalogue = await RankingCatalogue.LoadAsync(_store, cancellationToken).ConfigureAwait(false);
            var members = await _store.ReadMemberIdsAsync(cancellationToken).ConfigureAwait(false);
            _resolver = new SearchIntentResolver(await SearchIndex.LoadAsync(_store, cancellationToken).ConfigureAwait(false), catalogue.Signals);
            // The log as it is now, in the order a single node folds it at start; then what is stored after, as it is stored.
            long through = await _store.ReadLastSequenceAsync(cancellationToken).ConfigureAwait(false);
            var signals = new SignalSet(catalogue.Signals, members, resolver: _resolver);
            await foreach (var e in _store.ReadEventsThroughAsync(through, null, cancellationToken).ConfigureAwait(false)) signals.Apply(e);
            _view = new HomepageService(catalogue, signals, null, _options.Pages);
            _seq = through;
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
                try { await CatchUpAsync(ct).ConfigureAwait(false); }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or IOException)
                {
                    // The database was unreachable for a moment: the next tick reads from where this one stopped.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>An empty signal set for one member over the view's catalogue (a member grain folds the member's events into it).</summary>
    public SignalSet NewMemberSignals(string memberId)
        => new(View.Catalogue.Signals, new IdMap([memberId]), resolver: _resolver);

    /// <summary>
    /// The page builder of a model version, loaded once per node from the registry (opened again when the version was
    /// registered by another node after this one opened it).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such version in the registry.</exception>
    public Task<HomepageBuilder> BuilderAsync(string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        var lazy = _builders.GetOrAdd(version, v => new Lazy<Task<HomepageBuilder>>(() => Task.Run(() => Load(v))));
        var task = lazy.Value;
        if (task.IsFaulted) _builders.TryRemove(new KeyValuePair<string, Lazy<Task<HomepageBuilder>>>(version, lazy));
        return task;
    }

    private HomepageBuilder Load(string version)
    {
        // The registry reads the store again for a version it has not seen, so one registered by another node is found.
        if (Registry.Find(version) is null) throw new KeyNotFoundException($"no model version '{version}' in {Registry.Directory}");
        TrainedModel model = Registry.Load(version);
        return View.BuilderFor(model);
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
        _stop.Dispose();
    }
}
