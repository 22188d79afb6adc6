using System.Text.Json;
using Encore.Models.Ials;
using Encore.Models.Numerics;

namespace Encore.Cluster.Training;

/// <summary>
/// A shard of a distributed iALS fit: owns a run of member rows and their factors. It solves its members with the
/// single-node kernel (<see cref="IalsSolver.SolveAll"/>, <see cref="FactorKernels.Gramian"/>) and sums over its
/// members for the titles' solves (<see cref="ShardTitleSums"/>), off the grain's scheduler.
/// </summary>
[ShardPlacement]
public sealed class IalsShardGrain : Grain, IIalsShardGrain
{
    private IalsOptions? _options;
    private ShardSetup? _setup;
    private SparseMatrix? _members;
    private ShardTitleSums? _byTitle;
    private float[] _x = [];

    /// <inheritdoc />
    public Task<string> SetUpAsync(ShardSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var options = JsonSerializer.Deserialize<IalsOptions>(setup.OptionsJson)
            ?? throw new ArgumentException("shard setup without options", nameof(setup));
        if (options.UnobservedWeight is null) throw new ArgumentException("shard setup: the unobserved weight must be resolved by the coordinator", nameof(setup));
        int kp = setup.Stride;
        if (kp < 1 || kp != FactorKernels.Stride(kp))
            throw new ArgumentException($"shard setup: a stride of {kp} floats (a positive multiple of 16 expected)", nameof(setup));
        if (setup.MemberRows.Columns != setup.Titles)
            throw new ArgumentException($"shard setup: member rows over {setup.MemberRows.Columns} titles for a matrix of {setup.Titles}", nameof(setup));
        var members = setup.MemberRows.ToMatrix();
        Check(members, setup.MemberStart);
        var x = Wire.Array<float>(setup.MemberFactors);
        if (x.Length != (long)members.Rows * kp)
            throw new ArgumentException($"shard setup: {x.Length} member floats for {members.Rows} rows of {kp}", nameof(setup));
        _options = options;
        _setup = setup;
        _members = members;
        _byTitle = new ShardTitleSums(members, options.Alpha, options.A0, kp);
        _x = x;
        return Task.FromResult(RuntimeIdentity);
    }

    /// <inheritdoc />
    public Task<MemberHalf> SolveMembersAsync(FactorBlock titles)
    {
        ArgumentNullException.ThrowIfNull(titles);
        var (o, s) = Ready();
        int kp = s.Stride;
        if (titles.FactorCount != (long)s.Titles * kp || titles.Gramian.Length != kp * kp * sizeof(float))
            throw new ArgumentException($"{titles.FactorCount} title floats and a Gramian of {titles.Gramian.Length} bytes for {s.Titles} titles of {kp}", nameof(titles));
        return Task.Run(() =>
        {
            var y = Wire.Array<float>(titles.Factors);
            IalsSolver.SolveAll(_members!, _x, y, Wire.Array<float>(titles.Gramian), kp, o, s.Titles, CancellationToken.None);
            return new MemberHalf
            {
                Gramian = Wire.Bytes<float>(FactorKernels.Gramian(_x, _members!.Rows, kp, o.A0)),
                ResidualSums = Wire.Bytes<float>(_byTitle!.ResidualSums(_x, y)),
            };
        });
    }

    /// <inheritdoc />
    public Task<byte[]> DirectionSumsAsync(TitleDirections directions)
    {
        ArgumentNullException.ThrowIfNull(directions);
        var (_, s) = Ready();
        var titles = Wire.Array<int>(directions.Titles);
        var p = Wire.Array<float>(directions.Directions);
        if (p.Length != (long)titles.Length * s.Stride)
            throw new ArgumentException($"{p.Length} direction floats for {titles.Length} titles of {s.Stride}", nameof(directions));
        for (int i = 0; i < titles.Length; i++)
            if ((uint)titles[i] >= (uint)s.Titles)
                throw new ArgumentException($"direction {i} is for title {titles[i]}, outside 0..{s.Titles - 1}", nameof(directions));
        return Task.Run(() => Wire.Bytes<float>(_byTitle!.DirectionSums(_x, titles, p)));
    }

    /// <inheritdoc />
    public Task<byte[]> MemberFactorsAsync()
    {
        Ready();
        return Task.FromResult(Wire.Bytes<float>(_x));
    }

    /// <inheritdoc />
    public Task ReleaseAsync()
    {
        (_options, _setup, _members, _byTitle, _x) = (null, null, null, null, []);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private (IalsOptions, ShardSetup) Ready()
        => _options is { } o && _setup is { } s ? (o, s)
            : throw new InvalidOperationException($"ials shard {this.GetPrimaryKeyLong(out _)} was not set up (its silo may have restarted); start the fit again");

    // Pointers from 0, never decreasing; every title index within the matrix.
    private static void Check(SparseMatrix m, int start)
    {
        if (m.Pointers[0] != 0) throw new ArgumentException($"shard setup: member row pointers start at {m.Pointers[0]}, not 0");
        for (int r = 0; r < m.Rows; r++)
        {
            if (m.Pointers[r + 1] < m.Pointers[r]) throw new ArgumentException($"shard setup: member {start + r}'s row pointers decrease");
            for (int e = m.Pointers[r]; e < m.Pointers[r + 1]; e++)
                if ((uint)m.Indices[e] >= (uint)m.Columns)
                    throw new ArgumentException($"shard setup: member {start + r} has title {m.Indices[e]}, outside 0..{m.Columns - 1}");
        }
    }
}
