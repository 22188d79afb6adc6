using System.Numerics.Tensors;
using Encore.Analytics.Audience;
using Encore.Core;
using Encore.Models.Ials;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Analytics.Targeting;

/// <summary>What a campaign targets.</summary>
public enum TargetKind
{
    /// <summary>One existing title: members who would start it (those who already did are left out).</summary>
    Title,
    /// <summary>A genre: members who would start a title of it.</summary>
    Genre,
    /// <summary>A combination of attributes (genres, cast, directors, language, maturity, format): members who would start a title carrying them all.</summary>
    Attributes,
}

/// <summary>A campaign's target: a title id, a genre, or attributes (a partial title: only the metadata given counts).</summary>
public sealed record TargetSpec
{
    public string? TitleId { get; init; }
    public string? Genre { get; init; }
    public Title? Attributes { get; init; }

    public TargetKind Kind => TitleId is not null ? TargetKind.Title : Genre is not null ? TargetKind.Genre : TargetKind.Attributes;

    /// <summary>The target in words, e.g. "title t42", "genre drama", "genres drama + director jo park".</summary>
    public string Describe()
    {
        if (TitleId is not null) return $"title {TitleId}";
        if (Genre is not null) return $"genre {Genre}";
        var a = Attributes ?? throw new InvalidOperationException("a target needs a title, a genre or attributes");
        var parts = new List<string>();
        if (a.Genres.Count > 0) parts.Add("genres " + string.Join(" + ", a.Genres));
        foreach (var c in a.Cast) parts.Add("cast " + c);
        foreach (var d in a.Directors) parts.Add("director " + d);
        if (a.Language is not null) parts.Add("language " + a.Language);
        if (a.MaturityRating is not null) parts.Add("maturity " + a.MaturityRating);
        return string.Join(", ", parts);
    }
}

/// <summary>A member in a targeting list: their rank's decile (1 = likeliest tenth) and the calibrated probability of responding.</summary>
public sealed record TargetedMember(string MemberId, double Score, double Probability, int Decile);

/// <summary>
/// One tenth of the ranked members: how many, the response rate expected (what the same ranking achieved on the
/// held-out period: trained before it, counted in it), the responders and rate observed in that period, and the lift over
/// the period's base rate.
/// </summary>
public sealed record DecileResponse(int Decile, int Members, double ExpectedRate, int HeldOutResponders, double Lift);

/// <summary>The held-out check: the period, the members ranked and responders in it, the base rate, and how much likelier the top tenth responded.</summary>
public sealed record TargetingCheck(DateTime TrainedBeforeUtc, DateTime HeldOutUntilUtc, int Members, int Responders, double BaseRate, double TopDecileLift,
    double Auc);

/// <summary>A ranked targeting list with its expected response per decile and their held-out check.</summary>
/// <param name="MatchingTitles">The titles that match the target (for attributes no title carries: none; the ranking then comes from the metadata regression).</param>
/// <param name="Excluded">Members left out (those who already began the target title).</param>
public sealed record TargetingReport(string Target, TargetKind Kind, IReadOnlyList<string> MatchingTitles, int Members, int Excluded,
    IReadOnlyList<TargetedMember> Top, IReadOnlyList<DecileResponse> Deciles, TargetingCheck Check);

/// <summary>The settings of <see cref="MemberTargeting.RunAsync"/>.</summary>
public sealed record TargetingOptions
{
    /// <summary>The days at the end of the log held out for the check (the model that ranks for it is trained before them).</summary>
    public int HeldOutDays { get; init; } = 14;
    /// <summary>Members listed.</summary>
    public int Top { get; init; } = 20;
    public AudienceOptions Audience { get; init; } = new();
}

/// <summary>
/// Ranks members by how likely they are to respond to a target (a title, a genre, a combination of attributes), as
/// Amazon Personalize's item-affinity and item-attribute-affinity segments do: a title is its factor vector, a genre or
/// attributes the mean factors of the titles that carry them (or, when none does, the metadata regression's prediction),
/// and members are ranked by the calibrated propensity of <see cref="AudienceModel"/>. The expected response rate per
/// decile is what the same procedure achieved on a held-out period: trained on the log before it, responses (starting a
/// matching title not begun before) counted in it.
/// </summary>
public static class MemberTargeting
{
    /// <summary>A ranking: each member's key (excluded members: negative infinity), probability, the matching titles and the excluded count.</summary>
    public sealed record Ranking(float[] Keys, double[] Probabilities, float[] Scores, IReadOnlyList<int> MatchingTitles, int Excluded);

