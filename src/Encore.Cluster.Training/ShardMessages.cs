using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Encore.Models.Numerics;

namespace Encore.Cluster.Training;

/// <summary>
/// A slice of CSR rows as it travels between silos, pointers from 0. The arrays travel as bytes: Orleans copies a byte
/// array as one block but writes an int or float array element by element.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class CsrSlice
{
    /// <summary>Rows in the slice.</summary>
    [Id(0)] public int Rows { get; set; }

    /// <summary>Columns of the whole matrix (the indices are global).</summary>
    [Id(1)] public int Columns { get; set; }

    /// <summary>Rows + 1 offsets into the indices, from 0 (int32s as bytes).</summary>
    [Id(2)] public byte[] Pointers { get; set; } = [];

    /// <summary>Column of each entry (int32s as bytes).</summary>
    [Id(3)] public byte[] Indices { get; set; } = [];

    /// <summary>Weight of each entry (floats as bytes).</summary>
    [Id(4)] public byte[] Values { get; set; } = [];

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
            Pointers = Wire.Bytes<int>(pointers),
            Indices = Wire.Bytes<int>(m.Indices.AsSpan(from, to - from)),
            Values = Wire.Bytes<float>(m.Values.AsSpan(from, to - from)),
        };
    }

    /// <summary>The slice as a matrix for the solver.</summary>
    public SparseMatrix ToMatrix() => new(Rows, Columns, Wire.Array<int>(Pointers), Wire.Array<int>(Indices), Wire.Array<float>(Values));
}

/// <summary>Arrays of numbers as the bytes they travel as (this machine's byte order on both sides: one build, one platform).</summary>
public static class Wire
{
    /// <summary>The bytes of <paramref name="values"/>, copied.</summary>
    public static byte[] Bytes<T>(ReadOnlySpan<T> values) where T : unmanaged => MemoryMarshal.AsBytes(values).ToArray();

    /// <summary>The numbers in <paramref name="bytes"/>, copied.</summary>
    /// <exception cref="ArgumentException">A length that is not a whole number of them.</exception>
    public static T[] Array<T>(byte[] bytes) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length % Unsafe.SizeOf<T>() != 0) throw new ArgumentException($"{bytes.Length} bytes are not a whole number of {typeof(T).Name}s", nameof(bytes));
        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    /// <summary>The numbers in <paramref name="bytes"/>, in place.</summary>
    public static ReadOnlySpan<T> View<T>(byte[] bytes) where T : unmanaged => MemoryMarshal.Cast<byte, T>(bytes);
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

    /// <summary>The owned members' starting factors (rows x stride floats, as bytes).</summary>
    [Id(6)] public byte[] MemberFactors { get; set; } = [];

    /// <summary>The first title row this shard owns.</summary>
    [Id(7)] public int TitleStart { get; set; }

    /// <summary>The owned title rows (member indices global).</summary>
    [Id(8)] public CsrSlice TitleRows { get; set; } = new();

    /// <summary>The owned titles' starting factors (rows x stride floats, as bytes).</summary>
    [Id(9)] public byte[] TitleFactors { get; set; } = [];
}

/// <summary>
/// Factors and a Gramian as they travel (as bytes, see <see cref="CsrSlice"/>): the whole other side and its summed
/// Gramian (coordinator to shards), or a shard's solved rows and their partial Gramian (shard to coordinator).
/// </summary>
[GenerateSerializer, Immutable]
public sealed class FactorBlock
{
    /// <summary>Factor rows (rows x stride floats).</summary>
    [Id(0)] public byte[] Factors { get; set; } = [];

    /// <summary>a0 F^T F over those rows (stride x stride floats).</summary>
    [Id(1)] public byte[] Gramian { get; set; } = [];

    /// <summary>A block of copies of <paramref name="factors"/> and <paramref name="gramian"/>.</summary>
    public static FactorBlock Of(ReadOnlySpan<float> factors, ReadOnlySpan<float> gramian)
        => new() { Factors = Wire.Bytes(factors), Gramian = Wire.Bytes(gramian) };

    /// <summary>Floats in <see cref="Factors"/>.</summary>
    public int FactorCount => Factors.Length / sizeof(float);
}
