using Encore.Core;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Ranking.Pages;

/// <summary>
/// The homepage in real time: every member's signals in memory, corrected by each event as it arrives (one fold, a few
/// microseconds), and pages built from them and the active model. A new model replaces the old one atomically while
/// pages are being built: a page is built wholly by the model it started with. Events and pages may come from many
/// threads; events are folded one batch at a time, and pages are built while no event is being folded. The service
/// may start before any model exists (a store with no events yet): events are folded from the start, and pages can be
/// built once <see cref="Swap"/> gives it a model.
/// </summary>
public sealed class HomepageService : IDisposable
{
    /// <summary>The catalogue and the builder over it (null until there is a model), replaced together.</summary>
    private sealed record State(RankingCatalogue Catalogue, HomepageBuilder? Builder);

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _replace = new(); // one replacement of the state at a time (a model swap, a catalogue update)
    private readonly SignalSet _signals;
    private readonly PageOptions _options;
    private readonly Dictionary<string, long> _memberVersions = new(StringComparer.Ordinal); // under the lock
    private State _state;

    public HomepageService(RankingCatalogue catalogue, SignalSet signals, TrainedModel? model, PageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(signals);
        _signals = signals;
        _options = options ?? PageOptions.Default;
        _state = new State(catalogue, model is null ? null : new HomepageBuilder(catalogue, model, _options));
    }

    /// <summary>Reads the store's catalogue and log once, for the model given (or none yet).</summary>
    public static async Task<HomepageService> LoadAsync(IEventStore store, TrainedModel? model, PageOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var catalogue = await RankingCatalogue.LoadAsync(store, ct).ConfigureAwait(false);
        var members = await store.ReadMemberIdsAsync(ct).ConfigureAwait(false);
        var resolver = new Search.SearchIntentResolver(await Search.SearchIndex.LoadAsync(store, ct).ConfigureAwait(false), catalogue.Signals);
        var signals = new SignalSet(catalogue.Signals, members, resolver: resolver);
        await foreach (var row in store.ReadInteractionsAsync(EventQuery.All, ct).ConfigureAwait(false)) signals.Apply(row);
        return new HomepageService(catalogue, signals, model, options);
    }

    /// <summary>The model pages are built with now, or null before the first one.</summary>
    public TrainedModel? Model => Volatile.Read(ref _state).Builder?.Model;

    public RankingCatalogue Catalogue => Volatile.Read(ref _state).Catalogue;

    public PageOptions Options => _options;

