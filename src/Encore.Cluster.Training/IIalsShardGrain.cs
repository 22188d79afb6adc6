namespace Encore.Cluster.Training;

/// <summary>
/// One shard of a distributed iALS fit (key: shard number, key extension: the run), placed by
/// <see cref="ShardPlacementAttribute"/> on silo (shard mod silos). It keeps its member rows, its title rows and
/// their factors between calls; each half-iteration the coordinator sends the other side whole with its Gramian.
/// </summary>
public interface IIalsShardGrain : IGrainWithIntegerCompoundKey
{
    /// <summary>Takes the shard's rows and starting factors; returns the silo it lives on.</summary>
    Task<string> SetUpAsync(ShardSetup setup);

    /// <summary>The partial Gramian of the shard's current title factors (floats as bytes).</summary>
    Task<byte[]> TitleGramianAsync();

    /// <summary>Re-solves the shard's members against <paramref name="titles"/>; returns their factors and partial Gramian.</summary>
    Task<FactorBlock> SolveMembersAsync(FactorBlock titles);

    /// <summary>Re-solves the shard's titles against <paramref name="members"/>; returns their factors and partial Gramian.</summary>
    Task<FactorBlock> SolveTitlesAsync(FactorBlock members);

    /// <summary>Drops the shard's data (the activation goes once idle).</summary>
    Task ReleaseAsync();
}
