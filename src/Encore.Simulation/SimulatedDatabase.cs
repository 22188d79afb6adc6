using System.Globalization;
using Encore.Core;
using Encore.Ingestion;
using Encore.Storage;

namespace Encore.Simulation;

/// <summary>
/// Simulates a service into a store so that an interruption never poisons it. The manifest kept in the store
/// (<see cref="SimulationManifest"/>) is written, marked unfinished, before the first event, and marked finished
/// only once the last batch is durable. A database that holds an unfinished run of the same service is resumed:
/// the simulator is deterministic and the store drops an event whose id it already holds, so running the same
/// simulation again stores exactly what the interrupted run had not, and ends with the store an uninterrupted run
/// makes. A finished one is reused; anything else is refused with what it really holds.
/// </summary>
public static class SimulatedDatabase
{
    /// <summary>What a database holds, as far as simulating a given service into it is concerned.</summary>
    public enum Contents
    {
        /// <summary>No events, titles or members yet: the simulation fills it.</summary>
        Empty,
        /// <summary>Every event of the wanted service (same seed, sizes and policy): nothing to do.</summary>
        Finished,
        /// <summary>A run of the wanted service that was interrupted (its manifest says unfinished): resumed.</summary>
        Unfinished,
        /// <summary>
        /// No manifest, but exactly the wanted service's catalogue and members, and events the simulation generates:
        /// a run the previous version (which wrote the manifest only at the end) left unfinished. Resumed.
        /// </summary>
        UnfinishedWithoutManifest,
    }

    /// <summary>What <see cref="InspectAsync"/> found in a database.</summary>
    /// <param name="Contents">Its state.</param>
    /// <param name="Wanted">The service asked for.</param>
    /// <param name="Location">The store (<see cref="IEventStore.Location"/>).</param>
    /// <param name="Events">Events it held when inspected.</param>
    public sealed record Inspection(Contents Contents, SimulationManifest Wanted, string Location, long Events)
    {
        /// <summary>Whether a simulation must run (everything but <see cref="Contents.Finished"/>).</summary>
        public bool NeedsSimulation => Contents != Contents.Finished;

        /// <summary>What the database holds and what happens next, as one sentence for the user.</summary>
        public string Description => Contents switch
        {
            Contents.Empty => $"{Location} is empty; simulating {Wanted.Describe()} into it",
            Contents.Finished => Invariant($"{Location} holds the finished simulation of {Wanted.Describe()} ({Events:N0} events)"),
            Contents.Unfinished => Invariant($"{Location} holds an unfinished simulation of {Wanted.Describe()} ({Events:N0} events so far); resuming"),
            _ => Invariant($"{Location} holds {Events:N0} events of {Wanted.Describe()} and no simulation manifest (an older Encore wrote it only at the end, so an interrupted run left none; its catalogue, members and first events are this service's); resuming"),
        };
    }

    /// <summary>
    /// What <paramref name="store"/> holds with respect to the service
    /// of <paramref name="options"/> under <paramref name="policy"/>. <paramref name="world"/>, the service already built
    /// from those options, saves building it again where the store's catalogue must be compared with it.
    /// </summary>
    /// <exception cref="SimulationConflictException">It holds something else; the message says what.</exception>
    public static async Task<Inspection> InspectAsync(IEventStore store, SimulationOptions options, string policy,
        SimulatedService? world = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var databasePath = store.Location;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        var wanted = SimulationManifest.From(options, policy);
        var statistics = await store.GetStatisticsAsync(ct).ConfigureAwait(false);
        if (statistics.Events == 0 && statistics.Titles == 0 && statistics.Members == 0)
            return new Inspection(Contents.Empty, wanted, databasePath, 0); // a manifest left beside a deleted database is stale

        SimulationManifest? found;
        string? unreadable = null;
        try { found = await SimulationManifest.LoadAsync(store, ct).ConfigureAwait(false); }
        catch (InvalidDataException e) { found = null; unreadable = e.Message; }
        if (found is not null)
        {
            if (found.SameServiceAs(wanted))
                return new Inspection(found.Finished ? Contents.Finished : Contents.Unfinished, wanted, databasePath, statistics.Events);
            var finish = found.Finished ? "" : $"; to finish it, run `{found.CommandLine(databasePath)}`";
            throw new SimulationConflictException(Invariant($"{databasePath} holds {(found.Finished ? "the finished" : "an unfinished")} simulation of {found.Describe()} ({statistics.Events:N0} events{(found.Finished ? "" : " so far")}), ")
                + Invariant($"not the one asked for ({wanted.Describe()}){finish}; simulate this one into another database"));
        }

        // No manifest: the previous version wrote it only after the last event, so an interrupted run left none.
        // Its catalogue and members are deterministic from the seed and sizes; compare them, and the first events.
        var service = world ?? new SimulatedService(options);
        var mismatch = await DifferenceAsync(store, service, statistics, ct).ConfigureAwait(false);
        mismatch ??= await FirstEventsDifferenceAsync(store, service, policy, ct).ConfigureAwait(false);
        if (mismatch is null)
            return new Inspection(Contents.UnfinishedWithoutManifest, wanted, databasePath, statistics.Events);
        var manifestNote = unreadable is null ? "no simulation manifest" : $"an unreadable simulation manifest ({unreadable})";
        throw new SimulationConflictException(Invariant($"{databasePath} holds {Count(statistics.Events, "event")} ({Count(statistics.Members, "member")}, {Count(statistics.Titles, "title")}) and {manifestNote}; ")
                + Invariant($"{mismatch}, not a simulation of {wanted.Describe()}; simulate into another database"));
    }

