using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Encore.Models.Numerics;

/// <summary>
/// A factor matrix rounded to bfloat16 (the upper 16 bits of each float, rounded to nearest even): the copy that an
/// ALS half-iteration gathers its other side's rows from. A row of 64 factors is then two cache lines instead of four,
/// so the random gathers that bound iALS at scale move half the bytes; the rows are widened back to floats as they are
/// gathered (a shift), and all arithmetic stays in float. The rounding changes each factor by at most 2^-8 of its
/// value, far below what the fit can resolve; the solved side and the Gramians stay in full precision.
/// </summary>
internal sealed unsafe class CompactFactors : IDisposable
{
    private ushort* _bits;
    private long _length;

    /// <summary>The rounded rows, <see cref="Stride"/> values each (valid until the next <see cref="From"/> or <see cref="Dispose"/>).</summary>
    public ushort* Bits => _bits;

    /// <summary>Values per row (the factor stride, a multiple of 16).</summary>
    public int Stride { get; private set; }

    /// <summary>The number of values held.</summary>
    public long Length => _length;

    /// <summary>Rounds <paramref name="rows"/> rows of <paramref name="factors"/> (stride <paramref name="kp"/>) into this copy, reusing its memory.</summary>
    public CompactFactors From(float[] factors, int rows, int kp, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(factors);
        long length = (long)rows * kp;
        if (length > factors.Length) throw new ArgumentException($"factors hold {factors.Length} values, fewer than {rows} rows of {kp}", nameof(factors));
        if (_length != length)
        {
            Free();
            _bits = HugePages.Allocate<ushort>(length);
            _length = length;
        }
        Stride = kp;
        const int block = 1 << 16;
        int blocks = (int)((length + block - 1) / block);
        ushort* bits = _bits;
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = ct }, b =>
        {
            long from = (long)b * block;
            int count = (int)Math.Min(block, length - from);
            fixed (float* src = factors)
                Round(src + from, bits + from, count);
        });
        return this;
    }

    /// <summary>Frees the copy's memory.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~CompactFactors() => Free();

    private void Free()
    {
        if (_bits != null) HugePages.Free(_bits, _length);
        _bits = null;
        _length = 0;
    }

    /// <summary>bfloat16 of each float, rounded to nearest even (finite inputs; factors are never NaN).</summary>
    internal static void Round(float* src, ushort* dst, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var one = Vector512.Create(1u);
            var half = Vector512.Create(0x7FFFu);
            for (; i + 32 <= count; i += 32)
            {
                var a = Vector512.Load((uint*)(src + i));
                var b = Vector512.Load((uint*)(src + i + 16));
                a = Vector512.ShiftRightLogical(a + half + (Vector512.ShiftRightLogical(a, 16) & one), 16);
                b = Vector512.ShiftRightLogical(b + half + (Vector512.ShiftRightLogical(b, 16) & one), 16);
                Vector512.Store(Vector512.Narrow(a, b), dst + i);
            }
        }
        for (; i < count; i++) dst[i] = RoundOne(src[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ushort RoundOne(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }

    /// <summary>The float a bfloat16 stands for.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Widen(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>
    /// Widens the rows <paramref name="rows"/>[indices[e]], e in 0..n, to floats at <paramref name="to"/> + e * kp, asking
    /// for the rows <paramref name="prefetch"/> entries ahead while it goes (kp a multiple of 16).
    /// </summary>
    internal static void Gather(ushort* rows, int* indices, int n, float* to, int kp, int prefetch)
    {
        for (int e = 0; e < n; e++)
        {
            if (e + prefetch < n) Prefetch(rows, indices[e + prefetch], kp);
            Expand(rows + (long)indices[e] * kp, to + (long)e * kp, kp);
        }
    }

    /// <summary>Asks for the cache lines of one compact row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Prefetch(ushort* rows, int row, int kp)
    {
        if (!Sse.IsSupported) return;
        byte* at = (byte*)(rows + (long)row * kp);
        for (int l = 0; l < kp * sizeof(ushort); l += 64) Sse.Prefetch0(at + l);
    }

    /// <summary>Widens one row of kp bfloat16 values (kp a multiple of 16) to floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Expand(ushort* src, float* dst, int kp)
    {
        if (Avx512F.IsSupported)
        {
            for (int k = 0; k < kp; k += 16)
                Avx512F.Store((uint*)(dst + k), Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512UInt32(Avx.LoadVector256(src + k)), 16));
            return;
        }
        if (Avx2.IsSupported)
        {
            for (int k = 0; k < kp; k += 8)
                Avx.Store((int*)(dst + k), Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(src + k), 16));
            return;
        }
        for (int k = 0; k < kp; k++) dst[k] = Widen(src[k]);
    }
}
