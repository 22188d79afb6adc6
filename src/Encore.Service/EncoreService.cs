using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Encore.Core;
using Encore.Evaluation.Ranking;
using Encore.Evaluation.Tuning;
using Encore.Ingestion;
using Encore.Ingestion.Importers;
using Encore.Models;
using Encore.Ranking;
using Encore.Ranking.Pages;
using Encore.Ranking.Search;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Service;

/// <summary>What became of one element of a batch sent to <see cref="EncoreService.IngestAsync"/>.</summary>
/// <param name="Field">The field at fault (as on the wire, e.g. "position") for a rejected event.</param>
public sealed record EventResult(int Index, string? EventId, EventOutcome Outcome, string? Field = null, string? Reason = null);

/// <summary>What one batch did: how many events were stored, were already there, or were rejected, and each event's fate.</summary>
public sealed record BatchResult(int Stored, int Duplicates, int Rejected, IReadOnlyList<EventResult> Events);

/// <summary>A page of a list: the items, where it started, and how many there are in all.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Offset, int Total);

/// <summary>Why a title is (or is not) on a member's page.</summary>
/// <param name="Row">The row it is on (null when it is not on the page).</param>
/// <param name="Entry">Its entry there, with its score parts.</param>
/// <param name="Reasons">Why not, when it is not on the page (each a sentence).</param>
public sealed record PageExplanation(string MemberId, string TitleId, PageRow? Row, int Position, PageEntry? Entry, IReadOnlyList<string> Reasons);

/// <summary>A member's latest events, their viewing sessions, and how each title's events became signals and a weight (<see cref="SignalExplanation"/>).</summary>
public sealed record MemberTimeline(string MemberId, IReadOnlyList<ViewingEvent> Events, int Sessions, IReadOnlyList<Signals.TitleExplanation> Signals);

/// <summary>
/// Encore running as a live service on one node: the store (the system of record), ingestion, every member's signals
/// in memory (corrected by each event as it is stored), the active model and the versions before it, the search index,
/// and training in the background. Everything the HTTP server offers is a call here; the server only translates.
/// Safe for concurrent use.
/// </summary>
public sealed class EncoreService : IAsyncDisposable
{
    /// <summary>The store property that names the active model version (kept with the data, the same for every node).</summary>
    public const string ActiveModelProperty = "active-model";

    private readonly IEventStore _store;
    private readonly ServiceOptions _options;
    private readonly IngestionPipeline _pipeline;
    private readonly ModelRegistry _registry;
    private readonly HomepageService _live;
    private readonly TrainingJobQueue _jobs;
    private ITrainingJobQueue? _clusterJobs;
    private readonly SemaphoreSlim _catalogueLock = new(1, 1);
    private readonly Lock _activation = new();
    private long _activationsAsked;
    private long _activationApplied; // under _activation
    private readonly ConcurrentDictionary<string, int> _limits = new(StringComparer.Ordinal); // member -> maturity age
    private readonly ConcurrentDictionary<string, byte> _removed = new(StringComparer.Ordinal); // members removed from the store
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _background = [];
    private SearchIndex _search;
    private string? _activeVersion;
    private DateTime _watchedStamp;

    private EncoreService(IEventStore store, ServiceOptions options, ModelRegistry registry, HomepageService live, SearchIndex search)
    {
        _store = store;
        _options = options;
        _registry = registry;
        _live = live;
        _search = search;
        _pipeline = new IngestionPipeline(store, options.Ingestion);
        _jobs = new TrainingJobQueue(RunTrainingAsync);
    }

    public IEventStore Store => _store;
    public ServiceOptions Options => _options;
    public ServiceMetrics Metrics { get; } = new();
    public ModelRegistry Registry => _registry;

    /// <summary>The active model version, or null while there is none.</summary>
    public ModelVersion? ActiveVersion => Volatile.Read(ref _activeVersion) is { } v ? _registry.Find(v) : null;

    /// <summary>Whether pages can be built (a model is active).</summary>
    public bool HasModel => _live.Model is not null;

