using Encore.Core;

namespace Encore.Models.Tests;

/// <summary>
/// Small member x title data with structure a model can learn: members belong to one of three taste groups and
/// mostly watch titles of their group. Deterministic for a seed. The catalogue also holds one title nobody watched.
/// </summary>
public static class SyntheticData
{
    public const string UnwatchedTitle = "t-unwatched";

    public static InteractionMatrix Create(int members = 60, int titles = 45, int perMember = 8, int seed = 1)
    {
        var rng = new Random(seed);
        var titleIds = new IdMap();
        for (int t = 0; t < titles; t++) titleIds.GetOrAdd($"t{t}");
        titleIds.GetOrAdd(UnwatchedTitle);
        var builder = new InteractionMatrixBuilder(titleIds: titleIds);
        long start = 1_600_000_000;
        for (int m = 0; m < members; m++)
        {
            int group = m % 3;
            for (int k = 0; k < perMember; k++)
            {
                // 85% within the member's group (titles t with t % 3 == group), skewed towards low ids.
                int t = rng.NextDouble() < 0.85
                    ? 3 * (int)(Math.Pow(rng.NextDouble(), 2) * (titles / 3)) + group
                    : rng.Next(titles);
                builder.Add($"m{m}", $"t{Math.Min(t, titles - 1)}", 1f + (float)rng.NextDouble(), rng.Next(1, 6), start + rng.Next(0, 90 * 86400));
            }
        }
        return builder.Build();
    }
}