    /// <summary>What <see cref="EnsureAsync"/> found and did.</summary>
    /// <param name="Manifest">The service the database now holds whole.</param>
    /// <param name="Found">What the database held before.</param>
    /// <param name="EventsStored">Events this run added (0 when it was finished already).</param>
    public sealed record Outcome(SimulationManifest Manifest, Inspection Found, long EventsStored)
    {
        /// <summary>Whether the database already held the whole service, so nothing was simulated.</summary>
        public bool Reused => Found.Contents == Contents.Finished;
    }

    /// <summary>
    /// Makes sure <paramref name="store"/> holds the whole service of <paramref name="options"/> under the
    /// default (popularity) homepage policy: simulates it into an empty database, resumes an interrupted run of it,
    /// reuses a finished one. <paramref name="found"/> hears what the database held before any work starts.
    /// </summary>
    /// <exception cref="SimulationConflictException">The database holds something else; the message says what.</exception>
    /// <exception cref="InvalidOperationException">The simulator produced an invalid event (a bug).</exception>
    public static async Task<Outcome> EnsureAsync(IEventStore store, SimulationOptions options,
        IProgress<SimulationProgress>? progress = null, CancellationToken ct = default, Action<Inspection>? found = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        const string policyName = "popularity";
        var service = new SimulatedService(options); // validates the options before the store is touched
        var inspection = await InspectAsync(store, options, policyName, service, ct).ConfigureAwait(false);
        found?.Invoke(inspection);
        if (!inspection.NeedsSimulation) return new Outcome(inspection.Wanted, inspection, 0);

        var result = await FillAsync(store, inspection, service, PolicyCatalog.Create(policyName, service), [], progress, ct).ConfigureAwait(false);
        if (result.Rejected > 0)
            throw new InvalidOperationException($"{result.Rejected} simulated events failed validation, first: {result.FirstRejections[0]}");
        return new Outcome(inspection.Wanted, inspection, result.Stored);
    }

    /// <summary>What <see cref="FillAsync"/> did.</summary>
    /// <param name="Summary">The run.</param>
    /// <param name="Stored">Events this run added.</param>
    /// <param name="AlreadyStored">Events the store held already (from the interrupted run), dropped as duplicates.</param>
    /// <param name="Rejected">Events that failed validation (a simulator bug; the manifest then stays unfinished).</param>
    /// <param name="FirstRejections">Up to 20 of them.</param>
    public sealed record FillResult(SimulationSummary Summary, long Stored, long AlreadyStored, long Rejected, IReadOnlyList<EventRejection> FirstRejections);

