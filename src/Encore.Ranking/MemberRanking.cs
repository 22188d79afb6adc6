using Encore.Core;
using Encore.Models;
using Encore.Signals;

namespace Encore.Ranking;

/// <summary>One request for a member's list: how many, which genre, and the context it is shown in.</summary>
public sealed record RankingRequest
{
    public int Count { get; init; } = 20;
    /// <summary>Only titles of this genre (case-insensitive), or null for all.</summary>
    public string? Genre { get; init; }
    /// <summary>The device the list is for, or null to ignore the context.</summary>
    public DeviceKind? Device { get; init; }
    /// <summary>The UTC hour of the request (with <see cref="Device"/>).</summary>
    public int Hour { get; init; } = DateTime.UtcNow.Hour;
    /// <summary>How strongly the context moves the list.</summary>
    public ContextOptions Context { get; init; } = ContextOptions.Default;
    public IReadOnlyCollection<string>? ExcludeTitleIds { get; init; }
    /// <summary>
    /// The catalogue's rules to apply, or null for none: titles not available at <see cref="AtUtc"/> (or removed from the
    /// catalogue) and titles rated above <see cref="MaturityLimit"/> are left out.
    /// </summary>
    public RankingCatalogue? Rules { get; init; }
    /// <summary>The moment of the list, for availability (with <see cref="Rules"/>; default now).</summary>
    public DateTime? AtUtc { get; init; }
    /// <summary>The profile's maturity limit as an age (<see cref="MaturityRatings.RequireAge"/>), with <see cref="Rules"/>.</summary>
    public int? MaturityLimit { get; init; }
}

/// <summary>A title on a member's list: its rank score and, for explanations, what moved it.</summary>
public sealed record RankedTitle(string TitleId, string Name, float Score, IReadOnlyList<string> Genres);

/// <summary>
/// A member's list from a trained model and the member's current signals: the model's scores (the member's own row,
/// or a fold-in of the member's history as the signals weigh it when the member has events the model has not seen),
/// titles already begun or rated and titles with negative evidence left out, the genre filter, and the context of the request.
/// </summary>
public static class MemberRanking
{
    /// <exception cref="ArgumentException">The genre is not one of the catalogue's (the message lists them).</exception>
    public static IReadOnlyList<RankedTitle> Recommend(TrainedModel model, SignalSet signals, string memberId, RankingRequest request)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(memberId);
        ArgumentNullException.ThrowIfNull(request);
        var recommender = model.Recommender;
        var catalogue = signals.Catalogue;
        int titles = recommender.TitleIds.Count;
        // The model's titles, located in the catalogue the signals use (a title added since training is not scored).
        var toCatalogue = new int[titles];
        for (int t = 0; t < titles; t++) toCatalogue[t] = catalogue.TitleIds.IndexOf(recommender.TitleIds[t]);

        int member = signals.MemberIds.IndexOf(memberId);
        var scores = new float[titles];
        var history = member < 0 ? [] : signals.TitlesOf(member);
        Score(model, signals, memberId, scores);

        if (member >= 0)
        {
            // Left out: every title the member began, rated or has negative evidence for. A title the member only searched
            // for by name stays: it is what the member looked for.
            long asOf = Math.Max(model.TrainedUntilMs, signals.LastEventMs);
            var known = new HashSet<int>();
            foreach (var t in history)
            {
                var s = signals.Get(member, t);
                if (s.Played || !float.IsNaN(s.Rating) || PreferenceModel.Weigh(s, model.Preferences, asOf).Evidence == Evidence.Negative) known.Add(t);
            }
            for (int t = 0; t < titles; t++) if (toCatalogue[t] >= 0 && known.Contains(toCatalogue[t])) scores[t] = float.NegativeInfinity;
        }
        if (request.ExcludeTitleIds is { } exclude)
            foreach (var id in exclude) if (recommender.TitleIds.TryGetIndex(id, out var t)) scores[t] = float.NegativeInfinity;

