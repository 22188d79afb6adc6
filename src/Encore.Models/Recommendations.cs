using System.Buffers;
using Encore.Core;

namespace Encore.Models;

/// <summary>
/// Changes one member's scores before the top N is picked (context, business rules); excluded titles are
/// -infinity already and must stay so. Called concurrently for different members.
/// </summary>
public delegate void ScoreAdjustment(int member, Span<float> scores);

/// <summary>
/// Turns any <see cref="IRecommender"/> into top-N lists by external id: translates ids, applies exclusions and
/// filters, falls back to the model's non-personalized scores for an unknown member, and picks the top N
/// with a partial selection. All methods are safe to call concurrently on one fitted model.
/// </summary>
public static class Recommendations
{
    /// <summary>Top-N titles for a member; an unknown member gets the empty-history fallback.</summary>
    public static IReadOnlyList<RecommendedTitle> Recommend(IRecommender model, string memberId, int n, RecommendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        options ??= RecommendOptions.Default;
        int titles = model.TitleIds.Count;
        var scores = ArrayPool<float>.Shared.Rent(titles);
        try
        {
            var span = scores.AsSpan(0, titles);
            int member = model.MemberIds.IndexOf(memberId);
            if (member >= 0)
            {
                model.ScoreMember(member, span);
                if (options.ExcludeHistory && model is IMemberHistory history) Mask(span, history.TrainingTitles(member));
            }
            else
            {
                model.ScoreHistory([], [], span);
            }
            return Finish(model, span, n, options);
        }
        finally { ArrayPool<float>.Shared.Return(scores); }
    }

    /// <summary>
    /// Top-N titles for a history that the model has not been trained on (fold-in of a new member, or a known
    /// member's newest events). <paramref name="historyTitleIds"/> is in time order, oldest first, as
    /// <see cref="IRecommender.ScoreHistory"/> defines; a title given more than once takes the place of its latest
    /// mention and the sum of its weights. Unknown title ids in the history are ignored; weights default to 1.
    /// </summary>
    public static IReadOnlyList<RecommendedTitle> RecommendForHistory(IRecommender model, IReadOnlyList<string> historyTitleIds,
        IReadOnlyList<float>? weights, int n, RecommendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(historyTitleIds);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (weights is not null && weights.Count != historyTitleIds.Count)
            throw new ArgumentException($"weights holds {weights.Count} values for {historyTitleIds.Count} titles", nameof(weights));
        options ??= RecommendOptions.Default;
        // Pass 1: each known title's latest position and total weight. Pass 2: the titles in the order of their
        // latest positions, so the order the caller gave (oldest first) is kept.
        var merged = new Dictionary<int, (int Last, float Weight)>(historyTitleIds.Count);
        var position = new int[historyTitleIds.Count];
        for (int i = 0; i < historyTitleIds.Count; i++)
        {
            position[i] = -1;
            if (!model.TitleIds.TryGetIndex(historyTitleIds[i], out var t)) continue;
            position[i] = t;
            float w = weights?[i] ?? 1f;
            merged[t] = merged.TryGetValue(t, out var prev) ? (i, prev.Weight + w) : (i, w);
        }
        var idx = new int[merged.Count];
        var vals = new float[merged.Count];
        int k = 0;
        for (int i = 0; i < position.Length; i++)
        {
            int t = position[i];
            if (t < 0 || merged[t].Last != i) continue;
            idx[k] = t;
            vals[k++] = merged[t].Weight;
        }
        var scores = new float[model.TitleIds.Count];
        model.ScoreHistory(idx, vals, scores);
        if (options.ExcludeHistory) Mask(scores, idx);
        return Finish(model, scores, n, options);
    }

    /// <summary>The titles most similar to <paramref name="titleId"/> (never the title itself); empty for an unknown title.</summary>
    public static IReadOnlyList<RecommendedTitle> SimilarTitles(IRecommender model, string titleId, int n, RecommendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        options ??= RecommendOptions.Default;
        int title = model.TitleIds.IndexOf(titleId);
        if (title < 0) return [];
        var scores = new float[model.TitleIds.Count];
        model.SimilarTitles(title, scores);
        scores[title] = float.NegativeInfinity;
        return Finish(model, scores, n, options);
    }

