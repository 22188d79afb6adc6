using Encore.Core;
using Encore.Models.Ease;
using Encore.Models.Numerics;

namespace Encore.Models.Sequential;

/// <summary>
/// The sequential blend: Encore's best top-N model on chronological protocols, where what a member watches next
/// follows what they watched last. Top-N scores blend (after standardizing each) an EASE score of the member's
/// history weighted by recency (the title k-th from the end weighs floor + exp(-k/scale)) with a "what comes
/// next" score: decayed counts of which title follows which in members' time-ordered histories, read from the
/// member's latest titles. Similar titles blend EASE similarity with the same "next title" counts.
/// Members' histories are ordered by the matrix's timestamps (then title index). Data without time order (no
/// timestamps, or one timestamp on every interaction, as in a file whose timestamp column holds 0 everywhere) has no
/// "last watched" and no "what comes next": the model then falls back to its EASE part alone, every history title
/// weighing the same (no recency weights, no transitions; <see cref="SequentialRecommender.TimeOrdered"/> is false),
/// instead of reading an order into title ids.
/// </summary>
public sealed class SequentialTrainer(SequentialOptions? options = null) : IRecommenderTrainer
{
    /// <summary>The model's name in the <see cref="ModelCatalog"/> (and in saved model files).</summary>
    public const string ModelName = "sequential";

    /// <summary>The model's entry in the <see cref="ModelCatalog"/>: its name, description, options and loader.</summary>
    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.Create<SequentialOptions>(
        ModelName, "sequence-aware blend: recency-weighted EASE + next-title transitions (Encore's best on P-TOPN and P-NEXT)",
        o => new SequentialTrainer(o), SequentialRecommender.Load);

    /// <summary>The options every fit uses.</summary>
    public SequentialOptions Options { get; } = options ?? new SequentialOptions();

    /// <inheritdoc />
    public string Name => ModelName;

    /// <inheritdoc />
    public IRecommender Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        data = data.WithoutNegatives(); // this model learns from positive evidence only
        var o = Options;
        o.Validate();
        bool timeOrdered = HasTimeOrder(data);
        var (orderPointers, orderTitles) = Chronological(data);
        ct.ThrowIfCancellationRequested();

        // EASE on presence (weight 1 per entry) fitted as non-binary, so that scoring honours the recency weights.
        var ones = new float[data.NonZeros];
        Array.Fill(ones, 1f);
        var presence = new InteractionMatrix(data.MemberIds, data.TitleIds, data.RowPointers, data.ColumnIndices, ones);
        var ease = (EaseRecommender)new EaseTrainer(new EaseOptions { Lambda = o.Lambda, MaxTitles = o.MaxTitles, Binary = false }).Fit(presence, ct);
        var similar = o.SimilarLambda == 0 || o.SimilarLambda == o.Lambda
            ? ease
            : (EaseRecommender)new EaseTrainer(new EaseOptions { Lambda = o.SimilarLambda, MaxTitles = o.MaxTitles, Binary = false }).Fit(presence, ct);

        SparseMatrix transitions, similarCounts;
        if (timeOrdered)
        {
            var popularity = data.ColumnCounts();
            var counts = TitleTransitions.Count(orderPointers, orderTitles, data.Columns, o.Window, o.Decay, ct);
            transitions = TitleTransitions.Normalize(counts, popularity, o.PopularityExponent);
            similarCounts = o.SimilarWindow == o.Window && o.SimilarDecay == o.Decay
                ? counts
                : TitleTransitions.Count(orderPointers, orderTitles, data.Columns, o.SimilarWindow, o.SimilarDecay, ct);
        }
        else
        {
            // No order to count "what comes next" in: no transitions at all.
            transitions = Empty(data.Columns);
            similarCounts = transitions;
        }
        return new SequentialRecommender(data.MemberIds, data.TitleIds, o, MemberHistory.From(data),
            new SparseMatrix(data.Rows, data.Columns, orderPointers, orderTitles, new float[orderTitles.Length]),
            ease, similar, transitions, similarCounts, timeOrdered);
    }

    /// <summary>
    /// Whether the interactions have a time order: timestamps that are not all one value (a matrix without timestamps,
    /// or whose timestamps are all equal, e.g. all 0, has none).
    /// </summary>
    public static bool HasTimeOrder(InteractionMatrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var times = data.Timestamps;
        if (times is null || times.Length < 2) return false;
        long first = times[0];
        foreach (var t in times)
            if (t != first) return true;
        return false;
    }

    private static SparseMatrix Empty(int titles) => new(titles, titles, new int[titles + 1], [], []);

    /// <summary>Each member's titles ordered by (time, title index), oldest first, as CSR.</summary>
    internal static (int[] Pointers, int[] Titles) Chronological(InteractionMatrix data)
    {
        var pointers = (int[])data.RowPointers.Clone();
        var titles = (int[])data.ColumnIndices.Clone();
        if (data.Timestamps is null) return (pointers, titles); // rows are already ascending by title
        var times = (long[])data.Timestamps.Clone();
        for (int m = 0; m < data.Rows; m++)
        {
            int s = pointers[m], n = pointers[m + 1] - s;
            // Columns within a row ascend, and Array.Sort is unstable: sort (time, title) keys together.
            var keys = new (long Time, int Title)[n];
            for (int k = 0; k < n; k++) keys[k] = (times[s + k], titles[s + k]);
            Array.Sort(keys);
            for (int k = 0; k < n; k++) titles[s + k] = keys[k].Title;
        }
        return (pointers, titles);
    }
}
