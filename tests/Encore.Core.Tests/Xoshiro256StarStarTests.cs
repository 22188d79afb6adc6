using Encore.Core;
using Xunit;

namespace Encore.Core.Tests;

public sealed class Xoshiro256StarStarTests
{
    [Fact]
    public void Output_for_a_seed_is_fixed()
    {
        // Seeded models and the simulator promise byte-identical results for a seed: this pins the stream.
        var rng = new Xoshiro256StarStar(9);
        Assert.Equal(47656050712223840UL, rng.NextUInt64());
        var again = new Xoshiro256StarStar(9);
        Assert.Equal(47656050712223840UL, again.NextUInt64());
        Assert.Equal(rng.NextUInt64(), again.NextUInt64());
    }

    [Fact]
    public void Doubles_are_in_the_unit_interval_and_roughly_uniform()
    {
        var rng = new Xoshiro256StarStar(1);
        double sum = 0;
        const int n = 100_000;
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            Assert.InRange(u, 0.0, 0.9999999999999999);
            sum += u;
        }
        Assert.InRange(sum / n, 0.49, 0.51);
    }
}
