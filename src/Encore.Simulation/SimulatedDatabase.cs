using Encore.Storage;

namespace Encore.Simulation;

/// <summary>
/// Fills a database with a simulated service once, and reuses it afterwards: the manifest beside the database
/// says which seed and sizes it holds, so a second run with the same options does no work.
/// </summary>
public static class SimulatedDatabase
{
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
        var existing = SimulationManifest.TryLoad(databasePath);
        if (existing is not null && existing == wanted) return new Outcome(existing, Reused: true, EventsStored: 0);

        await using var store = await SqliteEventStore.OpenAsync(databasePath, ct).ConfigureAwait(false);
        var statistics = await store.GetStatisticsAsync(ct).ConfigureAwait(false);
        if (statistics.Events > 0)
            throw new InvalidOperationException($"{databasePath} already holds {statistics.Events:N0} events of another data set or simulation; name a new database file instead");

        var service = new SimulatedService(options);
        var sink = new StoreSink(store);
        await service.RunAsync(PolicyCatalog.Create(policyName, service), sink, progress, ct).ConfigureAwait(false);
        if (sink.Rejected > 0)
            throw new InvalidOperationException($"{sink.Rejected} simulated events failed validation, first: {sink.FirstRejections[0]}");
        wanted.Save(databasePath);
        return new Outcome(wanted, Reused: false, sink.Accepted);
    }
}