    /// <summary>Ranks <paramref name="model"/>'s members for <paramref name="target"/>.</summary>
    /// <exception cref="KeyNotFoundException">The title or genre is not in the catalogue (the message names it and, for a genre, the known ones).</exception>
    public static Ranking Rank(AudienceModel model, TargetSpec target)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        var data = model.Data;
        Title meta;
        var matching = new List<int>();
        switch (target.Kind)
        {
            case TargetKind.Title:
                if (!data.TitleIds.TryGetIndex(target.TitleId!, out int t))
                    throw new KeyNotFoundException($"title '{UnicodeText.Clip(target.TitleId!)}' is not in the model's catalogue");
                matching.Add(t);
                meta = data.Titles[t] ?? new Title { Id = target.TitleId!, Name = target.TitleId! };
                break;
            case TargetKind.Genre:
                string key = TitleFeatureSpace.Key(target.Genre!);
                for (int i = 0; i < data.TitleCount; i++)
                    if (data.Titles[i] is { } title && title.Genres.Any(g => TitleFeatureSpace.Key(g) == key)) matching.Add(i);
                if (matching.Count == 0) throw new KeyNotFoundException($"unknown genre '{UnicodeText.Clip(target.Genre!)}'; known: {string.Join(", ", KnownGenres(data))}");
                meta = new Title { Id = "genre", Name = target.Genre!, Genres = [target.Genre!] };
                break;
            default:
                meta = target.Attributes ?? throw new ArgumentException("a target needs a title, a genre or attributes");
                for (int i = 0; i < data.TitleCount; i++)
                    if (data.Titles[i] is { } title && Carries(title, meta)) matching.Add(i);
                break;
        }
        float[] vector;
        if (matching.Count > 0)
        {
            vector = new float[data.Factors];
            foreach (int i in matching) TensorPrimitives.Add(vector, data.TitleFactor(i), vector);
            TensorPrimitives.Divide(vector, matching.Count, vector);
        }
        else vector = model.PredictFactors(meta).Factors;
        var evaluated = model.Evaluate(meta, vector);
        int excluded = 0;
        if (target.Kind == TargetKind.Title)
            foreach (int m in data.StartedByTitle.RowColumns(matching[0])) { evaluated.Keys[m] = float.NegativeInfinity; excluded++; }
        return new Ranking(evaluated.Keys, evaluated.Probabilities, evaluated.Scores, matching, excluded);
    }

    /// <summary>Whether <paramref name="title"/> carries every attribute <paramref name="wanted"/> gives (genres, cast, directors, language, maturity; format when it is a series).</summary>
    public static bool Carries(Title title, Title wanted)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(wanted);
        static bool All(IReadOnlyList<string> want, IReadOnlyList<string> have)
        {
            foreach (var w in want)
            {
                string k = TitleFeatureSpace.Key(w);
                bool found = false;
                foreach (var h in have) if (TitleFeatureSpace.Key(h) == k) { found = true; break; }
                if (!found) return false;
            }
            return true;
        }
        if (!All(wanted.Genres, title.Genres) || !All(wanted.Cast, title.Cast) || !All(wanted.Directors, title.Directors)) return false;
        if (wanted.Language is { } l && !string.Equals(TitleFeatureSpace.Key(l), TitleFeatureSpace.Key(title.Language ?? ""), StringComparison.Ordinal)) return false;
        if (wanted.MaturityRating is { } r && !string.Equals(TitleFeatureSpace.Key(r), TitleFeatureSpace.Key(title.MaturityRating ?? ""), StringComparison.Ordinal)) return false;
        if (wanted.Kind == TitleKind.Series && title.Kind != TitleKind.Series) return false;
        return true;
    }

    /// <summary>The genres of the catalogue, sorted (for messages).</summary>
    public static IReadOnlyList<string> KnownGenres(AudienceData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var t in data.Titles) if (t is not null) foreach (var g in t.Genres) set.Add(TitleFeatureSpace.Key(g));
        return set.ToList();
    }

    /// <summary>Members ranked by <paramref name="keys"/> (excluded ones, negative infinity, left out), likeliest first.</summary>
    public static int[] Order(float[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var members = new List<int>(keys.Length);
        for (int m = 0; m < keys.Length; m++) if (!float.IsNegativeInfinity(keys[m])) members.Add(m);
        var order = members.ToArray();
        var sortKeys = new float[order.Length];
        for (int i = 0; i < order.Length; i++) sortKeys[i] = -keys[order[i]];
        Array.Sort(sortKeys, order);
        return order;
    }

    /// <summary>The response per decile of a ranking (<paramref name="order"/>, likeliest first) given who responded: members, responders, rate, lift.</summary>
    public static (int Members, int Responders)[] Deciles(int[] order, Func<int, bool> responded)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(responded);
        var result = new (int, int)[10];
        for (int d = 0; d < 10; d++)
        {
            int from = (int)((long)order.Length * d / 10), to = (int)((long)order.Length * (d + 1) / 10), hits = 0;
            for (int i = from; i < to; i++) if (responded(order[i])) hits++;
            result[d] = (to - from, hits);
        }
        return result;
    }

    /// <summary>The area under the ROC curve of a ranking (likeliest first) against who responded (0.5: no better than chance; NaN: no responders or none without).</summary>
    public static double Auc(int[] order, Func<int, bool> responded)
    {
        ArgumentNullException.ThrowIfNull(order);
        long positives = 0, negatives = 0, correct = 0;
        // Walk from the least likely: every responder outranks the non-responders seen so far.
        for (int i = order.Length - 1; i >= 0; i--)
        {
            if (responded(order[i])) { positives++; correct += negatives; }
            else negatives++;
        }
        return positives == 0 || negatives == 0 ? double.NaN : (double)correct / (positives * negatives);
    }

    /// <summary>
    /// The targeting list for <paramref name="target"/> ranked by <paramref name="current"/> (fitted on the whole log), with
    /// the expected response per decile from the held-out check: iALS (<paramref name="ials"/>) trained on the store's log
    /// before its last <see cref="TargetingOptions.HeldOutDays"/> days through the signals (<paramref name="preferences"/>),
    /// the same ranking made from it, and the responses counted in those days.
    /// </summary>
    /// <exception cref="ArgumentException">The store has no events, or too few days for the held-out period.</exception>
    public static async Task<TargetingReport> RunAsync(IEventStore store, AudienceModel current, IalsOptions ials, PreferenceOptions preferences,
        TargetSpec target, TargetingOptions? options = null, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(current);
        options ??= new TargetingOptions();
        if (options.HeldOutDays < 1) throw new ArgumentException($"the held-out period must be at least one day (got {options.HeldOutDays})");
        var ranking = Rank(current, target);
        var (check, deciles) = await CheckAsync(store, ials, preferences, target, options, progress, ct).ConfigureAwait(false);

        var order = Order(ranking.Keys);
        var top = new List<TargetedMember>();
        for (int i = 0; i < Math.Min(options.Top, order.Length); i++)
        {
            int m = order[i];
            top.Add(new TargetedMember(current.Data.MemberIds[m], ranking.Scores[m], ranking.Probabilities[m], 1 + (int)((long)i * 10 / order.Length)));
        }
        var list = new List<DecileResponse>();
        for (int d = 0; d < 10; d++)
        {
            int members = (int)((long)order.Length * (d + 1) / 10) - (int)((long)order.Length * d / 10);
            double rate = deciles[d].Members == 0 ? 0 : (double)deciles[d].Responders / deciles[d].Members;
            list.Add(new DecileResponse(d + 1, members, rate, deciles[d].Responders, check.BaseRate > 0 ? rate / check.BaseRate : 0));
        }
        return new TargetingReport(target.Describe(), target.Kind, ranking.MatchingTitles.Select(t => current.Data.TitleIds[t]).ToList(), order.Length,
            ranking.Excluded, top, list, check);
    }

    /// <summary>The held-out check alone: the ranking made before the last days against the responses in them, per decile.</summary>
    public static async Task<(TargetingCheck Check, (int Members, int Responders)[] Deciles)> CheckAsync(IEventStore store, IalsOptions ials,
        PreferenceOptions preferences, TargetSpec target, TargetingOptions? options = null, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new TargetingOptions();
        var stats = await store.GetStatisticsAsync(ct).ConfigureAwait(false);
        if (stats.LastEventUtc is not { } last || stats.FirstEventUtc is not { } first) throw new ArgumentException($"the store at {store.Location} holds no events");
        var split = last.AddDays(-options.HeldOutDays);
        if (split <= first) throw new ArgumentException($"the store's log spans {(last - first).TotalDays:F1} days, too few to hold out the last {options.HeldOutDays}");
        var (before, responses) = await LoadSplitAsync(store, ials, preferences, split, options.Audience, progress, ct).ConfigureAwait(false);
        return Check(before, responses, target, split, last);
    }

    /// <summary>The model fitted before <paramref name="split"/> and, per member (its indices), the titles begun from then on.</summary>
    public static async Task<(AudienceModel Before, HashSet<int>[] Responses)> LoadSplitAsync(IEventStore store, IalsOptions ials, PreferenceOptions preferences,
        DateTime split, AudienceOptions? audience = null, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ials);
        ArgumentNullException.ThrowIfNull(preferences);
        var signals = await SignalSet.LoadAsync(store, query: new EventQuery { ToUtc = split }, ct: ct).ConfigureAwait(false);
        long splitMs = new DateTimeOffset(DateTime.SpecifyKind(split, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
        progress?.Report($"held-out check: training iALS on {signals.Events:N0} events before {split:yyyy-MM-dd HH:mm}");
        var model = (IalsRecommender)new IalsTrainer(ials).Fit(signals.ToMatrix(preferences, splitMs), ct);
        var titles = new Dictionary<string, Title>(StringComparer.Ordinal);
        await foreach (var t in store.ReadTitlesAsync(ct).ConfigureAwait(false)) titles[t.Id] = t;
        var before = AudienceModel.Fit(AudienceData.FromSignals(signals, titles, model), audience, ct);
        var after = await SignalSet.LoadAsync(store, query: new EventQuery { FromUtc = split }, ct: ct).ConfigureAwait(false);
        var responses = new HashSet<int>[before.Data.Members];
        for (int m = 0; m < responses.Length; m++) responses[m] = [];
        foreach (var (m, t, s) in after.AllPairs())
        {
            if (!s.Played) continue;
            int mm = before.Data.MemberIds.IndexOf(after.MemberIds[m]), tt = before.Data.TitleIds.IndexOf(after.Catalogue.TitleIds[t]);
            if (mm < 0 || tt < 0) continue;
            responses[mm].Add(tt);
        }
        return (before, responses);
    }

    /// <summary>The check of one target on a split: a response is starting, in the held-out period, a matching title not begun before it.</summary>
    public static (TargetingCheck Check, (int Members, int Responders)[] Deciles) Check(AudienceModel before, HashSet<int>[] responses, TargetSpec target,
        DateTime split, DateTime until)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(responses);
        var ranking = Rank(before, target);
        var matching = new HashSet<int>(ranking.MatchingTitles);
        var started = before.Data.Started;
        bool Responded(int m)
        {
            foreach (int t in responses[m])
                if (matching.Contains(t) && started.RowColumns(m).BinarySearch(t) < 0) return true;
            return false;
        }
        var order = Order(ranking.Keys);
        var deciles = Deciles(order, Responded);
        int responders = deciles.Sum(d => d.Responders);
        double baseRate = order.Length == 0 ? 0 : (double)responders / order.Length;
        double topRate = deciles[0].Members == 0 ? 0 : (double)deciles[0].Responders / deciles[0].Members;
        return (new TargetingCheck(split, until, order.Length, responders, baseRate, baseRate > 0 ? topRate / baseRate : 0, Auc(order, Responded)), deciles);
    }
}
