using Encore.Core;
using Encore.Models.Ratings;

namespace Encore.Models.Tests.Ratings;

/// <summary>A small seeded rating matrix with real structure (biases + 3 latent factors + noise), stars 1..5.</summary>
internal static class SyntheticRatings
{
    public static InteractionMatrix Create(int members = 80, int titles = 60, double density = 0.3, long seed = 1)
    {
        var random = SeededRandom.For(seed, 99);
        const int k = 3;
        var p = new double[members * k];
        var q = new double[titles * k];
        var bu = new double[members];
        var bi = new double[titles];
        for (int n = 0; n < p.Length; n++) p[n] = 0.6 * random.NextGaussian();
        for (int n = 0; n < q.Length; n++) q[n] = 0.6 * random.NextGaussian();
        for (int u = 0; u < members; u++) bu[u] = 0.4 * random.NextGaussian();
        for (int i = 0; i < titles; i++) bi[i] = 0.5 * random.NextGaussian();
        var builder = new InteractionMatrixBuilder();
        for (int u = 0; u < members; u++)
        {
            for (int i = 0; i < titles; i++)
            {
                if (random.NextDouble() >= density) continue;
                double r = 3.5 + bu[u] + bi[i] + 0.3 * random.NextGaussian();
                for (int f = 0; f < k; f++) r += p[u * k + f] * q[i * k + f];
                float stars = (float)Math.Clamp(Math.Round(r), 1, 5);
                builder.Add($"m{u}", $"t{i}", 1f, stars, 1_000_000 + u * 100 + i);
            }
        }
        return builder.Build();
    }
}
