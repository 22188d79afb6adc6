using Encore.Core;
using Encore.Models;
using Encore.Models.Ials;

namespace Encore.Cluster.Training;

/// <summary>
/// <see cref="IalsTrainer"/> fitted over the cluster (<see cref="DistributedIals"/>): the same weights, options and
/// initialization, and the same <see cref="IalsRecommender"/> (saved as "ials", so every silo loads it as usual).
/// </summary>
public sealed class DistributedIalsTrainer(IGrainFactory grains, IalsOptions? options = null, int shards = 0) : IRecommenderTrainer
{
    /// <summary>The options (IalsOptions' documented defaults where none are given).</summary>
    public IalsOptions Options { get; } = options ?? new IalsOptions();

    /// <summary>Shards to cut the fit into; 0: one per active silo.</summary>
    public int Shards { get; } = shards;

    /// <inheritdoc />
    public string Name => IalsTrainer.ModelName;

    /// <summary>Where the last fit's shards ran, by shard number.</summary>
    public IReadOnlyList<string> LastShardSilos { get; private set; } = [];

    /// <summary>Called after each iteration with its number (from 1) and its wall seconds.</summary>
    public Action<int, double>? IterationCompleted { get; init; }

    /// <inheritdoc />
    public IRecommender Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = Options;
        o.Validate();
        var raw = IalsTrainer.WeightedRows(data, o);
        o = IalsTrainer.Resolve(raw, o);
        // Off any grain's scheduler: Fit blocks, and the replies must not wait for the thread it holds.
        var fit = Task.Run(() => new DistributedIals(grains).TrainAsync(raw, o, Shards, IterationCompleted, ct), ct).GetAwaiter().GetResult();
        LastShardSilos = fit.ShardSilos;
        return IalsTrainer.Recommender(data, raw, o, fit.Stride, fit.Members, fit.Titles);
    }
}
