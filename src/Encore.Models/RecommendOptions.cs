namespace Encore.Models;

/// <summary>What to leave out of, or keep in, a recommendation list. Ids that the model does not know are ignored.</summary>
public sealed record RecommendOptions
{
    /// <summary>Titles never to recommend (e.g. already on screen, or blocked by the member).</summary>
    public IReadOnlyCollection<string>? ExcludeTitleIds { get; init; }

    /// <summary>Leave out the titles the member interacted with in training (and the given history, for a fold-in). Default true.</summary>
    public bool ExcludeHistory { get; init; } = true;

    /// <summary>When set, recommend only these titles (a set of titles, e.g. a row's candidates).</summary>
    public IReadOnlyCollection<string>? AllowedTitleIds { get; init; }

    /// <summary>When set, recommend only titles whose id satisfies it (e.g. a genre test against the catalogue).</summary>
    public Func<string, bool>? AllowedTitle { get; init; }

    /// <summary>A filter already compiled over the model's titles (fastest for many requests); combined with the others.</summary>
    public TitleFilter? Allowed { get; init; }

    /// <summary>The defaults: no titles excluded but the member's training titles, and no filter.</summary>
    public static RecommendOptions Default { get; } = new();
}

/// <summary>One recommended title: its external id, its dense index in the model, and its score.</summary>
public readonly record struct RecommendedTitle(string TitleId, int Title, float Score);

/// <summary>Top-N lists for many members at once (row-major, <see cref="N"/> per member, -1 where a list is shorter).</summary>
public sealed record TopNBatch(int N, int[] Titles, float[] Scores)
{
    /// <summary>How many members the batch holds lists for.</summary>
    public int Count => N == 0 ? 0 : Titles.Length / N;
    /// <summary>The <paramref name="i"/>-th member's list (dense title indices, best first; -1 past its end).</summary>
    public ReadOnlySpan<int> Row(int i) => Titles.AsSpan(i * N, N);
    /// <summary>The scores of <see cref="Row"/>(<paramref name="i"/>), aligned with it.</summary>
    public ReadOnlySpan<float> RowScores(int i) => Scores.AsSpan(i * N, N);
}