        if (request.Rules is { } rules)
        {
            long at = new DateTimeOffset(DateTime.SpecifyKind(request.AtUtc ?? DateTime.UtcNow, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
            for (int t = 0; t < titles; t++)
            {
                int c = toCatalogue[t] < 0 ? -1 : rules.Signals.TitleIds.IndexOf(catalogue.TitleIds[toCatalogue[t]]);
                if (c < 0 || !rules.IsAvailable(c, at) || (request.MaturityLimit is { } limit && rules.MaturityAge[c] > limit))
                    scores[t] = float.NegativeInfinity;
            }
        }

        if (request.Genre is { } genre)
        {
            int g = -1;
            for (int i = 0; i < catalogue.Genres.Count; i++)
                if (string.Equals(catalogue.Genres[i], genre, StringComparison.OrdinalIgnoreCase)) g = i;
            if (g < 0) throw new ArgumentException($"no genre '{UnicodeText.Clip(genre)}' in the catalogue; its genres: {string.Join(", ", catalogue.Genres.Ids)}");
            for (int t = 0; t < titles; t++)
                if (toCatalogue[t] < 0 || Array.IndexOf(catalogue.TitleGenres[toCatalogue[t]], g) < 0) scores[t] = float.NegativeInfinity;
        }

        if (request.Device is { } device && member >= 0 && request.Context.Weight > 0 && model.ContextShares.Genres == catalogue.Genres.Count)
        {
            // Lifts are computed over the catalogue; map them onto the model's titles.
            var lifts = new float[catalogue.Titles];
            ContextModel.With(signals, model.ContextShares, request.Context).Lifts(member, device, request.Hour, lifts);
            ScoreBlend.Standardize(scores);
            for (int t = 0; t < titles; t++)
                if (toCatalogue[t] >= 0 && float.IsFinite(scores[t])) scores[t] += request.Context.Weight * lifts[toCatalogue[t]];
        }

        var idx = new int[Math.Min(request.Count, titles)];
        var top = new float[idx.Length];
        int n = TopN.Select(scores, idx.Length, idx, top);
        var list = new RankedTitle[n];
        for (int i = 0; i < n; i++)
        {
            int c = toCatalogue[idx[i]];
            var genres = c < 0 ? [] : catalogue.TitleGenres[c].Select(g => catalogue.Genres[g]).ToArray();
            list[i] = new RankedTitle(recommender.TitleIds[idx[i]], c < 0 ? recommender.TitleIds[idx[i]] : catalogue.Names[c], top[i], genres);
        }
        return list;
    }

    /// <summary>
    /// The model's raw scores for a member, one per title of the model: the member's own row when the model was trained
    /// on the member and the signals hold nothing newer than the training, else a <see cref="FoldIn"/> of the member's
    /// history as the signals weigh it now (a member the signals do not know gets the fold-in of an empty history).
    /// Nothing is left out; the scores are on the model's own scale.
    /// </summary>
    public static void Score(TrainedModel model, SignalSet signals, string memberId, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(memberId);
        var recommender = model.Recommender;
        int member = signals.MemberIds.IndexOf(memberId);
        var history = member < 0 ? [] : signals.TitlesOf(member);
        bool newer = false;
        foreach (var t in history)
            if (signals.Get(member, t).LastMs > model.TrainedUntilMs) { newer = true; break; }
        int trained = recommender.MemberIds.IndexOf(memberId);
        if (trained >= 0 && !newer) recommender.ScoreMember(trained, scores);
        else FoldIn(model, signals, member, history, scores);
    }

    /// <summary>
    /// The model's scores for the member's history as the signals weigh it now, oldest first (the order
    /// <see cref="IRecommender.ScoreHistory"/> defines): what a member the model never saw, or one with newer events, gets.
    /// </summary>
    public static void FoldIn(TrainedModel model, SignalSet signals, int member, IReadOnlyList<int> history, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(history);
        var recommender = model.Recommender;
        long asOf = Math.Max(model.TrainedUntilMs, signals.LastEventMs);
        var entries = new List<(long Time, int Title, float Weight)>(history.Count);
        foreach (var t in history)
        {
            var s = signals.Get(member, t);
            var w = PreferenceModel.Weigh(s, model.Preferences, asOf);
            if (w.Evidence == Evidence.None) continue;
            int title = recommender.TitleIds.IndexOf(signals.Catalogue.TitleIds[t]);
            if (title >= 0) entries.Add((s.LastMs, title, w.Value));
        }
        entries.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Title.CompareTo(b.Title));
        var titles = new int[entries.Count];
        var weights = new float[entries.Count];
        for (int i = 0; i < entries.Count; i++) (titles[i], weights[i]) = (entries[i].Title, entries[i].Weight);
        recommender.ScoreHistory(titles, weights, scores);
    }
}
