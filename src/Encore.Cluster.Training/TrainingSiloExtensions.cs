using Orleans.Hosting;

namespace Encore.Cluster.Training;

/// <summary>What a silo needs to host the shards of a distributed iALS fit.</summary>
public static class TrainingSiloExtensions
{
    /// <summary>
    /// Registers <see cref="ShardPlacementDirector"/> (the shard grains themselves are found by Orleans in this assembly).
    /// Every silo of the cluster must call it. The largest message is one title-side array (titles x stride floats) or a
    /// 64 MB chunk of a shard's rows or member factors: raise <c>MaxMessageBodySize</c> above 100 MB only for catalogues
    /// past about 400,000 titles at 64 factors, and <c>SiloMessagingOptions.ResponseTimeout</c> to fit one shard's member
    /// half-iteration.
    /// </summary>
    public static ISiloBuilder AddIalsTraining(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddPlacementDirector<ShardPlacement, ShardPlacementDirector>();
    }
}
