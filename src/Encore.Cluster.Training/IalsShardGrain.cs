using System.Text.Json;
using Encore.Models.Ials;
using Encore.Models.Numerics;

namespace Encore.Cluster.Training;

/// <summary>
/// A shard of a distributed iALS fit: solves its member rows and its title rows with the single-node kernels
/// (<see cref="IalsSolver.SolveAll"/>, <see cref="FactorKernels.Gramian"/>), off the grain's scheduler.
/// </summary>
[ShardPlacement]
public sealed class IalsShardGrain : Grain, IIalsShardGrain
{
    private IalsOptions? _options;
    private ShardSetup? _setup;
    private SparseMatrix? _members;
    private SparseMatrix? _titles;
    private float[] _x = [];
    private float[] _y = [];

    /// <inheritdoc />
    public Task<string> SetUpAsync(ShardSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var options = JsonSerializer.Deserialize<IalsOptions>(setup.OptionsJson)
            ?? throw new ArgumentException("shard setup without options", nameof(setup));
        if (options.UnobservedWeight is null) throw new ArgumentException("shard setup: the unobserved weight must be resolved by the coordinator", nameof(setup));
        int kp = setup.Stride;
        var x = Wire.Array<float>(setup.MemberFactors);
        var y = Wire.Array<float>(setup.TitleFactors);
        if (x.Length != (long)setup.MemberRows.Rows * kp || y.Length != (long)setup.TitleRows.Rows * kp)
            throw new ArgumentException($"shard setup: {x.Length} member and {y.Length} title floats for {setup.MemberRows.Rows} and {setup.TitleRows.Rows} rows of {kp}", nameof(setup));
        _options = options;
        _setup = setup;
        _members = setup.MemberRows.ToMatrix();
        _titles = setup.TitleRows.ToMatrix();
        _x = x;
        _y = y;
        return Task.FromResult(RuntimeIdentity);
    }

    /// <inheritdoc />
    public Task<byte[]> TitleGramianAsync()
    {
        var (o, s) = Ready();
        return Task.Run(() => Wire.Bytes<float>(FactorKernels.Gramian(_y, s.TitleRows.Rows, s.Stride, o.A0)));
    }

    /// <inheritdoc />
    public Task<FactorBlock> SolveMembersAsync(FactorBlock titles)
    {
        ArgumentNullException.ThrowIfNull(titles);
        var (o, s) = Ready();
        Expect(titles, s.Titles, s.Stride, "title");
        return Solve(_members!, _x, titles, s.Titles, s.Stride, o);
    }

    /// <inheritdoc />
    public Task<FactorBlock> SolveTitlesAsync(FactorBlock members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var (o, s) = Ready();
        Expect(members, s.Members, s.Stride, "member");
        return Solve(_titles!, _y, members, s.Members, s.Stride, o);
    }

    // One half-iteration of this shard's side: its rows re-solved against the other side's factors and Gramian, then its
    // factors returned with their partial Gramian.
    private static Task<FactorBlock> Solve(SparseMatrix rows, float[] own, FactorBlock other, int otherCount, int stride, IalsOptions o)
        => Task.Run(() =>
        {
            IalsSolver.SolveAll(rows, own, Wire.Array<float>(other.Factors), Wire.Array<float>(other.Gramian), stride, o, otherCount, CancellationToken.None);
            return FactorBlock.Of(own, FactorKernels.Gramian(own, rows.Rows, stride, o.A0));
        });

    /// <inheritdoc />
    public Task ReleaseAsync()
    {
        (_options, _setup, _members, _titles, _x, _y) = (null, null, null, null, [], []);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private (IalsOptions, ShardSetup) Ready()
        => _options is { } o && _setup is { } s ? (o, s)
            : throw new InvalidOperationException($"ials shard {this.GetPrimaryKeyLong(out _)} was not set up (its silo may have restarted); start the fit again");

    private static void Expect(FactorBlock block, int rows, int kp, string side)
    {
        if (block.FactorCount != (long)rows * kp || block.Gramian.Length != kp * kp * sizeof(float))
            throw new ArgumentException($"{block.FactorCount} {side} floats and a Gramian of {block.Gramian.Length} bytes for {rows} {side}s of {kp}");
    }
}
