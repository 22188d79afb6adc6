using Encore.Core;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Ranking.Pages;

/// <summary>
/// The homepage in real time: every member's signals in memory, corrected by each event as it arrives (one fold, a few
/// microseconds), and pages built from them and the active model. A new model replaces the old one atomically while
/// pages are being built: a page is built wholly by the model it started with. Events and pages may come from many
/// threads; events are folded one at a time, and pages are built while no event is being folded.
/// </summary>
public sealed class HomepageService : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SignalSet _signals;
    private readonly PageOptions _options;
    private HomepageBuilder _builder;

    public HomepageService(RankingCatalogue catalogue, SignalSet signals, TrainedModel model, PageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(model);
        _signals = signals;
        _options = options ?? PageOptions.Default;
        _builder = new HomepageBuilder(catalogue, model, _options);
    }

    /// <summary>Reads the store's catalogue and log once, for the model given.</summary>
    public static async Task<HomepageService> LoadAsync(IEventStore store, TrainedModel model, PageOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var catalogue = await RankingCatalogue.LoadAsync(store, ct).ConfigureAwait(false);
        var members = await store.ReadMemberIdsAsync(ct).ConfigureAwait(false);
        var resolver = new Search.SearchIntentResolver(await Search.SearchIndex.LoadAsync(store, ct).ConfigureAwait(false), catalogue.Signals);
        var signals = new SignalSet(catalogue.Signals, members, resolver: resolver);
        await foreach (var row in store.ReadInteractionsAsync(EventQuery.All, ct).ConfigureAwait(false)) signals.Apply(row);
        return new HomepageService(catalogue, signals, model, options);
    }

    /// <summary>The model pages are built with now.</summary>
    public TrainedModel Model => Volatile.Read(ref _builder).Model;

    public RankingCatalogue Catalogue => Volatile.Read(ref _builder).Catalogue;

    /// <summary>Time of the latest event folded (Unix ms).</summary>
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
        try { _signals.Apply(e); }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Builds a member's page from the signals as they are and the active model.</summary>
    public Homepage Build(PageRequest request)
    {
        var builder = Volatile.Read(ref _builder);
        _lock.EnterReadLock();
        try { return builder.Build(_signals, request); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Makes <paramref name="model"/> the active model at once; pages already being built finish with the old one.</summary>
    public void Swap(TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var current = Volatile.Read(ref _builder);
        Volatile.Write(ref _builder, new HomepageBuilder(current.Catalogue, model, _options));
    }

    /// <summary>Fits a new model on the signals as they are now (reads them under the lock; fitting runs after) and swaps it in.</summary>
    public TrainedModel Retrain(TrainingRequest request, string source, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var trainer = Models.ModelCatalog.CreateTrainer(request.Model, request.Parameters);
        TrainedModel trained;
        _lock.EnterReadLock();
        try { trained = ModelTraining.Fit(_signals, trainer, request, source, progress, ct); }
        finally { _lock.ExitReadLock(); }
        Swap(trained);
        return trained;
    }

    public void Dispose() => _lock.Dispose();
}