    /// <summary>
    /// Runs <paramref name="service"/> under <paramref name="policy"/> into <paramref name="store"/> (and into
    /// <paramref name="alsoTo"/>, e.g. an export or a report), where <paramref name="inspection"/> found it empty or
    /// unfinished: writes the manifest marked unfinished before the first event, and marks it finished once every
    /// event is stored and the store holds exactly the simulation's events.
    /// </summary>
    /// <exception cref="SimulationConflictException">After the run the store holds events the simulation does not generate.</exception>
    public static async Task<FillResult> FillAsync(IEventStore store, Inspection inspection, SimulatedService service, IHomepagePolicy policy,
        IReadOnlyList<ISimulationSink> alsoTo, IProgress<SimulationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(inspection);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(alsoTo);
        if (!inspection.NeedsSimulation) throw new ArgumentException("the database already holds the whole service", nameof(inspection));
        var manifest = SimulationManifest.From(service.Options, policy.Name);
        if (!manifest.SameServiceAs(inspection.Wanted))
            throw new ArgumentException($"the inspection was for {inspection.Wanted.Describe()}, not {manifest.Describe()}", nameof(inspection));

        await (manifest with { Finished = false }).SaveAsync(store, ct).ConfigureAwait(false);
        var sink = new StoreSink(store);
        var summary = await service.RunAsync(policy, alsoTo.Count == 0 ? sink : new CompositeSink([sink, .. alsoTo]), progress, ct).ConfigureAwait(false);
        var result = new FillResult(summary, sink.Accepted, sink.Duplicates, sink.Rejected, sink.FirstRejections);
        if (sink.Rejected > 0) return result;

        // Every event the simulation generates is stored now; anything beyond them came from elsewhere.
        var statistics = await store.GetStatisticsAsync(ct).ConfigureAwait(false);
        if (statistics.Events != summary.Events)
            throw new SimulationConflictException(Invariant($"{inspection.Location} holds {statistics.Events:N0} events but the simulation of {manifest.Describe()} generates {summary.Events:N0}: ")
                + Invariant($"{statistics.Events - summary.Events:N0} of them came from elsewhere; it stays marked unfinished"));
        await manifest.SaveAsync(store, ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// The manifest of the finished simulation in <paramref name="store"/>, for evaluation (P-SIM rebuilds the world
    /// and its hidden truth from it).
    /// </summary>
    /// <exception cref="NotASimulationException">
    /// Its simulation is unfinished (the message says how to finish it), or it holds events but no manifest (the
    /// message says what it holds).
    /// </exception>
    /// <exception cref="InvalidDataException">The manifest is not one.</exception>
    public static async Task<SimulationManifest> RequireFinishedAsync(IEventStore store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var databasePath = store.Location;
        var manifest = await SimulationManifest.LoadAsync(store, ct).ConfigureAwait(false);
        if (manifest is { Finished: true }) return manifest;
        var statistics = await store.GetStatisticsAsync(ct).ConfigureAwait(false);
        if (manifest is not null)
            throw new NotASimulationException(Invariant($"{databasePath} holds an unfinished simulation of {manifest.Describe()} ({statistics.Events:N0} events so far): the run that filled it was interrupted. ")
                + Invariant($"Finish it by running the same simulation again (it resumes where it stopped): `{manifest.CommandLine(databasePath)}`"));
        throw new NotASimulationException(Invariant($"{databasePath} holds {Count(statistics.Events, "event")} ({Count(statistics.Members, "member")}, {Count(statistics.Titles, "title")}) and no simulation manifest, ")
                + Invariant($"so it was not filled by `encore simulate`: P-SIM rebuilds the hidden truth from the seed and sizes ")
                + Invariant($"that manifest records. (A simulation an older Encore left unfinished has none either: the same `encore simulate` again finishes it.)"));
    }

    /// <summary>
    /// Why the store's catalogue and members are not exactly <paramref name="service"/>'s, or null when they are
    /// (members may be missing only where there are no events yet: the run stopped between the two).
    /// </summary>
    private static async Task<string?> DifferenceAsync(IEventStore store, SimulatedService service, StoreStatistics statistics, CancellationToken ct)
    {
        if (statistics.Titles != service.Catalogue.Count)
            return Invariant($"its {Count(statistics.Titles, "title")} are not the {service.Catalogue.Count:N0} this simulation generates, so they are an import or another data set");
        bool noMembersYet = statistics.Members == 0 && statistics.Events == 0;
        if (!noMembersYet && statistics.Members != service.Members.Count)
            return Invariant($"its {Count(statistics.Members, "member")} are not the {service.Members.Count:N0} this simulation generates, so they are an import or another data set");

        var titles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var title in service.Titles()) titles[title.Id] = Canonical(title);
        await foreach (var title in store.ReadTitlesAsync(ct).ConfigureAwait(false))
        {
            if (!titles.TryGetValue(title.Id, out var expected) || expected != Canonical(title))
                return $"its title {title.Id} is not the one this simulation generates, so they are an import or another data set";
        }
        if (noMembersYet) return null;
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in service.MemberRecords()) members[member.Id] = Canonical(member);
        await foreach (var member in store.ReadMembersAsync(ct).ConfigureAwait(false))
        {
            if (!members.TryGetValue(member.Id, out var expected) || expected != Canonical(member))
                return $"its member {member.Id} is not the one this simulation generates, so they are an import or another data set";
        }
        return null;
    }

