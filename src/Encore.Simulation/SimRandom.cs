using System.Runtime.CompilerServices;
using Encore.Core;

namespace Encore.Simulation;

/// <summary>
/// A small, fast, seedable generator (xoshiro256**) whose output is fixed by its seed on every platform and
/// .NET version, so the same seed gives the same service byte for byte. <see cref="Random"/> is avoided
/// because its algorithm for a seed is not a documented contract. A mutable struct: pass it by <c>ref</c>.
/// Independent streams (one per member and day, say) come from <see cref="Create"/> with different keys,
/// which keeps the output independent of how work is spread over threads.
/// </summary>
public struct SimRandom
{
    private Xoshiro256StarStar _core;

    /// <summary>A stream keyed by the seed and up to three integers (e.g. purpose, member, day).</summary>
    public static SimRandom Create(ulong seed, ulong purpose, ulong a = 0, ulong b = 0)
    {
        ulong x = Mix(seed ^ 0x9E3779B97F4A7C15UL);
        x = Mix(x ^ purpose);
        x = Mix(x ^ (a * 0xD1B54A32D192ED03UL));
        x = Mix(x ^ (b * 0xABC98388FB8FAC03UL));
        return new SimRandom { _core = new Xoshiro256StarStar(x) };
    }

    private static ulong Mix(ulong x) => Xoshiro256StarStar.SplitMix64(ref x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextULong() => _core.NextUInt64();

    /// <summary>Uniform in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => _core.NextDouble();

    /// <summary>Uniform in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextFloat() => (NextULong() >> 40) * (1.0f / (1U << 24));

    /// <summary>Uniform integer in [0, n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be positive");
        return (int)(((NextULong() >> 32) * (ulong)n) >> 32);
    }

    /// <summary>Uniform integer in [min, max] (both included).</summary>
    public int NextInt(int min, int max) => min + NextInt(max - min + 1);

    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal (Box-Muller; one value per call keeps the stream simple to reason about).</summary>
    public double Normal()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public double Normal(double mean, double sd) => mean + sd * Normal();

    /// <summary>Log-normal with the given median and log-scale spread.</summary>
    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());

    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>Poisson count (Knuth for small means, a rounded normal above 30).</summary>
    public int Poisson(double mean)
    {
        if (mean <= 0) return 0;
        if (mean > 30) return Math.Max(0, (int)Math.Round(Normal(mean, Math.Sqrt(mean))));
        double limit = Math.Exp(-mean), p = 1.0;
        int k = 0;
        do { k++; p *= NextDouble(); } while (p > limit);
        return k - 1;
    }

    /// <summary>Picks an index with probability proportional to <paramref name="weights"/> (non-negative, not all zero).</summary>
    public int PickWeighted(ReadOnlySpan<float> weights)
    {
        double total = 0;
        foreach (var w in weights) total += w;
        double x = NextDouble() * total;
        for (int i = 0; i < weights.Length; i++)
        {
            x -= weights[i];
            if (x < 0) return i;
        }
        for (int i = weights.Length - 1; i >= 0; i--) if (weights[i] > 0) return i;
        throw new ArgumentException("all weights are zero", nameof(weights));
    }

    /// <summary>Zipf-like index in [0, n): rank r drawn with probability proportional to 1/(r+1)^exponent (approximate, by inversion).</summary>
    public int Zipf(int n, double exponent)
    {
        // Inverse of the continuous power law on [1, n+1); exact enough for picking popular names and genres.
        double u = NextDouble();
        if (Math.Abs(exponent - 1.0) < 1e-9) return Math.Min(n - 1, (int)(Math.Exp(u * Math.Log(n + 1.0)) - 1.0));
        double a = 1.0 - exponent;
        double x = Math.Pow(1.0 + u * (Math.Pow(n + 1.0, a) - 1.0), 1.0 / a);
        return Math.Clamp((int)(x - 1.0), 0, n - 1);
    }
}