    /// <summary>
    /// Opens the service over <paramref name="store"/>: reads the catalogue and the whole log once into memory, activates
    /// the model the store names (or the newest version, or a model file `encore train` wrote, or trains one when the
    /// store has events and none exists), and starts watching for new model files and retraining on schedule.
    /// </summary>
    public static async Task<EncoreService> StartAsync(IEventStore store, ServiceOptions options, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        var registry = ModelRegistry.Open(store, options.ModelsDirectory);
        var live = await HomepageService.LoadAsync(store, null, options.Pages, ct).ConfigureAwait(false);
        var titles = new List<Title>();
        await foreach (var t in store.ReadTitlesAsync(ct).ConfigureAwait(false)) titles.Add(t);
        var service = new EncoreService(store, options, registry, live, SearchIndex.Build(titles));
        var present = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var m in store.ReadMembersAsync(ct).ConfigureAwait(false))
        {
            present.Add(m.Id);
            if (m.MaturityLimit is { } limit && MaturityRatings.AgeOf(limit) is { } age) service._limits[m.Id] = age;
        }
        // The store's index holds every member ever stored; those it no longer reads were removed.
        foreach (var id in live.Read((s, _, _) => s.MemberIds.Ids.ToList()))
            if (!present.Contains(id)) service._removed[id] = 0;
        var (events, memberCount, titleCount) = live.Read((s, _, c) => (s.Events, s.MemberIds.Count, c.Titles));
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"read {events:N0} events of {memberCount:N0} members over {titleCount:N0} titles from {store.Location} in {clock.Elapsed.TotalSeconds:F1} s"));
        try
        {
            await service.ActivateInitialModelAsync(progress, ct).ConfigureAwait(false);
        }
        catch
        {
            await service.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        service.StartBackground();
        return service;
    }

    private async Task ActivateInitialModelAsync(IProgress<string>? progress, CancellationToken ct)
    {
        var named = await _store.GetPropertyAsync(ActiveModelProperty, ct).ConfigureAwait(false);
        if (_options.WatchedModelFile is { } file && File.Exists(file))
        {
            // A model `encore train` wrote since the newest version: it becomes a version of its own.
            var stamp = File.GetLastWriteTimeUtc(file);
            _watchedStamp = stamp;
            if (_registry.Latest is not { } latest || latest.RegisteredUtc < stamp)
            {
                var version = _registry.Add(TrainedModelFile.Load(file), "encore train (" + Path.GetFileName(file) + ")", null);
                progress?.Report($"registered {Path.GetFileName(file)} as model {version.Version}");
                named = version.Version;
            }
        }
        if (named is not null && _registry.Find(named) is not null) { Activate(named); return; }
        if (_registry.Latest is { } newest) { Activate(newest.Version); return; }
        bool anyEvents = _live.Read((s, _, _) => s.Events > 0);
        if (!anyEvents || !_options.TrainWhenMissing)
        {
            progress?.Report("no model yet: pages can be built once one is trained (POST /v1/models/train, or `encore train`)");
            return;
        }
        progress?.Report($"no model yet: training {_options.DefaultTraining.Model} on the store");
        var first = await RunTrainingAsync(new TrainingSpec { Model = _options.DefaultTraining.Model, Reason = "start" }, progress ?? new Progress<string>(), ct).ConfigureAwait(false);
        progress?.Report($"model {first} trained and active");
    }

    private void StartBackground()
    {
        var token = _stop.Token;
        if (_options.WatchedModelFile is not null) _background.Add(Task.Run(() => WatchModelFileAsync(token), token));
        if (_options.RetrainEvery is { } every) _background.Add(Task.Run(() => RetrainOnScheduleAsync(every, token), token));
    }

    // ---------------- events ----------------

    /// <summary>
    /// Validates and stores a batch as read from the wire (elements that could not be read are rejected at their
    /// position); answers once the stored events are durable, after they were folded into their members' signals.
    /// A bad event never holds back the good ones; an event id already stored is a duplicate and changes nothing.
    /// </summary>
    public async Task<BatchResult> IngestAsync(IReadOnlyList<EventBatchEntry> batch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count > _options.MaxEventsPerBatch)
            throw ServiceException.BadRequest($"the batch holds {batch.Count:N0} events; at most {_options.MaxEventsPerBatch:N0}");
        var events = new List<ViewingEvent>(batch.Count);
        var positions = new List<int>(batch.Count);
        var results = new EventResult[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            if (batch[i].Event is { } e) { events.Add(e); positions.Add(i); }
            else
            {
                results[i] = new EventResult(i, batch[i].EventId, EventOutcome.Rejected, "body", batch[i].Error);
                Metrics.Malformed();
            }
        }
        var ingested = await _pipeline.IngestAsync(events, ct).ConfigureAwait(false);
        var reasons = new Dictionary<int, EventRejection>();
        foreach (var r in ingested.Rejected) reasons[r.Index] = r;
        var stored = new List<ViewingEvent>(ingested.Accepted);
        for (int j = 0; j < events.Count; j++)
        {
            var outcome = ingested.Outcomes[j];
            var e = events[j];
            Metrics.Event(Enum.IsDefined(e.Kind) ? e.Kind : EventKind.Impression, outcome);
            if (outcome == EventOutcome.Stored) stored.Add(e);
            results[positions[j]] = outcome == EventOutcome.Rejected && reasons.TryGetValue(j, out var why)
                ? new EventResult(positions[j], e.EventId, outcome, EventFields.FromPropertyName(why.Field), why.Reason)
                : new EventResult(positions[j], e.EventId, outcome);
        }
        _live.Apply(stored);
        if (Volatile.Read(ref _router) is { } router)
        {
            // Stored, or stored before (a batch sent again after a failure): the members' grains skip what they have.
            var kept = new List<ViewingEvent>(events.Count);
            for (int j = 0; j < events.Count; j++) if (ingested.Outcomes[j] != EventOutcome.Rejected) kept.Add(events[j]);
            await router.FoldAsync(kept, ct).ConfigureAwait(false);
        }
        return new BatchResult(ingested.Accepted, ingested.Duplicates, batch.Count - ingested.Accepted - ingested.Duplicates, results);
    }

    // ---------------- catalogue and members ----------------

    /// <summary>Adds or replaces titles; pages, search and ingestion know them once this returns.</summary>
    /// <exception cref="ServiceException">A title breaks a rule (the message names the title and the field).</exception>
    public async Task UpsertTitlesAsync(IReadOnlyList<Title> titles, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(titles);
        foreach (var title in titles)
        {
            var errors = CatalogueValidator.Validate(title, _options.Ingestion);
            if (errors.Count > 0) throw ServiceException.BadRequest($"title {UnicodeText.Quote(title.Id ?? "")}: {errors[0]}");
            if (title.MaturityRating is { } rating && MaturityRatings.AgeOf(rating) is null)
                throw ServiceException.BadRequest($"title {UnicodeText.Quote(title.Id)}: maturity_rating: unknown rating {UnicodeText.Quote(rating)}; known: {string.Join(", ", MaturityRatings.Known)}, or an age");
        }
        if (titles.Count == 0) return;
        await ChangeCatalogueAsync(() => _store.UpsertTitlesAsync(titles, ct), ct).ConfigureAwait(false);
    }

    /// <summary>Removes a title from the catalogue (it is never offered again; its events stay). False when there is none.</summary>
    public async Task<bool> RemoveTitleAsync(string titleId, CancellationToken ct = default)
    {
        bool removed = false;
        await ChangeCatalogueAsync(async () => removed = await _store.RemoveTitleAsync(titleId, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        return removed;
    }

    /// <summary>
    /// Reads the catalogue again from the store into pages and search: what a node of a cluster does when another node
    /// changed the catalogue (Encore.Cluster's node calls it when the store's catalogue counter moves).
    /// </summary>
    public Task ReloadCatalogueAsync(CancellationToken ct = default) => ChangeCatalogueAsync(() => Task.CompletedTask, ct);

    /// <summary>A change to the catalogue, then the catalogue read again into pages and search (one change at a time).</summary>
    private async Task ChangeCatalogueAsync(Func<Task> change, CancellationToken ct)
    {
        await _catalogueLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await change().ConfigureAwait(false);
            var (titleIds, episodeIds, titles) = await SignalCatalogue.ReadAsync(_store, ct).ConfigureAwait(false);
            _live.UpdateCatalogue(RankingCatalogue.Build(titleIds, episodeIds, titles));
            Volatile.Write(ref _search, SearchIndex.Build(titles));
        }
        finally
        {
            _catalogueLock.Release();
        }
    }

    public Task<Title?> GetTitleAsync(string titleId, CancellationToken ct = default) => _store.GetTitleAsync(titleId, ct);

    /// <summary>A title of the catalogue as the service holds it in memory (no store read), or null.</summary>
    public Title? FindTitle(string titleId)
    {
        var index = Volatile.Read(ref _search);
        return index.TitleIds.TryGetIndex(titleId, out int t) ? index[t] : null;
    }

    /// <summary>Titles in catalogue order (those whose id starts with <paramref name="prefix"/>, where given), <paramref name="limit"/> from <paramref name="offset"/>.</summary>
    public Paged<Title> ListTitles(int offset, int limit, string? prefix = null)
    {
        CheckPage(offset, limit);
        var index = Volatile.Read(ref _search);
        var items = new List<Title>(Math.Min(limit, Math.Max(0, index.Count - offset)));
        int total = 0;
        for (int i = 0; i < index.Count; i++)
        {
            if (prefix is not null && !index[i].Id.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (total++ >= offset && items.Count < limit) items.Add(index[i]);
        }
        return new Paged<Title>(items, offset, total);
    }

    /// <summary>Adds or replaces members; a member with a maturity limit is held to it on every page and search.</summary>
    public async Task UpsertMembersAsync(IReadOnlyList<Member> members, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        foreach (var member in members)
        {
            var errors = CatalogueValidator.Validate(member, _options.Ingestion);
            if (errors.Count > 0) throw ServiceException.BadRequest($"member {UnicodeText.Quote(member.Id ?? "")}: {errors[0]}");
            if (member.MaturityLimit is { } limit && MaturityRatings.AgeOf(limit) is null)
                throw ServiceException.BadRequest($"member {UnicodeText.Quote(member.Id)}: maturity_limit: unknown rating {UnicodeText.Quote(limit)}; known: {string.Join(", ", MaturityRatings.Known)}, or an age such as 12");
        }
        await _store.UpsertMembersAsync(members, ct).ConfigureAwait(false);
        foreach (var member in members)
        {
            _live.Register(member.Id);
            _removed.TryRemove(member.Id, out _);
            if (member.MaturityLimit is { } limit) _limits[member.Id] = MaturityRatings.AgeOf(limit)!.Value;
            else _limits.TryRemove(member.Id, out _);
        }
        if (Volatile.Read(ref _router) is { } router) await router.ProfilesChangedAsync([.. members.Select(m => m.Id)], ct).ConfigureAwait(false);
    }

    public Task<Member?> GetMemberAsync(string memberId, CancellationToken ct = default) => _store.GetMemberAsync(memberId, ct);

    /// <summary>Removes a member: no more pages, their new events refused; their past events stay in the log.</summary>
    public async Task<bool> RemoveMemberAsync(string memberId, CancellationToken ct = default)
    {
        bool removed = await _store.RemoveMemberAsync(memberId, ct).ConfigureAwait(false);
        if (removed)
        {
            _limits.TryRemove(memberId, out _);
            _removed[memberId] = 0;
            if (Volatile.Read(ref _router) is { } router) await router.ProfilesChangedAsync([memberId], ct).ConfigureAwait(false);
        }
        return removed;
    }

    /// <summary>Members in the store's order (those whose id starts with <paramref name="prefix"/>, where given), <paramref name="limit"/> from <paramref name="offset"/>.</summary>
    public async Task<Paged<Member>> ListMembersAsync(int offset, int limit, CancellationToken ct = default, string? prefix = null)
    {
        CheckPage(offset, limit);
        var items = new List<Member>(Math.Min(limit, 1024));
        int total = 0;
        await foreach (var m in _store.ReadMembersAsync(ct).ConfigureAwait(false))
        {
            if (prefix is not null && !m.Id.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (total >= offset && items.Count < limit) items.Add(m);
            total++;
        }
        return new Paged<Member>(items, offset, total);
    }

    private static void CheckPage(int offset, int limit)
    {
        if (offset < 0) throw ServiceException.BadRequest($"offset must be >= 0 (got {offset})");
        if (limit is < 1 or > 1000) throw ServiceException.BadRequest($"limit must be in 1..1000 (got {limit})");
    }

    // ---------------- recommendations ----------------

    /// <summary>The moment pages are for: the machine's clock, or the latest event's time (<see cref="ServiceClock"/>).</summary>
    public DateTime Now
    {
        get
        {
            if (_options.Clock == ServiceClock.Wall) return DateTime.UtcNow;
            long last = ServiceWide.LastEventMs;
            return last == long.MinValue ? DateTime.UtcNow : DateTime.UnixEpoch.AddMilliseconds(last);
        }
    }

    /// <summary>The member's whole homepage for a device (rows and titles per row default to the device's layout).</summary>
    /// <param name="maturity">A stricter limit than the profile's, for this page (a rating or an age); never a looser one.</param>
    public Homepage Homepage(string memberId, DeviceKind device, int? rows = null, int? titlesPerRow = null, string? maturity = null, bool explain = false)
    {
        var request = PageRequestFor(memberId, device, rows, titlesPerRow, maturity, explain);
        var key = new PageKey(memberId, device, rows, titlesPerRow, request.MaturityLimit);
        long minute = request.AtUtc.Ticks / TimeSpan.TicksPerMinute;
        var stamp = _live.StampOf(memberId);
        if (!explain && _options.CachedPages > 0 && _pages.TryGetValue(key, out var kept)
            && kept.Minute == minute && kept.Member == stamp.Member && ReferenceEquals(kept.State, stamp.State))
        {
            Metrics.CachedPage();
            return kept.Page;
        }
        var clock = Stopwatch.StartNew();
        Homepage page;
        try { page = _live.Build(request); }
        catch (InvalidOperationException e) { throw new ServiceException(ServiceErrorKind.Unavailable, e.Message + "; train one with POST /v1/models/train", e); }
        Metrics.Page(clock.Elapsed.TotalSeconds);
        if (!explain && _options.CachedPages > 0)
        {
            if (_pages.Count >= _options.CachedPages) _pages.Clear();
            // The stamp read before the build: an event folded meanwhile makes the next request build again.
            _pages[key] = new KeptPage(page, stamp.State, stamp.Member, minute);
        }
        return page;
    }

    private IMemberStateRouter? _router;
    private HomepageService? _clusterView;

    /// <summary>
    /// The signals service-wide reads use (the clock, trending, a title's audience by taste, search demand): this
    /// service's own, or on a node of a cluster the view that follows every node's events (<see cref="AttachCluster"/>).
    /// </summary>
    private HomepageService ServiceWide => Volatile.Read(ref _clusterView) ?? _live;

    /// <summary>
    /// Runs this service as a node of a cluster: events stored here are also folded into their members' grains, and
    /// every member-specific read (<see cref="HomepageAsync"/>, <see cref="RowsAsync"/>, <see cref="TopNAsync"/>,
    /// <see cref="ExplainAsync"/>, <see cref="TimelineAsync"/>, <see cref="SearchAsync"/>) is answered by the member's
    /// grain with the cluster's active model. Service-wide reads that fold the log (the clock of
    /// <see cref="ServiceClock.LatestEvent"/>, trending, a title's audience by taste, search demand) read
    /// <paramref name="serviceView"/> when given: the view a cluster node keeps of every node's events (without it, this
    /// service's own view, which holds only the events stored through this node after it started).
    /// Training jobs go to <paramref name="jobs"/> when given: the cluster's one queue, so that a job started through
    /// any node is seen through every node, and a schedule every node runs retrains once a period.
    /// </summary>
    public void AttachCluster(IMemberStateRouter router, HomepageService? serviceView = null, ITrainingJobQueue? jobs = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        Volatile.Write(ref _clusterView, serviceView);
        Volatile.Write(ref _clusterJobs, jobs);
        Volatile.Write(ref _router, router);
    }

    /// <summary>Whether this service is a node of a cluster (<see cref="AttachCluster"/>).</summary>
    public bool IsClusterNode => Volatile.Read(ref _router) is not null;

    /// <summary>
    /// The member's homepage: <see cref="Homepage"/> on a single node; on a node of a cluster, built by the member's grain
    /// (wherever it lives) from every event any node stored, with the cluster's active model.
    /// </summary>
    public async Task<Homepage> HomepageAsync(string memberId, DeviceKind device, int? rows = null, int? titlesPerRow = null, string? maturity = null,
        bool explain = false, CancellationToken ct = default)
    {
        if (Volatile.Read(ref _router) is not { } router) return Homepage(memberId, device, rows, titlesPerRow, maturity, explain);
        if (string.IsNullOrEmpty(memberId)) throw ServiceException.BadRequest("the member id is empty");
        if (rows is < 1 or > 100) throw ServiceException.BadRequest($"rows must be in 1..100 (got {rows})");
        if (titlesPerRow is < 1 or > 500) throw ServiceException.BadRequest($"titlesPerRow must be in 1..500 (got {titlesPerRow})");
        // The profile's limit (and whether the member was removed) is the member's grain's, read from the store.
        var request = new PageRequest
        {
            MemberId = memberId, Device = device, AtUtc = default, Rows = rows, TitlesPerRow = titlesPerRow,
            MaturityLimit = AskedLimit(maturity), Explain = explain,
        };
        var clock = Stopwatch.StartNew();
        var page = await RoutedAsync(() => router.HomepageAsync(request, ct)).ConfigureAwait(false);
        Metrics.Page(clock.Elapsed.TotalSeconds);
        return page;
    }

    /// <summary>Homepages held in the page cache now (at most <see cref="ServiceOptions.CachedPages"/>).</summary>
    public int CachedPageCount => _pages.Count;

    private readonly record struct PageKey(string Member, DeviceKind Device, int? Rows, int? TitlesPerRow, int? Maturity);

    private sealed record KeptPage(Homepage Page, object State, long Member, long Minute);

    private readonly ConcurrentDictionary<PageKey, KeptPage> _pages = new();

    private PageRequest PageRequestFor(string memberId, DeviceKind device, int? rows, int? titlesPerRow, string? maturity, bool explain)
    {
        RequireMember(memberId);
        if (rows is < 1 or > 100) throw ServiceException.BadRequest($"rows must be in 1..100 (got {rows})");
        if (titlesPerRow is < 1 or > 500) throw ServiceException.BadRequest($"titlesPerRow must be in 1..500 (got {titlesPerRow})");
        return new PageRequest
        {
            MemberId = memberId, Device = device, AtUtc = Now, Rows = rows, TitlesPerRow = titlesPerRow,
            MaturityLimit = LimitFor(memberId, maturity), Explain = explain,
        };
    }

    /// <summary>The stricter of the profile's limit and the request's.</summary>
    private int? LimitFor(string memberId, string? requested)
    {
        int? asked = AskedLimit(requested);
        int? profile = _limits.TryGetValue(memberId, out int age) ? age : null;
        return MemberReads.Stricter(asked, profile);
    }

    /// <summary>The request's own limit as an age (a rating or an age), or null.</summary>
    private static int? AskedLimit(string? requested) => requested is null ? null
        : MaturityRatings.AgeOf(requested) ?? throw ServiceException.BadRequest($"maturity: unknown rating {UnicodeText.Quote(requested)}; known: {string.Join(", ", MaturityRatings.Known)}, or an age such as 12");

    /// <summary>The member is one the service knows (stored, registered by an event or created here) and was not removed.</summary>
    private void RequireMember(string memberId)
    {
        if (string.IsNullOrEmpty(memberId)) throw ServiceException.BadRequest("the member id is empty");
        bool known = _live.Read((s, _, _) => s.MemberIds.IndexOf(memberId) >= 0);
        if (!known) throw ServiceException.NotFound($"no member {UnicodeText.Quote(memberId)}; create it (PUT /v1/members/{{id}}) or send its events");
        if (_removed.ContainsKey(memberId)) throw ServiceException.NotFound($"member {UnicodeText.Quote(memberId)} was removed");
    }

    /// <summary>The rows of one kind on the member's page (a genre row by its genre; several "because you watched" rows).</summary>
    public IReadOnlyList<PageRow> Rows(string memberId, RowKind kind, DeviceKind device, string? genre = null, int? titles = null, string? maturity = null)
    {
        var page = Homepage(memberId, device, rows: 100, titlesPerRow: titles, maturity: maturity);
        return RowsOf(page, kind, genre);
    }

    /// <summary>The member's top titles (titles begun, rated or with negative evidence left out), with filters.</summary>
    public IReadOnlyList<RankedTitle> TopN(string memberId, int count, string? genre = null, IReadOnlyCollection<string>? exclude = null,
        DeviceKind? device = null, string? maturity = null)
    {
        RequireMember(memberId);
        var request = TopNRequestFor(memberId, count, genre, exclude, device, LimitFor(memberId, maturity)) with { AtUtc = Now };
        return _live.Read((signals, model, catalogue) =>
        {
            if (model is null) throw new ServiceException(ServiceErrorKind.Unavailable, "no model has been trained yet; train one with POST /v1/models/train");
            try { return MemberReads.TopN(model, signals, catalogue, request); }
            catch (ArgumentException e) { throw ServiceException.BadRequest(e.Message, e); }
        });
    }

    private static TopNRequest TopNRequestFor(string memberId, int count, string? genre, IReadOnlyCollection<string>? exclude, DeviceKind? device, int? limit)
    {
        if (count is < 1 or > 500) throw ServiceException.BadRequest($"n must be in 1..500 (got {count})");
        return new TopNRequest
        {
            MemberId = memberId, Count = count, Genre = genre, ExcludeTitleIds = exclude is null ? null : [.. exclude], Device = device,
            MaturityLimit = limit,
        };
    }

    /// <summary>
    /// The member's top titles (<see cref="TopN"/>): on a node of a cluster, built by the member's grain (wherever it
    /// lives) from every event any node stored, with the cluster's active model.
    /// </summary>
    public async Task<IReadOnlyList<RankedTitle>> TopNAsync(string memberId, int count, string? genre = null, IReadOnlyCollection<string>? exclude = null,
        DeviceKind? device = null, string? maturity = null, CancellationToken ct = default)
    {
        if (Volatile.Read(ref _router) is not { } router) return TopN(memberId, count, genre, exclude, device, maturity);
        RequireClusterMember(memberId);
        var request = TopNRequestFor(memberId, count, genre, exclude, device, AskedLimit(maturity));
        return await RoutedAsync(() => router.TopNAsync(request, ct)).ConfigureAwait(false);
    }

    /// <summary>
    /// The rows of one kind on the member's page (<see cref="Rows"/>): on a node of a cluster, read from the page the
    /// member's grain builds (<see cref="HomepageAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<PageRow>> RowsAsync(string memberId, RowKind kind, DeviceKind device, string? genre = null, int? titles = null, string? maturity = null,
        CancellationToken ct = default)
    {
        if (Volatile.Read(ref _router) is null) return Rows(memberId, kind, device, genre, titles, maturity);
        var page = await HomepageAsync(memberId, device, rows: 100, titlesPerRow: titles, maturity: maturity, ct: ct).ConfigureAwait(false);
        return RowsOf(page, kind, genre);
    }

    private static List<PageRow> RowsOf(Homepage page, RowKind kind, string? genre)
        => page.Rows.Where(r => r.Kind == kind && (genre is null || string.Equals(r.Label, genre, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>
    /// A member id a cluster node can route: not empty. Whether the member exists or was removed, and the profile's
    /// maturity limit, are the member's grain's (read from the store, read again when a node changes the profile).
    /// </summary>
    private static void RequireClusterMember(string memberId)
    {
        if (string.IsNullOrEmpty(memberId)) throw ServiceException.BadRequest("the member id is empty");
    }

    /// <summary>A read answered by the member's grain, its errors made the service's (a bad request, an unknown title).</summary>
    private async Task<T> RoutedAsync<T>(Func<Task<T>> read)
    {
        try { return await read().ConfigureAwait(false); }
        catch (KeyNotFoundException e) { throw new ServiceException(ServiceErrorKind.NotFound, e.Message, e); }
        catch (ArgumentException e) { throw ServiceException.BadRequest(e.Message, e); }
        // Where the member's state lives cannot answer (e.g. the cluster's model is not loadable there): the service's state, not the request.
        catch (InvalidOperationException e) { throw new ServiceException(ServiceErrorKind.Unavailable, e.Message, e); }
    }

    /// <summary>Titles similar to a title by the similar-titles model (not personalized), available now.</summary>
    public IReadOnlyList<RankedTitle> Similar(string titleId, int count)
    {
        if (count is < 1 or > 500) throw ServiceException.BadRequest($"n must be in 1..500 (got {count})");
        var now = Now;
        return _live.Read((signals, model, catalogue) =>
        {
            if (model is null) throw new ServiceException(ServiceErrorKind.Unavailable, "no model has been trained yet; train one with POST /v1/models/train");
            int c = catalogue.Signals.TitleIds.IndexOf(titleId);
            if (c < 0 || catalogue.AvailableUntilMs[c] == long.MinValue) throw ServiceException.NotFound($"no title {UnicodeText.Quote(titleId)}");
            var similar = model.Similar;
            int m = similar.TitleIds.IndexOf(titleId);
            if (m < 0) return (IReadOnlyList<RankedTitle>)[];
            var scores = new float[similar.TitleIds.Count];
            similar.SimilarTitles(m, scores);
            scores[m] = float.NegativeInfinity;
            long at = new DateTimeOffset(now).ToUnixTimeMilliseconds();
            for (int t = 0; t < scores.Length; t++)
            {
                int ct = catalogue.Signals.TitleIds.IndexOf(similar.TitleIds[t]);
                if (ct < 0 || !catalogue.IsAvailable(ct, at)) scores[t] = float.NegativeInfinity;
            }
            var top = new int[Math.Min(count, scores.Length)];
            var values = new float[top.Length];
            int n = Models.TopN.Select(scores, top.Length, top, values);
            var list = new RankedTitle[n];
            for (int i = 0; i < n; i++)
            {
                int ct = catalogue.Signals.TitleIds.IndexOf(similar.TitleIds[top[i]]);
                list[i] = new RankedTitle(similar.TitleIds[top[i]], catalogue.Signals.Names[ct], values[i],
                    [.. catalogue.Signals.TitleGenres[ct].Select(g => catalogue.Signals.Genres[g])]);
            }
            return list;
        });
    }

    /// <summary>The titles rising most over the window, service-wide.</summary>
    public IReadOnlyList<TrendingTitle> Trending(TrendWindow window, int count)
    {
        if (count is < 1 or > 500) throw ServiceException.BadRequest($"n must be in 1..500 (got {count})");
        var now = Now;
        return ServiceWide.Read((signals, _, catalogue) => TrendScores.Top(signals, catalogue, window, now, count));
    }

    /// <summary>Search ranked for the member: text matches (typos folded) with the member's own score blended in.</summary>
    public SearchResult Search(string query, string memberId, int count, string? maturity = null)
    {
        RequireMember(memberId);
        var request = SearchRequestFor(query, memberId, count, LimitFor(memberId, maturity)) with { AtUtc = Now };
        var index = Volatile.Read(ref _search);
        return _live.Read((signals, model, _) => MemberReads.Search(index, model, signals, request));
    }

    private static MemberSearchRequest SearchRequestFor(string query, string memberId, int count, int? limit)
    {
        if (string.IsNullOrWhiteSpace(query) || SearchText.Normalize(query).Length == 0)
            throw ServiceException.BadRequest($"the query {UnicodeText.Quote(query ?? "")} has no letter or digit to search for");
        if (count is < 1 or > SearchRequest.MaxCount) throw ServiceException.BadRequest($"n must be in 1..{SearchRequest.MaxCount} (got {count})");
        return new MemberSearchRequest { MemberId = memberId, Query = query, Count = count, MaturityLimit = limit };
    }

    /// <summary>
    /// Search ranked for the member (<see cref="Search"/>): on a node of a cluster, the member's score comes from the
    /// member's grain (wherever it lives), over that node's catalogue, with the cluster's active model.
    /// </summary>
    public async Task<SearchResult> SearchAsync(string query, string memberId, int count, string? maturity = null, CancellationToken ct = default)
    {
        if (Volatile.Read(ref _router) is not { } router) return Search(query, memberId, count, maturity);
        RequireClusterMember(memberId);
        var request = SearchRequestFor(query, memberId, count, AskedLimit(maturity));
        return await RoutedAsync(() => router.SearchAsync(request, ct)).ConfigureAwait(false);
    }

    /// <summary>Why a title is on the member's page (its row, place and score parts), or why it is not.</summary>
    public PageExplanation Explain(string memberId, string titleId, DeviceKind device)
    {
        var request = new ExplainRequest { MemberId = memberId, TitleId = titleId, Device = device, MaturityLimit = LimitFor(memberId, null) };
        var page = Homepage(memberId, device, explain: true);
        request = request with { AtUtc = page.AtUtc };
        try { return _live.Read((signals, model, catalogue) => MemberReads.Explain(page, signals, model, catalogue, request)); }
        catch (KeyNotFoundException e) { throw new ServiceException(ServiceErrorKind.NotFound, e.Message, e); }
    }

    /// <summary>
    /// Why a title is on the member's page, or why not (<see cref="Explain"/>): on a node of a cluster, from the page and
    /// the signals of the member's grain (wherever it lives), with the cluster's active model.
    /// </summary>
    public async Task<PageExplanation> ExplainAsync(string memberId, string titleId, DeviceKind device, CancellationToken ct = default)
    {
        if (Volatile.Read(ref _router) is not { } router) return Explain(memberId, titleId, device);
        RequireClusterMember(memberId);
        if (string.IsNullOrEmpty(titleId)) throw ServiceException.BadRequest("the title id is empty");
        var request = new ExplainRequest { MemberId = memberId, TitleId = titleId, Device = device };
        return await RoutedAsync(() => router.ExplainAsync(request, ct)).ConfigureAwait(false);
    }

    /// <summary>
    /// The member's latest events (newest last), their sessions and how each title's events became signals; on a node
    /// of a cluster, the signals are those of the member's grain (wherever it lives).
    /// </summary>
    public async Task<MemberTimeline> TimelineAsync(string memberId, int maxEvents, CancellationToken ct = default)
    {
        if (maxEvents is < 1 or > 10_000) throw ServiceException.BadRequest($"events must be in 1..10000 (got {maxEvents})");
        var request = new TimelineRequest { MemberId = memberId, MaxEvents = maxEvents };
        if (Volatile.Read(ref _router) is { } router)
        {
            // The events are the store's, the signals those of the member's grain, wherever it lives.
            RequireClusterMember(memberId);
            return await RoutedAsync(() => router.TimelineAsync(request, ct)).ConfigureAwait(false);
        }
        RequireMember(memberId);
        var events = await MemberReads.LatestEventsAsync(_store, memberId, maxEvents, ct).ConfigureAwait(false);
        request = request with { AtUtc = Now };
        return _live.Read((s, model, _) => MemberReads.Timeline(events, s, model?.Preferences ?? PreferenceOptions.Default, request));
    }

    private sealed record CachedOverview(DateTime At, int Hours, ServiceOverview Overview);

    private CachedOverview? _overview;

    /// <summary>
    /// The console's overview of the last <paramref name="hours"/> hours of the service's clock (read from the log; kept
    /// for ten seconds, so a console refreshing itself costs one read of the window).
    /// </summary>
    public async Task<ServiceOverview> OverviewAsync(int hours, CancellationToken ct = default)
    {
        if (hours is < 1 or > 24 * 14) throw ServiceException.BadRequest($"hours must be in 1..336 (got {hours})");
        if (Volatile.Read(ref _overview) is { } cached && cached.Hours == hours && DateTime.UtcNow - cached.At < TimeSpan.FromSeconds(10)) return cached.Overview;
        var now = Now;
        var trending = Trending(TrendWindow.Day, 5).Select(t => (t.TitleId, t.Name)).ToList();
        var overview = await ServiceStatistics.OverviewAsync(_store, now, hours, trending, ct).ConfigureAwait(false);
        Volatile.Write(ref _overview, new CachedOverview(DateTime.UtcNow, hours, overview));
        return overview;
    }

    /// <summary>Who watches a title: viewers and finishers, by device and by taste (each viewer's most played genre), plays per day.</summary>
    public async Task<TitleAudience> AudienceAsync(string titleId, int days, CancellationToken ct = default)
    {
        if (days is < 1 or > 365) throw ServiceException.BadRequest($"days must be in 1..365 (got {days})");
        var title = await _store.GetTitleAsync(titleId, ct).ConfigureAwait(false) ?? throw ServiceException.NotFound($"no title {UnicodeText.Quote(titleId)}");
        var tastes = new Dictionary<string, string?>(StringComparer.Ordinal);
        var audience = await ServiceStatistics.AudienceAsync(_store, title, Now, days, member =>
        {
            if (!tastes.TryGetValue(member, out var taste)) tastes[member] = taste = ServiceWide.Read((s, _, c) => FavouriteGenre(s, c.Signals, member));
            return taste;
        }, ct).ConfigureAwait(false);
        return audience;
    }

    /// <summary>What members searched for and could not find or did not play, over the period (the whole log by default).</summary>
    public Task<Analytics.Search.SearchDemandReport> SearchDemandAsync(DateTime? fromUtc, DateTime? toUtc, int minMembers, CancellationToken ct = default)
    {
        if (minMembers is < 1 or > 1_000_000) throw ServiceException.BadRequest($"minMembers must be in 1..1000000 (got {minMembers})");
        if (fromUtc is { } f && toUtc is { } t && t <= f) throw ServiceException.BadRequest($"to ({t:O}) must be after from ({f:O})");
        var index = Volatile.Read(ref _search);
        return Analytics.Search.SearchDemand.AnalyzeAsync(_store, index,
            member => ServiceWide.Read((s, _, _) => s.MemberIds.TryGetIndex(member, out int m) ? s.SessionsOf(m) : 0),
            new Analytics.Search.SearchDemandOptions { FromUtc = fromUtc, ToUtc = toUtc, MinMembers = minMembers }, ct);
    }

    /// <summary>
    /// A campaign's take-rate estimated from the logged impressions before it runs (<see cref="Analytics.OffPolicy.CampaignEstimation"/>):
    /// every estimator with its interval, the effective sample size and support warnings.
    /// </summary>
    public async Task<Analytics.OffPolicy.CampaignEstimate> EstimateCampaignAsync(Analytics.OffPolicy.CampaignRequest request, CancellationToken ct = default)
    {
        try
        {
            return await Analytics.OffPolicy.CampaignEstimation.EstimateAsync(_store, request, ct);
        }
        catch (ArgumentException e)
        {
            throw ServiceException.BadRequest(e.Message, e);
        }
    }

    /// <summary>
    /// An A/B experiment read from the log: members assigned by hashing with the experiment's name, the sample-ratio check,
    /// each metric per variant with its interval and test, CUPED over <paramref name="preDays"/> before the start, and the
    /// always-valid sequential tests after a look every day.
    /// </summary>
    public async Task<Analytics.Experiments.ExperimentReport> ExperimentAsync(string name, DateTime startUtc, int days, IReadOnlyList<Analytics.Experiments.Variant> variants,
        double holdout = 0, int preDays = 7, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name)) throw ServiceException.BadRequest("the experiment needs its name: the salt its members were assigned with");
        if (days is < 1 or > 3650) throw ServiceException.BadRequest($"days must be in 1..3650 (got {days})");
        if (preDays is < 0 or > 365) throw ServiceException.BadRequest($"preDays must be in 0..365 (got {preDays})");
        if (variants.Count < 2) throw ServiceException.BadRequest($"an experiment needs at least two variants (got {variants.Count})");
        Analytics.Experiments.VariantAssigner assigner;
        try
        {
            assigner = new Analytics.Experiments.VariantAssigner(name, variants, holdout);
        }
        catch (ArgumentException e)
        {
            throw ServiceException.BadRequest(e.Message, e);
        }
        var outcomes = await Analytics.Experiments.MemberOutcomes.ReadAsync(_store, startUtc, days, preDays, ct);
        return Analytics.Experiments.ExperimentAnalyzer.Analyze(outcomes, assigner);
    }

    // ---------------- audience and targeting ----------------

    private sealed record KeptAudience(string Version, TrainedModel Trained, Models.Ials.IalsRecommender Ials, Analytics.Audience.AudienceModel Audience);

    private KeptAudience? _audience;
    private readonly SemaphoreSlim _audienceGate = new(1, 1);

    /// <summary>
    /// The audience model of the active version (metadata mapped into its iALS title space), fitted on first use and kept
    /// until another version is activated. A model that is not iALS has no title space to map into: a clear refusal.
    /// </summary>
    private async Task<KeptAudience> AudienceModelAsync(CancellationToken ct)
    {
        var version = ActiveVersion?.Version ?? throw new ServiceException(ServiceErrorKind.Unavailable, "there is no active model yet; train one with POST /v1/models/train");
        if (Volatile.Read(ref _audience) is { } kept && kept.Version == version) return kept;
        await _audienceGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _audience) is { } again && again.Version == version) return again;
            var trained = _registry.Load(version);
            if (trained.Recommender is not Models.Ials.IalsRecommender ials)
                throw ServiceException.BadRequest($"the active model {version} is '{trained.Recommender.Name}'; audiences and targeting need an iALS model's title factors (train and activate one: POST /v1/models/train with {{\"model\": \"ials\"}})");
            Analytics.Audience.AudienceModel audience;
            try
            {
                audience = await Analytics.Audience.AudienceReport.FitAsync(_store, ials, new Analytics.Audience.AudienceOptions(), ct).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw ServiceException.BadRequest(e.Message, e);
            }
            var fitted = new KeptAudience(version, trained, ials, audience);
            Volatile.Write(ref _audience, fitted);
            return fitted;
        }
        finally
        {
            _audienceGate.Release();
        }
    }

    private static void RequireKnownGenres(Analytics.Audience.AudienceModel audience, IEnumerable<string> genres)
    {
        var unknown = Analytics.Audience.AudienceReport.UnknownGenres(audience, genres);
        if (unknown.Count > 0)
            throw ServiceException.BadRequest($"unknown genre {UnicodeText.Quote(unknown[0])}; known: {string.Join(", ", Analytics.Targeting.MemberTargeting.KnownGenres(audience.Data))}");
    }

    /// <summary>
    /// The predicted audience of a title not yet made (<see cref="Analytics.Audience.AudienceModel.Predict"/>): starts and
    /// finishes with a range, the likeliest members, the segments they fall in and the existing audiences it draws on.
    /// </summary>
    public async Task<Analytics.Audience.AudiencePrediction> PredictAudienceAsync(Analytics.Audience.ProposedTitle proposal, CancellationToken ct = default)
    {
        var m = proposal.Metadata;
        if (m.Genres.Count == 0 && m.Cast.Count == 0 && m.Directors.Count == 0 && proposal.Resembles.Count == 0 && proposal.Original is null)
            throw ServiceException.BadRequest("describe the title: give at least one of genres, cast, directors, like or original");
        var kept = await AudienceModelAsync(ct).ConfigureAwait(false);
        RequireKnownGenres(kept.Audience, m.Genres);
        try
        {
            return kept.Audience.Predict(proposal, ct);
        }
        catch (KeyNotFoundException e)
        {
            throw ServiceException.BadRequest(e.Message.Trim('\''), e);
        }
    }

    /// <summary>
    /// The members most likely to respond to a title, a genre or attributes, ranked, with the response rate per decile
    /// measured on the last <paramref name="heldOutDays"/> days by the same ranking made from the log before them.
    /// </summary>
    public async Task<Analytics.Targeting.TargetingReport> TargetAsync(Analytics.Targeting.TargetSpec target, int heldOutDays = 14, int top = 20, CancellationToken ct = default)
    {
        if (heldOutDays is < 1 or > 3650) throw ServiceException.BadRequest($"heldOutDays must be in 1..3650 (got {heldOutDays})");
        if (top is < 0 or > 10_000) throw ServiceException.BadRequest($"n must be in 0..10000 (got {top})");
        var kept = await AudienceModelAsync(ct).ConfigureAwait(false);
        RequireKnownGenres(kept.Audience, (target.Attributes?.Genres ?? []).Concat(target.Genre is null ? [] : [target.Genre]));
        if (target.TitleId is { } title && !kept.Audience.Data.TitleIds.TryGetIndex(title, out _))
            throw ServiceException.NotFound($"title {UnicodeText.Quote(title)} is not in the model (it had no events when the model was trained, or there is no such title)");
        try
        {
            return await Analytics.Targeting.MemberTargeting.RunAsync(_store, kept.Audience, kept.Ials.Options, kept.Trained.Preferences, target,
                new Analytics.Targeting.TargetingOptions { HeldOutDays = heldOutDays, Top = top }, null, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
        {
            throw ServiceException.BadRequest(e.Message.Trim('\''), e);
        }
    }

    /// <summary>The genre a member has begun most titles of (ties: the first in the catalogue), or null.</summary>
    private static string? FavouriteGenre(SignalSet signals, SignalCatalogue catalogue, string memberId)
    {
        int m = signals.MemberIds.IndexOf(memberId);
        if (m < 0 || catalogue.Genres.Count == 0) return null;
        var counts = new int[catalogue.Genres.Count];
        foreach (var t in signals.TitlesOf(m))
            if (signals.Get(m, t).Played && t < catalogue.Titles)
                foreach (var g in catalogue.TitleGenres[t]) counts[g]++;
        int best = 0;
        for (int g = 1; g < counts.Length; g++) if (counts[g] > counts[best]) best = g;
        return counts[best] == 0 ? null : catalogue.Genres[best];
    }

    // ---------------- models ----------------

    /// <summary>Where this service's training jobs go: its own queue, or on a node of a cluster the cluster's.</summary>
    private ITrainingJobQueue JobQueue => Volatile.Read(ref _clusterJobs) ?? _jobs;

    /// <summary>Queues a training job; it runs in the background, one at a time (on a node of a cluster, on the cluster's queue: see <see cref="TrainAsync"/>).</summary>
    [Obsolete("Blocks the calling thread (on a node of a cluster, on a call to the cluster's queue); use TrainAsync.")]
    public TrainingJobStatus Train(TrainingSpec spec) => TrainAsync(spec).GetAwaiter().GetResult();

    /// <summary>Queues a training job; it runs in the background, one at a time, in this process or, on a node of a cluster, on the silo that holds the cluster's queue.</summary>
    public Task<TrainingJobStatus> TrainAsync(TrainingSpec spec, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        bool auto = string.Equals(spec.Model, ModelSelector.AutoName, StringComparison.OrdinalIgnoreCase);
        try
        {
            if (!auto) ModelCatalog.CreateTrainer(spec.Model, spec.Parameters);
            else if (spec.Parameters.Count > 0) throw new ArgumentException("parameters need a named model (auto chooses them)");
            if (spec.BudgetSeconds is { } b && !(b > 0 && b <= 86_400)) throw new ArgumentException($"budget must be in (0, 86400] seconds (got {b})");
        }
        catch (ArgumentException e) { throw ServiceException.BadRequest(e.Message, e); }
        return JobQueue.EnqueueAsync(spec, ct);
    }

    /// <summary>A training job by id (see <see cref="JobAsync"/>).</summary>
    [Obsolete("Blocks the calling thread (on a node of a cluster, on a call to the cluster's queue); use JobAsync.")]
    public TrainingJobStatus Job(string id) => JobAsync(id).GetAwaiter().GetResult();

    /// <summary>A training job by id, from this service's queue or the cluster's; 404 when there is none.</summary>
    public async Task<TrainingJobStatus> JobAsync(string id, CancellationToken ct = default)
        => await JobQueue.FindAsync(id, ct).ConfigureAwait(false) ?? throw ServiceException.NotFound($"no training job {UnicodeText.Quote(id)}");

    /// <summary>Every training job kept (see <see cref="JobsAsync"/>).</summary>
    [Obsolete("Blocks the calling thread (on a node of a cluster, on a call to the cluster's queue); use JobsAsync.")]
    public IReadOnlyList<TrainingJobStatus> Jobs => JobsAsync().GetAwaiter().GetResult();

    /// <summary>Every training job kept by this service's queue, or on a node of a cluster by the cluster's.</summary>
    public Task<IReadOnlyList<TrainingJobStatus>> JobsAsync(CancellationToken ct = default) => JobQueue.AllAsync(ct);

    /// <summary>
    /// Makes a registered version the active one: every page from now on is built by it (an atomic swap). On a node of a
    /// cluster the swap is the cluster's (<see cref="IMemberStateRouter.ActivateAsync"/>): every node's pages switch at
    /// once, and the other nodes' services take it in as they follow the store (<see cref="UseActiveModel"/>).
    /// </summary>
    public async Task ActivateAsync(string version, CancellationToken ct = default)
    {
        if (_registry.Find(version) is null) throw ServiceException.NotFound($"no model version {UnicodeText.Quote(version)}");
        if (Volatile.Read(ref _router) is { } router)
        {
            // The cluster's swap stores the property itself, in the order swaps reach it; writing it again here could
            // land after a later swap from another node and leave the store naming another version than the cluster's.
            await router.ActivateAsync(version, ct).ConfigureAwait(false);
            Activate(version);
            return;
        }
        Activate(version);
        await _store.SetPropertyAsync(ActiveModelProperty, version, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes a registered version that is not in use: not this node's active model nor the one the store names as
    /// active (the cluster's, on a node of a cluster). Old versions are kept until deleted; a deleted version's name is
    /// never given to another model.
    /// </summary>
    /// <exception cref="ServiceException">No such version (not found), or it is the active one (conflict).</exception>
    public async Task DeleteModelAsync(string version, CancellationToken ct = default)
    {
        if (_registry.Find(version) is null) throw ServiceException.NotFound($"no model version {UnicodeText.Quote(version)}");
        var stored = await _store.GetPropertyAsync(ActiveModelProperty, ct).ConfigureAwait(false);
        if (string.Equals(Volatile.Read(ref _activeVersion), version, StringComparison.Ordinal) || string.Equals(stored, version, StringComparison.Ordinal))
            throw ServiceException.Conflict($"model version {UnicodeText.Quote(version)} is the active one; activate another version first");
        if (!_registry.Delete(version)) throw ServiceException.NotFound($"no model version {UnicodeText.Quote(version)}");
    }

    /// <summary>
    /// Makes <paramref name="version"/> this node's active model without telling anyone: what a node of a cluster does when
    /// another node switched the cluster to it (Encore.Cluster's node calls it when the store's active model changes).
    /// Nothing happens when it is active already or this node's registry cannot find it.
    /// </summary>
    public void UseActiveModel(string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        if (Volatile.Read(ref _activeVersion) == version || _registry.Find(version) is null) return;
        Activate(version);
    }

    private void Activate(string version)
    {
        // Loading takes a while and runs outside the lock: of activations that overlap, the one asked for last wins (a
        // follower's slow load of the version it read earlier must not swap back over a swap asked for after it).
        long ticket = Interlocked.Increment(ref _activationsAsked);
        var model = _registry.Load(version);
        lock (_activation)
        {
            if (ticket < _activationApplied) return;
            _activationApplied = ticket;
            _live.Swap(model);
            Volatile.Write(ref _activeVersion, version);
        }
        Metrics.Swap();
    }

    /// <summary>
    /// Fits one job now, in this process, from a fresh read of the store (nothing is locked meanwhile), measures it
    /// offline, registers it and, as the spec asks (or when no model is active), activates it: what a training queue's
    /// worker runs. Returns the version registered.
    /// </summary>
    public async Task<string> RunTrainingAsync(TrainingSpec spec, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        progress ??= new Progress<string>();
        try
        {
            var request = _options.DefaultTraining with { Model = spec.Model, Parameters = spec.Parameters };
            bool auto = string.Equals(spec.Model, ModelSelector.AutoName, StringComparison.OrdinalIgnoreCase);
            var trained = await Task.Run(() => auto
                ? AutoTraining.TrainAsync(_store, request, spec.BudgetSeconds is { } b ? new ModelSelectionOptions { Budget = TimeSpan.FromSeconds(b) } : null, progress, ct)
                : ModelTraining.TrainAsync(_store, request, progress, ct), ct).ConfigureAwait(false);
            var metrics = await Task.Run(() => MeasureAsync(trained, progress, ct), ct).ConfigureAwait(false);
            var version = _registry.Add(trained, spec.Reason == "request" ? "trained by the server" : $"trained by the server ({spec.Reason})", metrics);
            progress.Report($"registered as {version.Version}");
            if (spec.Activate || ActiveVersion is null)
            {
                await ActivateAsync(version.Version, ct).ConfigureAwait(false);
                progress.Report($"{version.Version} is active");
            }
            Metrics.Training(ok: true);
            return version.Version;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Metrics.Training(ok: false);
            throw;
        }
    }

    /// <summary>P-TOPN on the store's own signals (chronological per member): the same family and parameters, fitted on the older 80%.</summary>
    private async Task<OfflineMetrics?> MeasureAsync(TrainedModel trained, IProgress<string> progress, CancellationToken ct)
    {
        try
        {
            var data = await RankingData.FromStoreAsync(_store, trained.Preferences, ct: ct).ConfigureAwait(false);
            var split = RankingSplit.Create(data, SplitRule.Chronological, ct);
            var trainer = ModelCatalog.CreateTrainer(trained.Info.Model, trained.Info.Parameters);
            if (split.TestUsers == 0)
            {
                progress.Report("offline metrics not measured: no member has titles in the held-out part of the log");
                return null;
            }
            var (metrics, _, _) = TopNProtocol.Run(trainer, split, TopNProtocol.K, ct);
            if (!double.IsFinite(metrics.Recall) || !double.IsFinite(metrics.Ndcg))
            {
                progress.Report("offline metrics not measured: the held-out part gives no figure");
                return null;
            }
            progress.Report(string.Create(CultureInfo.InvariantCulture, $"offline: recall@20 {metrics.Recall:F4}, ndcg@20 {metrics.Ndcg:F4} on {split.TestUsers:N0} members"));
            return new OfflineMetrics($"{TopNProtocol.ProtocolName} ({SplitRule.Chronological.Describe()})", metrics.K, metrics.Recall, metrics.Ndcg, split.TestUsers);
        }
        catch (ArgumentException e)
        {
            // A store too small to split (too few members with enough positives): the model is still usable.
            progress.Report("offline metrics not measured: " + e.Message);
            return null;
        }
    }

    private async Task WatchModelFileAsync(CancellationToken ct)
    {
        var file = _options.WatchedModelFile!;
        using var timer = new PeriodicTimer(_options.WatchInterval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            try
            {
                if (!File.Exists(file)) continue;
                var stamp = File.GetLastWriteTimeUtc(file);
                if (stamp <= _watchedStamp) continue;
                // `encore train` moves a whole file into place: what is there is complete.
                var version = _registry.Add(TrainedModelFile.Load(file), "encore train (" + Path.GetFileName(file) + ")", null);
                _watchedStamp = stamp;
                await ActivateAsync(version.Version, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                // A file being replaced or damaged: look again at the next tick; the active model stays.
                _watchedStamp = File.Exists(file) ? File.GetLastWriteTimeUtc(file) : _watchedStamp;
            }
        }
    }

    private async Task RetrainOnScheduleAsync(TimeSpan every, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(every);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            // On a cluster every node runs this schedule; the cluster's queue takes one retrain a period.
            // A queue that cannot be reached this tick (a cluster settling after a silo left) is asked again at the next.
            try { await JobQueue.EnqueueScheduledAsync(new TrainingSpec { Model = _options.DefaultTraining.Model, Reason = "schedule" }, every, ct).ConfigureAwait(false); }
            catch (Exception) when (!ct.IsCancellationRequested) { }
        }
    }

    private int _disposed;

    /// <summary>Stops the background work (training, the model file watch, the schedule); the store stays open (it is the caller's).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var task in _background)
        {
            try { await task.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        await _jobs.DisposeAsync().ConfigureAwait(false);
        _live.Dispose();
        _catalogueLock.Dispose();
        _stop.Dispose();
    }
}
