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

    /// <summary>Bytes of payload (what the exchange counters count).</summary>
    public long Bytes => (long)Pointers.Length + Indices.Length + Values.Length;

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

/// <summary>
/// What one shard owns: a run of member rows (the titles stay with the coordinator). The rows and their starting
/// factors follow in <see cref="ShardRows"/> chunks, so that no message has to hold a whole shard.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class ShardSetup
{
    /// <summary>The resolved options (<see cref="Models.Ials.IalsOptions"/> as JSON, the unobserved weight set).</summary>
    [Id(0)] public string OptionsJson { get; set; } = "";

    /// <summary>Floats per factor row (<see cref="FactorKernels.Stride"/>).</summary>
    [Id(1)] public int Stride { get; set; }

    /// <summary>Titles of the whole matrix (the regularization of a member row counts them).</summary>
    [Id(2)] public int Titles { get; set; }

    /// <summary>The first member row this shard owns.</summary>
    [Id(3)] public int MemberStart { get; set; }

    /// <summary>Member rows this shard owns.</summary>
    [Id(4)] public int Members { get; set; }

    /// <summary>Interactions in those rows.</summary>
    [Id(5)] public long Entries { get; set; }
}

/// <summary>A chunk of a shard's member rows with their starting factors, in order.</summary>
[GenerateSerializer, Immutable]
public sealed class ShardRows
{
    /// <summary>The chunk's first row, counted from the shard's first member.</summary>
    [Id(0)] public int FirstRow { get; set; }

    /// <summary>The rows (title indices global).</summary>
    [Id(1)] public CsrSlice Rows { get; set; } = new();

    /// <summary>Their starting factors (rows x stride floats, as bytes).</summary>
    [Id(2)] public byte[] Factors { get; set; } = [];

    /// <summary>Bytes of payload (what the exchange counters count).</summary>
    public long Bytes => Rows.Bytes + Factors.Length;
}

/// <summary>
/// What the coordinator sends every shard for a member half-iteration (as bytes, see <see cref="CsrSlice"/>): every
/// title's factors and their Gramian a0 Y^T Y; or, where the single-node fit would solve the member half in that
/// Gramian's eigenbasis (at scale), the factors in that basis, its eigenvalues and the basis.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class FactorBlock
{
    /// <summary>Factor rows (rows x stride floats).</summary>
    [Id(0)] public byte[] Factors { get; set; } = [];

    /// <summary>a0 F^T F over those rows (stride x stride floats); with a <see cref="Basis"/>, its eigenvalues (stride floats).</summary>
    [Id(1)] public byte[] Gramian { get; set; } = [];

    /// <summary>Empty; or the Gramian's eigenbasis V (stride x stride floats), which the factors are given in and each member's factors are turned into (x V) as they are solved.</summary>
    [Id(2)] public byte[] Basis { get; set; } = [];

    /// <summary>A block of copies of <paramref name="factors"/> and <paramref name="gramian"/> (its eigenvalues with a <paramref name="basis"/>).</summary>
    public static FactorBlock Of(ReadOnlySpan<float> factors, ReadOnlySpan<float> gramian, ReadOnlySpan<float> basis = default)
        => new() { Factors = Wire.Bytes(factors), Gramian = Wire.Bytes(gramian), Basis = Wire.Bytes(basis) };

    /// <summary>Floats in <see cref="Factors"/>.</summary>
    public int FactorCount => Factors.Length / sizeof(float);

    /// <summary>Bytes of payload (what the exchange counters count).</summary>
    public long Bytes => (long)Factors.Length + Gramian.Length + Basis.Length;
}

/// <summary>
/// A shard's reply to a member half-iteration: the partial Gramian of its re-solved members, and its part of the sparse
/// term of every title's residual for the title half-iteration that follows (as bytes).
/// </summary>
[GenerateSerializer, Immutable]
public sealed class MemberHalf
{
    /// <summary>a0 X_s^T X_s over the shard's members (stride x stride floats).</summary>
    [Id(0)] public byte[] Gramian { get; set; } = [];

    /// <summary>Per title t: sum over the shard's members u who have t of (c - (c - a0) x_u . y_t) x_u (titles x stride floats).</summary>
    [Id(1)] public byte[] ResidualSums { get; set; } = [];

    /// <summary>Bytes of payload (what the exchange counters count).</summary>
    public long Bytes => (long)Gramian.Length + ResidualSums.Length;
}

/// <summary>One conjugate-gradient step of the title half-iteration: the titles still running and their directions p (as bytes).</summary>
[GenerateSerializer, Immutable]
public sealed class TitleDirections
{
    /// <summary>The titles, ascending (int32s as bytes).</summary>
    [Id(0)] public byte[] Titles { get; set; } = [];

    /// <summary>One direction per title, in the same order (titles x stride floats).</summary>
    [Id(1)] public byte[] Directions { get; set; } = [];

    /// <summary>Bytes of payload (what the exchange counters count).</summary>
    public long Bytes => (long)Titles.Length + Directions.Length;
}
