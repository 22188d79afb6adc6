using Encore.Simulation;
using Xunit;

namespace Encore.Simulation.Tests;

/// <summary>A finished run of a small simulated service, kept in memory.</summary>
public sealed record SimulationRun(SimulatedService Service, MemorySink Memory, SimulationReport Report)
{
    public static async Task<SimulationRun> RunAsync(SimulationOptions options, Func<SimulatedService, IHomepagePolicy>? policy = null, CancellationToken ct = default)
    {
        var service = new SimulatedService(options);
        var memory = new MemorySink();
        var report = new SimulationReportSink();
        await service.RunAsync(policy?.Invoke(service) ?? new PopularityPolicy(), new CompositeSink(memory, report), null, ct);
        return new SimulationRun(service, memory, report.Build());
    }

    public double HoursWatched => Memory.Sessions.Sum(s => (double)s.WatchSeconds) / 3600.0;
}

/// <summary>One medium-sized run shared by the behaviour tests (fixed seed).</summary>
public sealed class SharedRunFixture : IAsyncLifetime
{
    public static readonly SimulationOptions Options = new() { Members = 800, Titles = 500, Days = 28, Seed = 7 };

    public SimulationRun Run { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Run = await SimulationRun.RunAsync(Options);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