    /// <summary>
    /// Top-N for many training members in parallel (evaluation, precomputed homepages). Each member's titles in
    /// <paramref name="exclude"/> (same member and title indices as the model; e.g. the training matrix) are left
    /// out; when it is null and <paramref name="excludeHistory"/> is set, the model's own training history is used.
    /// </summary>
    public static TopNBatch RecommendBatch(IRecommender model, ReadOnlySpan<int> members, int n, InteractionMatrix? exclude = null,
        bool excludeHistory = true, TitleFilter? allowed = null, ScoreAdjustment? adjust = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        int titles = model.TitleIds.Count;
        if (exclude is not null && exclude.Columns != titles)
            throw new ArgumentException($"exclude has {exclude.Columns} titles; the model has {titles}", nameof(exclude));
        var memberArray = members.ToArray();
        foreach (var m in memberArray)
            if ((uint)m >= (uint)model.MemberIds.Count) throw new ArgumentOutOfRangeException(nameof(members), m, "member index is not in the model");
        var result = new int[memberArray.Length * n];
        var resultScores = new float[memberArray.Length * n];
        Array.Fill(result, -1);
        var history = excludeHistory && exclude is null ? model as IMemberHistory : null;
        var po = new ParallelOptions { CancellationToken = ct };
        // Chunks of members per task keep the per-task scratch buffer warm in cache.
        const int chunk = 16;
        int chunks = (memberArray.Length + chunk - 1) / chunk;
        Parallel.For(0, chunks, po, () => new float[titles], (c, _, scores) =>
        {
            int end = Math.Min(memberArray.Length, (c + 1) * chunk);
            for (int i = c * chunk; i < end; i++)
            {
                int m = memberArray[i];
                model.ScoreMember(m, scores);
                if (exclude is not null && m < exclude.Rows) Mask(scores, exclude.RowColumns(m));
                else if (history is not null) Mask(scores, history.TrainingTitles(m));
                adjust?.Invoke(m, scores);
                TopN.Select(scores, n, result.AsSpan(i * n, n), resultScores.AsSpan(i * n, n), allowed);
            }
            return scores;
        }, _ => { });
        return new TopNBatch(n, result, resultScores);
    }

    /// <summary>Compiles the filters of <paramref name="options"/> over the model's titles (null when there are none).</summary>
    public static TitleFilter? CompileFilter(IdMap titleIds, RecommendOptions options)
    {
        TitleFilter? filter = options.Allowed;
        if (filter is not null && filter.Titles != titleIds.Count)
            throw new ArgumentException($"RecommendOptions.Allowed covers {filter.Titles} titles; the model has {titleIds.Count}", nameof(options));
        if (options.AllowedTitleIds is not null)
        {
            var f = TitleFilter.FromIds(titleIds, options.AllowedTitleIds);
            filter = filter is null ? f : filter.Intersect(f);
        }
        if (options.AllowedTitle is not null)
        {
            var f = TitleFilter.FromPredicate(titleIds, options.AllowedTitle);
            filter = filter is null ? f : filter.Intersect(f);
        }
        return filter;
    }

    private static IReadOnlyList<RecommendedTitle> Finish(IRecommender model, Span<float> scores, int n, RecommendOptions options)
    {
        if (options.ExcludeTitleIds is not null)
            foreach (var id in options.ExcludeTitleIds)
                if (model.TitleIds.TryGetIndex(id, out var t)) scores[t] = float.NegativeInfinity;
        var filter = CompileFilter(model.TitleIds, options);
        n = Math.Min(n, scores.Length);
        var idx = new int[n];
        var sc = new float[n];
        int count = TopN.Select(scores, n, idx, sc, filter);
        var list = new RecommendedTitle[count];
        for (int i = 0; i < count; i++) list[i] = new RecommendedTitle(model.TitleIds[idx[i]], idx[i], sc[i]);
        return list;
    }

    private static void Mask(Span<float> scores, ReadOnlySpan<int> titles)
    {
        foreach (var t in titles)
            if ((uint)t < (uint)scores.Length) scores[t] = float.NegativeInfinity;
    }
}
