namespace Encore.Bench;

/// <summary>One accuracy or speed benchmark, run from a Release build; it prints its figures.</summary>
public interface IBench
{
    string Name { get; }
    string Description { get; }
    Task<int> RunAsync(string[] args);
}

/// <summary>The benchmarks, one file each.</summary>
public static class BenchCatalog
{
    public static IReadOnlyList<IBench> All { get; } =
    [
        new ModelsAccuracy(),
        new EaseSpeed(),
        new TopNSpeed(),
        new IalsScale(),
        new IalsDistributedBench(),
        new ModelsScale(),
        new IngestBench(),
        new ImportBench(),
        new RatingBench(),
        new SimulationBench(),
        new SignalTuningBench(),
        new SignalAblationBench(),
        new SignalDiagnosticsBench(),
        new SignalsSpeedBench(),
        new PagePolicyBench(),
        new HomepageLatencyBench(),
        new PageAccuracyBench(),
        new SearchEvalBench(),
        new SearchSpeedBench(),
        new ContinueWatchingBench(),
        new ServerLoadBench(),
        new CampaignsBench(),
        new ExperimentsBench(),
        new PostgresBench(),
        new ClusterBench(),
        new AudienceBench(),
        new TargetingBench(),
    ];
}
