using Encore.Ranking.ContinueWatching;
using Encore.Simulation;
using Encore.Storage;
using Xunit;

namespace Encore.Ranking.Tests;

/// <summary>
/// The resume models for the tests, trained the way the library trains them: a small simulated service (300 members x
/// 150 titles x 28 days) stored in SQLite, read once through its cuts, fitted and thresholded on its validation cut, by
/// LightGBM (the default, on a small grid to stay fast) and by the logistic learner.
/// </summary>
public sealed class ResumeModelFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    public ResumeModel Model { get; private set; } = null!;
    public ResumeModel Logistic { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await using var store = await SqliteEventStore.OpenAsync(_folder.File("cw.db"));
        await SimulatedDatabase.EnsureAsync(store, new SimulationOptions { Members = 300, Titles = 150, Days = 28, Seed = 11 });
        var options = new ResumeTrainingOptions { LightGbm = new LightGbmGrid { Leaves = [7], Iterations = [100], LearningRates = [0.1] } };
        (Model, _) = await ResumeTraining.TrainAsync(store, options);
        (Logistic, _) = await ResumeTraining.TrainAsync(store, options with { Learner = ResumeLearner.Logistic });
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
