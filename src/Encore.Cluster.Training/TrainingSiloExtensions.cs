using Orleans.Hosting;

namespace Encore.Cluster.Training;

/// <summary>What a silo needs to host the shards of a distributed iALS fit.</summary>
public static class TrainingSiloExtensions
{
    /// <summary>
    /// Registers <see cref="ShardPlacementDirector"/> (the shard grains themselves are found by Orleans in this assembly).
    /// Every silo of the cluster must call it. Exchanges carry whole factor matrices: on large catalogues raise
    /// <c>SiloMessagingOptions.ResponseTimeout</c> and <c>MaxMessageBodySize</c> to fit a half-iteration and one matrix.
    /// </summary>
    public static ISiloBuilder AddIalsTraining(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddPlacementDirector<ShardPlacement, ShardPlacementDirector>();
    }
}
