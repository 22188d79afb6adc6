using Encore.Models.Numerics;
using Xunit;

namespace Encore.Models.Tests;

public sealed class CompactFactorsTests
{
    [Theory]
    [InlineData(0x3F800000u, (ushort)0x3F80)] // 1
    [InlineData(0xC0000000u, (ushort)0xC000)] // -2
    [InlineData(0x00000000u, (ushort)0x0000)] // 0
    [InlineData(0x3F808000u, (ushort)0x3F80)] // 1 + 2^-8, halfway between 1 and 1 + 2^-7: ties go to the even one, 1
    [InlineData(0x3F818000u, (ushort)0x3F82)] // 1 + 3 * 2^-8, halfway between 1 + 2^-7 (odd) and 1 + 2^-6: to 1 + 2^-6
    [InlineData(0x3F808001u, (ushort)0x3F81)] // just above halfway: up
    [InlineData(0x3F807FFFu, (ushort)0x3F80)] // just below halfway: down
    [InlineData(0xBF80C000u, (ushort)0xBF81)] // -(1 + 3 * 2^-9): to the nearest, -(1 + 2^-7)
    public unsafe void Rounds_to_the_nearest_bfloat16_ties_to_even(uint bits, ushort expected)
    {
        float value = BitConverter.UInt32BitsToSingle(bits);
        Assert.Equal(expected, CompactFactors.RoundOne(value));
        // The vector path (blocks of 32) and the scalar tail agree with the definition.
        var many = Enumerable.Repeat(value, 37).ToArray();
        using var factors = new CompactFactors().From(many, 1, 37, TestContext.Current.CancellationToken);
        Assert.Equal(37, factors.Length);
        for (int i = 0; i < 37; i++) Assert.Equal(expected, factors.Bits[i]);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(80)]
    public unsafe void Gathered_rows_are_the_rows_rounded_to_within_a_relative_2_to_the_minus_8(int kp)
    {
        var rng = new Random(kp);
        int rows = 300;
        var y = new float[rows * kp];
        for (int i = 0; i < y.Length; i++) y[i] = (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-6, 3)));
        using var compact = new CompactFactors().From(y, rows, kp, TestContext.Current.CancellationToken);
        Assert.Equal(kp, compact.Stride);
        var indices = new[] { 7, 0, 299, 7, 150 };
        var widened = new float[indices.Length * kp];
        fixed (int* pi = indices)
        fixed (float* pw = widened)
            CompactFactors.Gather(compact.Bits, pi, indices.Length, pw, kp, prefetch: 2);
        for (int e = 0; e < indices.Length; e++)
            for (int k = 0; k < kp; k++)
            {
                float exact = y[indices[e] * kp + k], got = widened[e * kp + k];
                Assert.True(Math.Abs(got - exact) <= Math.Abs(exact) * (1.0 / 256), $"row {indices[e]}, factor {k}: {got} for {exact}");
                Assert.Equal(CompactFactors.Widen(CompactFactors.RoundOne(exact)), got);
            }
    }

    [Fact]
    public void Refuses_fewer_values_than_the_rows_it_is_told()
            {
        using var compact = new CompactFactors();
        Assert.Contains("fewer than 3 rows of 16", Assert.Throws<ArgumentException>(() => compact.From(new float[40], 3, 16, TestContext.Current.CancellationToken)).Message);
    }
}
