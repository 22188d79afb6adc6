using System.Runtime.CompilerServices;
namespace Encore.Simulation;

/// <summary>
/// Fills a row from a ranked list with epsilon-greedy exploration and records each slot's propensity:
/// with probability 1 - epsilon the slot shows the best-ranked title not yet on the page, otherwise a title
/// drawn uniformly from the available titles not yet on the page. The propensity of the title shown is
/// (1 - epsilon)[it is the greedy choice] + epsilon / (titles it could have drawn), given the slots before it.
/// </summary>
internal static class RowFiller
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fill(Homepage page, ReadOnlySpan<int> ranked, int slots, double epsilon, ReadOnlySpan<int> pool, ref SimRandom rng)
    {
        int cursor = 0;
        for (int slot = 0; slot < slots; slot++)
        {
            while (cursor < ranked.Length && page.Contains(ranked[cursor])) cursor++;
            int greedy = cursor < ranked.Length ? ranked[cursor] : -1;
            int remaining = Math.Max(1, pool.Length - page.MarkedCount);
            double uniform = 1.0 / remaining;
            if (greedy >= 0 && !rng.Chance(epsilon))
            {
                page.Add(greedy, (float)(1.0 - epsilon + epsilon * uniform));
                continue;
            }
            int drawn = -1;
            for (int attempt = 0; attempt < 32 && pool.Length > 0; attempt++)
            {
                int candidate = pool[rng.NextInt(pool.Length)];
                if (!page.Contains(candidate)) { drawn = candidate; break; }
            }
            if (drawn < 0)
            {
                if (greedy < 0) return;
                drawn = greedy;
            }
            double p = greedy < 0 ? uniform : epsilon * uniform + (drawn == greedy ? 1.0 - epsilon : 0.0);
            page.Add(drawn, (float)p);
        }
    }
}