    /// <summary>Time of the latest event folded (Unix ms; <see cref="long.MinValue"/> before the first).</summary>
    public long LastEventMs
    {
        get
        {
            _lock.EnterReadLock();
            try { return _signals.LastEventMs; }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Folds one event into its member's signals: the next page of that member reflects it.</summary>
    public void Apply(ViewingEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        _lock.EnterWriteLock();
        try
        {
            _signals.Apply(e);
            Touch(e.MemberId);
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Folds a batch of events, in order, under one lock.</summary>
    public void Apply(IReadOnlyList<ViewingEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) return;
        _lock.EnterWriteLock();
        try
        {
            foreach (var e in events)
            {
                _signals.Apply(e);
                Touch(e.MemberId);
            }
        }
        finally { _lock.ExitWriteLock(); }
    }

    private void Touch(string memberId)
    {
        ref long version = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_memberVersions, memberId, out _);
        version++;
    }

    /// <summary>
    /// What a member's page depends on besides the clock: the model and catalogue in use (an object replaced with either)
    /// and how many events of the member were folded since the service started. Two equal stamps mean the same page.
    /// </summary>
    public (object State, long Member) StampOf(string memberId)
    {
        ArgumentNullException.ThrowIfNull(memberId);
        _lock.EnterReadLock();
        try { return (Volatile.Read(ref _state), _memberVersions.GetValueOrDefault(memberId)); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Makes a member known before any event of theirs (a profile created ahead of its first play): its pages are a cold start.</summary>
    public void Register(string memberId)
    {
        ArgumentNullException.ThrowIfNull(memberId);
        _lock.EnterWriteLock();
        try
        {
            _signals.MemberIds.GetOrAdd(memberId);
            Touch(memberId);
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>
    /// Moves the service onto a newer catalogue of the same store (titles added, changed or removed): events folded
    /// from now on know the new titles, and pages are built over the new catalogue at once.
    /// </summary>
    /// <exception cref="ArgumentException">The new catalogue does not extend the one the signals were folded over.</exception>
    public void UpdateCatalogue(RankingCatalogue catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        lock (_replace)
        {
            var model = Volatile.Read(ref _state).Builder?.Model;
            var state = new State(catalogue, model is null ? null : new HomepageBuilder(catalogue, model, _options));
            _lock.EnterWriteLock();
            try
            {
                _signals.Rebase(catalogue.Signals);
                Volatile.Write(ref _state, state);
            }
            finally { _lock.ExitWriteLock(); }
        }
    }

    /// <summary>
    /// Reads the signals as they are, with the active model (null before the first) and the catalogue, while no event is
    /// being folded.
    /// </summary>
    public T Read<T>(Func<SignalSet, TrainedModel?, RankingCatalogue, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        _lock.EnterReadLock();
        try
        {
            // Read under the lock: the catalogue changes with the signals, under the write lock.
            var state = Volatile.Read(ref _state);
            return read(_signals, state.Builder?.Model, state.Catalogue);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Builds a member's page from the signals as they are and the active model.</summary>
    /// <exception cref="InvalidOperationException">No model yet (<see cref="Swap"/> gives one).</exception>
    public Homepage Build(PageRequest request)
    {
        _lock.EnterReadLock();
        try
        {
            var builder = Volatile.Read(ref _state).Builder ?? throw new InvalidOperationException("no model has been trained yet, so there is no page to build");
            return builder.Build(_signals, request);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>
    /// Builds a member's page from the member's signals held apart (<paramref name="member"/>, e.g. by the member's grain
    /// in a cluster) with this service's trends and habits and <paramref name="model"/> (null: the active model). The
    /// member's set reads time as the service does (<see cref="SignalSet.ObserveTime"/>); it must not be written meanwhile.
    /// </summary>
    /// <exception cref="InvalidOperationException">No model given and none active.</exception>
    public Homepage BuildFor(SignalSet member, PageRequest request, HomepageBuilder? model = null)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(request);
        _lock.EnterReadLock();
        try
        {
            var builder = model ?? Volatile.Read(ref _state).Builder ?? throw new InvalidOperationException("no model has been trained yet, so there is no page to build");
            member.ObserveTime(_signals.LastEventMs);
            return builder.Build(member, request, _signals);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>A page builder for <paramref name="model"/> over the catalogue in use now (a cluster node keeps one per model version).</summary>
    public HomepageBuilder BuilderFor(TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new HomepageBuilder(Volatile.Read(ref _state).Catalogue, model, _options);
    }

    /// <summary>Makes <paramref name="model"/> the active model at once; pages already being built finish with the old one.</summary>
    public void Swap(TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (_replace)
        {
            var current = Volatile.Read(ref _state);
            Volatile.Write(ref _state, current with { Builder = new HomepageBuilder(current.Catalogue, model, _options) });
        }
    }

    /// <summary>
    /// Fits a new model from <paramref name="store"/> (its own read of the log, through Signals, on a worker thread) and
    /// swaps it in. Nothing here is locked while it fits: events keep being folded and pages keep being built with the
    /// old model until the swap. Events stored after the read began are not in the new model; pages fold them in.
    /// </summary>
    public async Task<TrainedModel> RetrainAsync(IEventStore store, TrainingRequest request, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        var trained = await Task.Run(() => ModelTraining.TrainAsync(store, request, progress, ct), ct).ConfigureAwait(false);
        Swap(trained);
        return trained;
    }

    public void Dispose() => _lock.Dispose();
}
