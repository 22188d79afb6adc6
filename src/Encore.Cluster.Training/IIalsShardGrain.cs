namespace Encore.Cluster.Training;

/// <summary>
/// One shard of a distributed iALS fit (key: shard number, key extension: the run), placed by
/// <see cref="ShardPlacementAttribute"/> on silo (shard mod silos). It owns a run of members: their rows and their
/// factors stay in the grain for the whole fit. Each iteration it gets every title's factors and Gramian, re-solves its
/// members, and then answers the title half-iteration's sums over its members, one call per conjugate-gradient round;
/// its member factors leave it once, at the end.
/// </summary>
public interface IIalsShardGrain : IGrainWithIntegerCompoundKey
{
    /// <summary>Takes the shard's size and options (its rows follow in <see cref="LoadRowsAsync"/>); returns the silo it lives on.</summary>
    Task<string> SetUpAsync(ShardSetup setup);

    /// <summary>Takes the next chunk of the shard's member rows and their starting factors (chunks in row order).</summary>
    Task LoadRowsAsync(ShardRows rows);

    /// <summary>
    /// Re-solves the shard's members against <paramref name="titles"/> (every title's factors and a0 Y^T Y); returns
    /// their partial Gramian and the shard's part of every title's residual against them.
    /// </summary>
    Task<MemberHalf> SolveMembersAsync(FactorBlock titles);

    /// <summary>The shard's part of the sparse term of A p for each listed title (titles x stride floats, as bytes).</summary>
    Task<byte[]> DirectionSumsAsync(TitleDirections directions);

    /// <summary>
    /// The factors of <paramref name="count"/> of the shard's members from <paramref name="firstRow"/> (counted from its
    /// first member; rows x stride floats, as bytes), to build the model at the end.
    /// </summary>
    Task<byte[]> MemberFactorsAsync(int firstRow, int count);

    /// <summary>Drops the shard's data (the activation goes once idle).</summary>
    Task ReleaseAsync();
}
