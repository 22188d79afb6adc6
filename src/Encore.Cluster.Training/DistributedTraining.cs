using Encore.Models.Ials;
using Encore.Ranking;
using Encore.Service;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Cluster.Training;

/// <summary>Trains iALS on a store over the cluster and registers the model once, for every silo to load.</summary>
public static class DistributedTraining
{
    /// <summary>
    /// Reads <paramref name="store"/>'s signals, fits iALS over the cluster (<see cref="DistributedIalsTrainer"/>, the
    /// options from <paramref name="request"/>'s parameters), keeps it with what ranking needs as
    /// <see cref="ModelTraining.Fit(SignalSet, Models.IRecommenderTrainer, TrainingRequest, string, IProgress{string}?, CancellationToken)"/>
    /// does, and registers it once in <paramref name="registry"/>.
    /// </summary>
    public static async Task<ModelVersion> TrainAndRegisterAsync(IEventStore store, ModelRegistry registry, IGrainFactory grains,
        TrainingRequest request, int shards = 0, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(request);
        if (!string.Equals(request.Model, IalsTrainer.ModelName, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"distributed training fits '{IalsTrainer.ModelName}' only (asked for '{request.Model}')", nameof(request));
        var options = ((IalsTrainer)Models.ModelCatalog.CreateTrainer(IalsTrainer.ModelName, request.Parameters)).Options;
        var signals = await SignalSet.LoadAsync(store, request.Signals, ct: ct).ConfigureAwait(false);
        var trainer = new DistributedIalsTrainer(grains, options, shards);
        var model = await Task.Run(() => ModelTraining.Fit(signals, trainer, request, store.Location, progress, ct), ct).ConfigureAwait(false);
        return registry.Add(model, $"trained over the cluster ({trainer.LastShardSilos.Count} shards on {trainer.LastShardSilos.Distinct().Count()} silos)", null);
    }
}
