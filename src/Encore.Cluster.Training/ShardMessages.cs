using Encore.Models.Numerics;

namespace Encore.Cluster.Training;

/// <summary>A slice of CSR rows as it travels between silos: plain arrays, pointers from 0.</summary>
[GenerateSerializer, Immutable]
public sealed class CsrSlice
{
    /// <summary>Rows in the slice.</summary>
    [Id(0)] public int Rows { get; set; }

    /// <summary>Columns of the whole matrix (the indices are global).</summary>
    [Id(1)] public int Columns { get; set; }

    /// <summary>Rows + 1 offsets into <see cref="Indices"/>, from 0.</summary>
    [Id(2)] public int[] Pointers { get; set; } = [];

    /// <summary>Column of each entry.</summary>
    [Id(3)] public int[] Indices { get; set; } = [];

    /// <summary>Weight of each entry.</summary>
    [Id(4)] public float[] Values { get; set; } = [];

    /// <summary>Rows <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> of <paramref name="m"/>, copied.</summary>
    public static CsrSlice Of(SparseMatrix m, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(m);
        int from = m.Pointers[start], to = m.Pointers[start + count];
        var pointers = new int[count + 1];
        for (int r = 0; r <= count; r++) pointers[r] = m.Pointers[start + r] - from;
        return new CsrSlice
        {
            Rows = count,
            Columns = m.Columns,
            Pointers = pointers,
            Indices = m.Indices.AsSpan(from, to - from).ToArray(),
            Values = m.Values.AsSpan(from, to - from).ToArray(),
        };
    }

    /// <summary>The slice as a matrix for the solver (no copy).</summary>
    public SparseMatrix ToMatrix() => new(Rows, Columns, Pointers, Indices, Values);
}

/// <summary>What one shard owns: a range of member rows and a range of title rows, with their starting factors.</summary>
[GenerateSerializer, Immutable]
public sealed class ShardSetup
{
    /// <summary>The resolved options (<see cref="Models.Ials.IalsOptions"/> as JSON, the unobserved weight set).</summary>
    [Id(0)] public string OptionsJson { get; set; } = "";

    /// <summary>Floats per factor row (<see cref="FactorKernels.Stride"/>).</summary>
    [Id(1)] public int Stride { get; set; }

    /// <summary>Members of the whole matrix (the regularization of a title row counts them).</summary>
    [Id(2)] public int Members { get; set; }

    /// <summary>Titles of the whole matrix.</summary>
    [Id(3)] public int Titles { get; set; }

    /// <summary>The first member row this shard owns.</summary>
    [Id(4)] public int MemberStart { get; set; }

    /// <summary>The owned member rows (title indices global).</summary>
    [Id(5)] public CsrSlice MemberRows { get; set; } = new();

    /// <summary>The owned members' starting factors (rows x stride).</summary>
    [Id(6)] public float[] MemberFactors { get; set; } = [];

    /// <summary>The first title row this shard owns.</summary>
    [Id(7)] public int TitleStart { get; set; }

    /// <summary>The owned title rows (member indices global).</summary>
    [Id(8)] public CsrSlice TitleRows { get; set; } = new();

    /// <summary>The owned titles' starting factors (rows x stride).</summary>
    [Id(9)] public float[] TitleFactors { get; set; } = [];
}

/// <summary>
/// Factors and a Gramian as they travel: the whole other side and its summed Gramian (coordinator to shards), or a
/// shard's solved rows and their partial Gramian (shard to coordinator). Never changed once sent.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class FactorBlock
{
    /// <summary>Factor rows (rows x stride floats).</summary>
    [Id(0)] public float[] Factors { get; set; } = [];

    /// <summary>a0 F^T F over those rows (stride x stride).</summary>
    [Id(1)] public float[] Gramian { get; set; } = [];
}
