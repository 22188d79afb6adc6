using Encore.Ranking.ContinueWatching;
using Encore.Simulation;
using Encore.Storage;
using Xunit;

namespace Encore.Ranking.Tests;

/// <summary>
/// One resume model for the row tests, trained the way the library trains it: a small simulated service (300 members x
/// 150 titles x 28 days) stored in SQLite, read once through its cuts, fitted and thresholded on its validation cut.
/// </summary>
public sealed class ResumeModelFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    public ResumeModel Model { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await using var store = await SqliteEventStore.OpenAsync(_folder.File("cw.db"));
        await SimulatedDatabase.EnsureAsync(store, new SimulationOptions { Members = 300, Titles = 150, Days = 28, Seed = 11 });
        (Model, _) = await ResumeTraining.TrainAsync(store);
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
