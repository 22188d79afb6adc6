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
    // While the rows arrive: the CSR arrays being filled and how many rows are in.
    private int[] _pointers = [];
    private int[] _indices = [];
    private float[] _values = [];
    private int _loaded;

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
        if (setup.Members < 1 || setup.Titles < 1 || setup.Entries < 0 || setup.Entries > Array.MaxLength || (long)setup.Members * kp > Array.MaxLength)
            throw new ArgumentException($"shard setup: {setup.Members} members, {setup.Titles} titles and {setup.Entries} entries (one shard holds at least one member, at most {Array.MaxLength} entries and factor floats)", nameof(setup));
        _options = options;
        _setup = setup;
        _members = null;
        _byTitle?.Dispose();
        _byTitle = null;
        _x = new float[(long)setup.Members * kp];
        _pointers = new int[setup.Members + 1];
        _indices = new int[setup.Entries];
        _values = new float[setup.Entries];
        _loaded = 0;
        return Task.FromResult(RuntimeIdentity);
    }

    /// <inheritdoc />
    public Task LoadRowsAsync(ShardRows rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var (_, s) = Configured();
        if (_members is not null) throw new InvalidOperationException($"ials shard {this.GetPrimaryKeyLong(out _)} already holds all its {s.Members} rows");
        if (rows.FirstRow != _loaded)
            throw new ArgumentException($"rows from {rows.FirstRow} after {_loaded} rows (chunks come in row order)", nameof(rows));
        if (rows.Rows.Columns != s.Titles)
            throw new ArgumentException($"rows over {rows.Rows.Columns} titles for a matrix of {s.Titles}", nameof(rows));
        int kp = s.Stride, count = rows.Rows.Rows;
        if (count < 1 || count > s.Members - _loaded)
            throw new ArgumentException($"{count} rows from row {_loaded} of a shard of {s.Members}", nameof(rows));
        var chunk = rows.Rows.ToMatrix();
        var factors = Wire.View<float>(rows.Factors);
        if (factors.Length != (long)count * kp)
            throw new ArgumentException($"{factors.Length} factor floats for {count} rows of {kp}", nameof(rows));
        if (chunk.Pointers[0] != 0) throw new ArgumentException($"rows from {_loaded}: pointers start at {chunk.Pointers[0]}, not 0", nameof(rows));
        int at = _pointers[_loaded];
        if (chunk.NonZeros > _indices.Length - at)
            throw new ArgumentException($"rows from {_loaded} hold {chunk.NonZeros} entries, more than the {_indices.Length - at} left of the shard's {_indices.Length}", nameof(rows));
        for (int r = 0; r < count; r++)
        {
            int from = chunk.Pointers[r], to = chunk.Pointers[r + 1];
            if (to < from) throw new ArgumentException($"member {s.MemberStart + _loaded + r}'s row pointers decrease", nameof(rows));
            for (int e = from; e < to; e++)
                if ((uint)chunk.Indices[e] >= (uint)s.Titles)
                    throw new ArgumentException($"member {s.MemberStart + _loaded + r} has title {chunk.Indices[e]}, outside 0..{s.Titles - 1}", nameof(rows));
            _pointers[_loaded + r + 1] = at + to;
        }
        chunk.Indices.CopyTo(_indices, at);
        chunk.Values.CopyTo(_values, at);
        factors.CopyTo(_x.AsSpan((int)((long)_loaded * kp)));
        _loaded += count;
        if (_loaded == s.Members)
        {
            if (_pointers[^1] != _indices.Length)
                throw new ArgumentException($"the shard's rows hold {_pointers[^1]} entries, not the {_indices.Length} announced", nameof(rows));
            _members = new SparseMatrix(s.Members, s.Titles, _pointers, _indices, _values);
            _byTitle = new ShardTitleSums(_members, _options!.Alpha, _options.A0, kp);
            (_pointers, _indices, _values) = ([], [], []);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<MemberHalf> SolveMembersAsync(FactorBlock titles)
    {
        ArgumentNullException.ThrowIfNull(titles);
        var (o, s) = Ready();
        int kp = s.Stride;
        bool inBasis = titles.Basis.Length > 0;
        if (titles.FactorCount != (long)s.Titles * kp || titles.Gramian.Length != (inBasis ? kp : kp * kp) * sizeof(float)
            || (inBasis && titles.Basis.Length != kp * kp * sizeof(float)))
            throw new ArgumentException($"{titles.FactorCount} title floats, a Gramian of {titles.Gramian.Length} bytes and a basis of {titles.Basis.Length} bytes for {s.Titles} titles of {kp}", nameof(titles));
        return Task.Run(() =>
        {
            var y = Wire.Array<float>(titles.Factors);
            IalsSolver.SolveAll(_members!, _x, y, Wire.Array<float>(titles.Gramian), kp, o, s.Titles, CancellationToken.None, inBasis ? Wire.Array<float>(titles.Basis) : null);
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
        return Task.Run(() => Wire.Bytes<float>(_byTitle!.DirectionSums(titles, p)));
    }

    /// <inheritdoc />
    public Task<byte[]> MemberFactorsAsync(int firstRow, int count)
    {
        var (_, s) = Ready();
        if (firstRow < 0 || count < 0 || count > s.Members - firstRow)
            throw new ArgumentOutOfRangeException(nameof(count), $"rows {firstRow}..{(long)firstRow + count - 1} of a shard of {s.Members}");
        return Task.FromResult(Wire.Bytes<float>(_x.AsSpan((int)((long)firstRow * s.Stride), count * s.Stride)));
    }

    /// <inheritdoc />
    public Task ReleaseAsync()
    {
        _byTitle?.Dispose();
        (_options, _setup, _members, _byTitle, _x) = (null, null, null, null, []);
        (_pointers, _indices, _values, _loaded) = ([], [], [], 0);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private (IalsOptions, ShardSetup) Configured()
        => _options is { } o && _setup is { } s ? (o, s)
            : throw new InvalidOperationException($"ials shard {this.GetPrimaryKeyLong(out _)} was not set up (its silo may have restarted); start the fit again");

    // Set up, with all its rows in.
    private (IalsOptions, ShardSetup) Ready()
    {
        var (o, s) = Configured();
        return _members is not null ? (o, s)
            : throw new InvalidOperationException($"ials shard {this.GetPrimaryKeyLong(out _)} holds {_loaded} of its {s.Members} rows; load them all first");
    }
}
