using System.Runtime.CompilerServices;
using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// A small, fast, seedable generator (xoshiro256**, seeded through SplitMix64) with the Gaussian and Gamma
/// draws the samplers need. A value type, so each thread or partition derives its own stream with
/// <see cref="For"/> from (seed, stream ids): results then do not depend on thread scheduling.
/// </summary>
public struct SeededRandom
{
    private Xoshiro256StarStar _core;
    private double _spareGaussian;
    private bool _hasSpare;

    /// <summary>A stream seeded with <paramref name="seed"/>.</summary>
    public SeededRandom(ulong seed)
    {
        _core = new Xoshiro256StarStar(seed);
        _spareGaussian = 0;
        _hasSpare = false;
    }

    /// <summary>An independent stream for (seed, a, b): e.g. (seed, sample, member).</summary>
    public static SeededRandom For(long seed, long a, long b = 0)
    {
        ulong x = (ulong)seed;
        ulong h = Xoshiro256StarStar.SplitMix64(ref x) ^ ((ulong)a * 0x9E3779B97F4A7C15UL);
        h = Xoshiro256StarStar.SplitMix64(ref h) ^ ((ulong)b * 0xC2B2AE3D27D4EB4FUL);
        return new SeededRandom(Xoshiro256StarStar.SplitMix64(ref h));
    }

    /// <summary>The next 64 uniformly distributed random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64() => _core.NextUInt64();

    /// <summary>Uniform in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => _core.NextDouble();

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => (int)((NextUInt64() >> 33) * (ulong)n >> 31);

    /// <summary>Standard normal (polar Box-Muller; the second value is kept for the next call).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * m;
        _hasSpare = true;
        return u * m;
    }

    /// <summary>Gamma(shape, scale 1) by Marsaglia and Tsang (shape below 1 through the boost u^(1/shape)).</summary>
    public double NextGamma(double shape)
    {
        if (shape <= 0) throw new ArgumentOutOfRangeException(nameof(shape), shape, "gamma shape must be positive");
        if (shape < 1)
        {
            double boost = Math.Pow(NextDouble() + double.Epsilon, 1 / shape);
            return NextGamma(shape + 1) * boost;
        }
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates).</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
