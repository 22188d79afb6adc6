using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Encore.Cluster.Training;

/// <summary>
/// Places shard n of a distributed fit on silo (n mod silos), silos taken in a fixed order, so the shards of a fit are
/// spread over the cluster rather than wherever an activation happened to start.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class ShardPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static ShardPlacement Instance { get; } = new();
}

/// <summary>Marks a grain whose integer key is a shard number, to be placed by <see cref="ShardPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShardPlacementAttribute : PlacementAttribute
{
    /// <summary>Places by <see cref="ShardPlacement"/>.</summary>
    public ShardPlacementAttribute() : base(ShardPlacement.Instance)
    {
    }
}

/// <summary>Chooses silo (shard mod silos) among the compatible silos ordered by address.</summary>
public sealed class ShardPlacementDirector : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var silos = context.GetCompatibleSilos(target).ToArray();
        if (silos.Length == 0) throw new OrleansException($"no silo can host {target.GrainIdentity}");
        Array.Sort(silos, (a, b) => string.CompareOrdinal(a.ToParsableString(), b.ToParsableString()));
        long shard = target.GrainIdentity.GetIntegerKey(out _);
        return Task.FromResult(silos[(int)(Math.Abs(shard) % silos.Length)]);
    }
}
