using Encore.Ingestion;
using Encore.Ranking;
using Encore.Ranking.Pages;

namespace Encore.Service;

/// <summary>What "now" is for the live service.</summary>
public enum ServiceClock
{
    /// <summary>The machine's clock: a production service.</summary>
    Wall = 0,
    /// <summary>
    /// The time of the latest event folded: a replay or a simulated service, whose events carry their own time (pages,
    /// trends and availability follow the events' time, not the machine's).
    /// </summary>
    LatestEvent = 1,
}

/// <summary>The settings of a live <see cref="EncoreService"/> (documented defaults).</summary>
public sealed record ServiceOptions
{
    /// <summary>
    /// Where trained model versions are kept (one file and one description each) for a SQLite store. Default: beside it,
    /// <c>DB.models</c> (<see cref="ForDatabase"/>). A PostgreSQL store keeps its versions in its own database instead
    /// (<see cref="Storage.ModelStores.For"/>), so every node on it shares them; this folder is then unused.
    /// </summary>
    public required string ModelsDirectory { get; init; }

    /// <summary>
    /// A model file `encore train` writes (DB.model) that the service watches: when it changes, it becomes a new version
    /// and is activated. Null: none.
    /// </summary>
    public string? WatchedModelFile { get; init; }

    /// <summary>How often the watched file is looked at.</summary>
    public TimeSpan WatchInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Retrain the default model on this schedule (null: only when asked).</summary>
    public TimeSpan? RetrainEvery { get; init; }

    /// <summary>What a scheduled or first training fits.</summary>
    public TrainingRequest DefaultTraining { get; init; } = new()
    {
        Model = "ials",
        Resume = new Ranking.ContinueWatching.ResumeTrainingOptions { Learner = Ranking.ContinueWatching.ResumeLearner.Logistic },
    };

    /// <summary>Train a first model at start when the store has events and no model exists yet.</summary>
    public bool TrainWhenMissing { get; init; } = true;

    /// <summary>The largest batch <c>POST /v1/events</c> takes.</summary>
    public int MaxEventsPerBatch { get; init; } = 1_000;

    /// <summary>
    /// Pages kept for members who ask again (0: none). A kept page is served while nothing it depends on has changed: the
    /// member's own events, the model, the catalogue, and the minute of the service's clock (trends are scored once a
    /// minute); any event of the member invalidates it at once. Beyond this many the cache starts afresh.
    /// </summary>
    public int CachedPages { get; init; } = 20_000;

    public IngestionOptions Ingestion { get; init; } = IngestionOptions.Default;
    public PageOptions Pages { get; init; } = PageOptions.Default;
    public ServiceClock Clock { get; init; } = ServiceClock.Wall;

    /// <summary>
    /// The defaults for the store named by <paramref name="databasePath"/>: for a SQLite file, models in DB.models and DB.model
    /// watched; for a postgres:// URL, the local folder of <see cref="Storage.EventStores.ModelPaths"/>.
    /// </summary>
    public static ServiceOptions ForDatabase(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var (models, model) = Storage.EventStores.ModelPaths(databasePath);
        return new ServiceOptions { ModelsDirectory = models, WatchedModelFile = model };
    }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelsDirectory)) throw new ArgumentException("the models directory must be named");
        if (MaxEventsPerBatch is < 1 or > 100_000) throw new ArgumentException($"the batch limit must be in 1..100000 (got {MaxEventsPerBatch})");
        if (CachedPages is < 0 or > 10_000_000) throw new ArgumentException($"cached pages must be in 0..10000000 (got {CachedPages})");
        if (RetrainEvery is { } every && every < TimeSpan.FromSeconds(10)) throw new ArgumentException($"retraining every {every} is too often (at least 10 s)");
        if (WatchInterval <= TimeSpan.Zero) throw new ArgumentException("the watch interval must be positive");
        Pages.Validate();
    }
}
