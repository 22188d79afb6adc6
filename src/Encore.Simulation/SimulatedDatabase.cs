using Encore.Storage;

namespace Encore.Simulation;

/// <summary>
/// Fills a database with a simulated service once, and reuses it afterwards: the manifest beside the database
/// says which seed and sizes it holds, so a second run with the same options does no work.
/// </summary>
public static class SimulatedDatabase
{
    /// <summary>What a database holds, as far as simulating into it is concerned.</summary>
    public enum Contents
    {
        /// <summary>No events yet: a simulation may fill it.</summary>
        Empty,
        /// <summary>Exactly the service of the wanted manifest (same seed, sizes and policy).</summary>
        ThisService,
    }

    /// <summary>
    /// Whether <paramref name="store"/> is empty or already holds the service of <paramref name="wanted"/>. Anything
    /// else is refused: a second simulation into it would mix two worlds, and its event ids (member, session,
    /// sequence) would collide with the first one's and be dropped as duplicates.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database holds other events.</exception>
    public static async Task<Contents> InspectAsync(IEventStore store, string databasePath, SimulationManifest wanted, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var statistics = await store.GetStatisticsAsync(ct).ConfigureAwait(false);
        if (statistics.Events == 0) return Contents.Empty;
        if (SimulationManifest.TryLoad(databasePath) == wanted) return Contents.ThisService;
        throw new InvalidOperationException($"{databasePath} already holds {statistics.Events:N0} events of another data set or simulation; name a new database file instead");
    }

    /// <summary>What <see cref="EnsureAsync"/> found or did.</summary>
    public sealed record Outcome(SimulationManifest Manifest, bool Reused, long EventsStored);

    /// <summary>
    /// Makes sure <paramref name="databasePath"/> holds the service of <paramref name="options"/> under the default
    /// (popularity) homepage policy, simulating it through ingestion when it does not.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database already holds other events, or the simulator produced an invalid event.</exception>
    public static async Task<Outcome> EnsureAsync(string databasePath, SimulationOptions options,
        IProgress<SimulationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(databasePath);
        ArgumentNullException.ThrowIfNull(options);
        const string policyName = "popularity";
        var wanted = SimulationManifest.From(options, policyName);
        await using var store = await SqliteEventStore.OpenAsync(databasePath, ct).ConfigureAwait(false);
        if (await InspectAsync(store, databasePath, wanted, ct).ConfigureAwait(false) == Contents.ThisService)
            return new Outcome(wanted, Reused: true, EventsStored: 0);

        var service = new SimulatedService(options);
        var sink = new StoreSink(store);
        await service.RunAsync(PolicyCatalog.Create(policyName, service), sink, progress, ct).ConfigureAwait(false);
        if (sink.Rejected > 0)
            throw new InvalidOperationException($"{sink.Rejected} simulated events failed validation, first: {sink.FirstRejections[0]}");
        wanted.Save(databasePath);
        return new Outcome(wanted, Reused: false, sink.Accepted);
    }
}