    /// <summary>
    /// Why the stored events of the first simulated day (for the first block of members) are not the ones
    /// <paramref name="service"/> generates under <paramref name="policy"/>, or null when they are. The catalogue and
    /// members depend only on the seed and sizes; the events also depend on the policy, and this tells them apart
    /// before anything is added. It builds the world a second time (a service runs once), only on this path.
    /// </summary>
    private static async Task<string?> FirstEventsDifferenceAsync(IEventStore store, SimulatedService service, string policy, CancellationToken ct)
    {
        if ((await store.GetStatisticsAsync(ct).ConfigureAwait(false)).Events == 0) return null;
        var probe = new SimulatedService(service.Options);
        var firstDay = new FirstBlockSink();
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            firstDay.Stop = stop;
            try { await probe.RunAsync(PolicyCatalog.Create(policy, probe), firstDay, null, stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        }
        var query = new EventQuery { ToUtc = service.Options.StartUtc.AddDays(1) };
        await foreach (var e in store.ReadEventsAsync(query, ct).ConfigureAwait(false))
        {
            if (!firstDay.Members.Contains(e.MemberId)) continue;
            if (!firstDay.Events.TryGetValue(e.EventId, out var generated)
                || generated != (e.Kind, e.TitleId, e.EpisodeId, new DateTimeOffset(e.TimestampUtc).ToUnixTimeMilliseconds()))
                return $"its catalogue and members are this simulation's, but its first events are not the events this simulation generates under the {policy} policy (event {e.EventId} differs): another policy or data set";
        }
        return null;
    }

    /// <summary>Keeps the events of the first block of the first day, then stops the run.</summary>
    private sealed class FirstBlockSink : ISimulationSink
    {
        private SimulatedService? _service;
        public CancellationTokenSource? Stop { get; set; }
        public Dictionary<string, (EventKind, string?, string?, long)> Events { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Members { get; } = new(StringComparer.Ordinal);

        public ValueTask BeginAsync(SimulatedService service, CancellationToken ct)
        {
            _service = service;
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct)
        {
            var service = _service!;
            foreach (var e in batch.EventList)
            {
                var v = service.ToViewingEvent(e);
                Events[v.EventId] = (v.Kind, v.TitleId, v.EpisodeId, new DateTimeOffset(v.TimestampUtc).ToUnixTimeMilliseconds());
            }
            // The block is every member from the first to the last one active in it.
            for (int m = 0; m < Math.Min(service.Members.Count, SimulatedService.BlockSize); m++) Members.Add(service.Members.Ids[m]);
            Stop!.Cancel();
            return ValueTask.CompletedTask;
        }

        public ValueTask CompleteAsync(CancellationToken ct) => ValueTask.CompletedTask;
    }

    private static string Canonical(Title t)
    {
        var c = CultureInfo.InvariantCulture;
        var episodes = string.Join(";", t.Seasons.SelectMany(s => s.Episodes).Select(e =>
            string.Create(c, $"{e.Id}/{e.SeasonNumber}/{e.EpisodeNumber}/{e.Name}/{e.RuntimeSeconds}")));
        return string.Create(c, $"{t.Id}|{t.Name}|{t.Kind}|{t.RuntimeSeconds}|{string.Join(",", t.Genres)}|{string.Join(",", t.Cast)}|{string.Join(",", t.Directors)}|"
            + $"{t.MaturityRating}|{t.Language}|{t.ReleaseDate:yyyy-MM-dd}|{Milliseconds(t.AvailableFromUtc)}|{episodes}");
    }

    private static string Canonical(Member m)
        => string.Create(CultureInfo.InvariantCulture, $"{m.Id}|{Milliseconds(m.JoinedUtc)}|{m.Country}|{string.Join(",", m.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + a.Value))}");

    private static long? Milliseconds(DateTime? utc) => utc is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeMilliseconds() : null;

    private static string Count(long n, string noun) => Invariant($"{n:N0} {noun}{(n == 1 ? "" : "s")}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A database holds something a simulation must not be mixed with (another service, an import), or a run found events
/// it does not generate. The message says what the database holds.
/// </summary>
public sealed class SimulationConflictException(string message) : InvalidOperationException(message);

/// <summary>A database that evaluation needs to hold a finished simulation does not; the message says what it holds.</summary>
public sealed class NotASimulationException(string message) : ArgumentException(message);
