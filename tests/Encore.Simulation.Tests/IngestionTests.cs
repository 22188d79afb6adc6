using Encore.Core;
using Encore.Ingestion;
using Encore.Simulation;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Simulation.Tests;

public sealed class IngestionTests
{
    [Fact]
    public async Task Every_generated_event_passes_ingestion_validation_into_the_store()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var options = new SimulationOptions { Members = 150, Titles = 120, Days = 7, Seed = 5 };
        var service = new SimulatedService(options);
        var memory = new MemorySink();
        await using (var store = await SqliteEventStore.OpenAsync(folder.File("sim.db"), ct))
        {
            var sink = new StoreSink(store, new IngestionPipeline(store, new IngestionOptions { RequirePropensity = true, UnknownMembers = UnknownMemberPolicy.Reject }));
            await service.RunAsync(new PopularityPolicy(), new CompositeSink(sink, memory), null, ct);
            Assert.Empty(sink.FirstRejections);
            Assert.Equal(0, sink.Rejected);
            Assert.Equal(memory.Events.Count, sink.Accepted);

            var stats = await store.GetStatisticsAsync(ct);
            Assert.Equal(memory.Events.Count, stats.Events);
            Assert.Equal(options.Titles, stats.Titles);
            Assert.Equal(options.Members, stats.Members);
            foreach (var kind in EventKinds.All) Assert.True(stats.EventsByKind.GetValueOrDefault(kind) > 0, $"no {kind} events stored");

            // A re-run with the same seed stores nothing twice (event ids are deterministic).
            var again = new StoreSink(store);
            await new SimulatedService(options).RunAsync(new PopularityPolicy(), again, null, ct);
            Assert.Equal(0, again.Accepted);
            Assert.Equal(memory.Events.Count, again.Duplicates);

            var title = await store.GetTitleAsync(service.Catalogue.Ids[0], ct);
            Assert.NotNull(title);
            Assert.Equal(service.Catalogue.Names[0], title.Name);
        }
    }

    [Fact]
    public void Stored_events_carry_no_hidden_truth()
    {
        var service = new SimulatedService(new SimulationOptions { Members = 50, Titles = 40, Days = 2, Seed = 3 });
        // The stored record has no field for utilities, and the catalogue record none for latent traits.
        var eventFields = typeof(ViewingEvent).GetProperties().Select(p => p.Name).ToList();
        Assert.DoesNotContain(eventFields, f => f.Contains("Utility", StringComparison.OrdinalIgnoreCase) || f.Contains("Enjoy", StringComparison.OrdinalIgnoreCase));
        var title = service.Catalogue.ToTitle(0, service.Options.StartUtc);
        Assert.DoesNotContain(typeof(Title).GetProperties(), p => p.Name.Contains("Latent", StringComparison.Ordinal) || p.Name.Contains("Quality", StringComparison.Ordinal));
        Assert.Equal(service.Catalogue.Ids[0], title.Id);
    }
}
