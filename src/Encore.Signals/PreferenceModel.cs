using System.Globalization;

namespace Encore.Signals;

/// <summary>
/// The parameters of <see cref="PreferenceModel"/>: how much each feature of <see cref="TitleSignals"/> adds to the
/// confidence that a member likes a title, and when the evidence is negative instead. A parameter at 0 leaves
/// its feature out, so the P-SIM ablation groups are settings of this one record (the signal groups of the ablation in Encore.Evaluation).
/// </summary>
/// <remarks>
/// The defaults were tuned by Encore.Evaluation's <c>PreferenceTuner</c> on a validation split carved out of the training days
/// of the default simulated service (P-SIM training data only, never its test days); `encore train --tune-signals`
/// tunes them again on the data at hand. See docs/SIGNALS.md for the figures.
/// </remarks>
public sealed record PreferenceOptions
{
    /// <summary>Confidence of a title begun at all.</summary>
    public float Base { get; init; } = 1f;
    /// <summary>Added per unit of <see cref="TitleSignals.WatchShare"/> (the mean share of each begun episode watched).</summary>
    public float Watch { get; init; }
    /// <summary>Added once when an episode (or the film) was watched to the end.</summary>
    public float Complete { get; init; }
    /// <summary>Added per further episode completed, on a log scale: log(1 + episodes completed - 1).</summary>
    public float Episodes { get; init; }
    /// <summary>Added per whole-title replay (at most <see cref="CountCap"/>).</summary>
    public float Replay { get; init; }
    /// <summary>Added per scene replay (at most <see cref="CountCap"/>).</summary>
    public float Scene { get; init; }
    /// <summary>Added per binge continuation to the next episode, per skipped credits and per skipped intro (each at most <see cref="CountCap"/>).</summary>
    public float Binge { get; init; }
    /// <summary>Added per pause (at most <see cref="CountCap"/>); negative when pausing often means losing interest.</summary>
    public float Pause { get; init; }
    /// <summary>Taken off per unit of share of the runtime skipped by forward seeks.</summary>
    public float SkipPenalty { get; init; }
    /// <summary>Added per star above 3 of the member's rating (taken off below).</summary>
    public float Rating { get; init; }
    /// <summary>A rating at or below this is negative evidence whatever else happened (0: ratings never are).</summary>
    public float LowRating { get; init; }
    /// <summary>A rating at or above this is positive evidence even without a play (4 of 5 stars, as P-TOPN reads MovieLens; 0: only plays are).</summary>
    public float PositiveRating { get; init; } = 4f;
    /// <summary>Added when a search chose the title (the member looked for it).</summary>
    public float Search { get; init; }
    /// <summary>
    /// Confidence of a title the member searched for by name and never played (<see cref="TitleSignals.SearchIntent"/>:
    /// the search played nothing or another title), decayed like a play by the days since the latest such search; it is
    /// positive evidence without a play, and outweighs having passed the title over on a page (0: such searches are not used).
    /// </summary>
    public float SearchIntent { get; init; }
    /// <summary>Most counted of any one count (replays, pauses...): a few outliers must not dominate.</summary>
    public int CountCap { get; init; } = 5;

    /// <summary>
    /// A title stopped before this share of its first episode (or the film), never completed, and not played for
    /// <see cref="AbandonDays"/> days is abandoned: negative evidence (0: nothing is abandoned).
    /// </summary>
    public float AbandonShare { get; init; }
    /// <summary>Days without playing after which a title stopped early counts as abandoned (see <see cref="AbandonShare"/>).</summary>
    public float AbandonDays { get; init; } = 7f;
    /// <summary>Confidence of negative evidence (abandoned, rated low), given to models as a negative weight.</summary>
    public float NegativeWeight { get; init; } = 1f;
    /// <summary>A title shown at least this many times and never begun is (weak) negative evidence (0: impressions are not used).</summary>
    public int IgnoredImpressions { get; init; }
    /// <summary>Confidence of an ignored title's negative evidence.</summary>
    public float IgnoredWeight { get; init; } = 0.25f;

    /// <summary>Half-life in days of a time decay of the confidence by the days since the title was last played (0: no decay).</summary>
    public float HalfLifeDays { get; init; }

    /// <summary>Binary plays: 1 for every title begun, nothing else (P-SIM's "plays only").</summary>
    public static PreferenceOptions Plays { get; } = new() { PositiveRating = 0 };

    /// <summary>
    /// What `encore train` weighs with unless told otherwise: the P-SIM "all" setting as tuned on the validation split of
    /// the default simulated service (Encore.Evaluation's SignalSetting). A title stopped before 15% and not played for
    /// 14 days, or shown and never played, is negative evidence (weights 0.5 and 0.1); scene replays add 0.25 each;
    /// skipping ahead takes off; interest decays with a half-life of 28 days. Watch share, completion, ratings and
    /// searches add nothing there because 91% of the service's plays are finished (docs/SIGNALS.md); on other data,
    /// `encore train --tune-signals` tunes them again.
    /// </summary>
    public static PreferenceOptions Default { get; } = new()
    {
        AbandonShare = 0.15f, AbandonDays = 14f, NegativeWeight = 0.5f, Scene = 0.25f, SkipPenalty = 1f,
        HalfLifeDays = 28f, IgnoredImpressions = 1, IgnoredWeight = 0.1f,
    };

    /// <summary>Every parameter as key=value text (for reports, model files and `encore signals`).</summary>
    public IReadOnlyDictionary<string, string> Describe()
    {
        var c = CultureInfo.InvariantCulture;
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["base"] = Base.ToString(c), ["watch"] = Watch.ToString(c), ["complete"] = Complete.ToString(c),
            ["episodes"] = Episodes.ToString(c), ["replay"] = Replay.ToString(c), ["scene"] = Scene.ToString(c),
            ["binge"] = Binge.ToString(c), ["pause"] = Pause.ToString(c), ["skip-penalty"] = SkipPenalty.ToString(c),
            ["rating"] = Rating.ToString(c), ["low-rating"] = LowRating.ToString(c), ["positive-rating"] = PositiveRating.ToString(c), ["search"] = Search.ToString(c),
            ["search-intent"] = SearchIntent.ToString(c),
            ["count-cap"] = CountCap.ToString(c), ["abandon-share"] = AbandonShare.ToString(c), ["abandon-days"] = AbandonDays.ToString(c),
            ["negative-weight"] = NegativeWeight.ToString(c), ["ignored-impressions"] = IgnoredImpressions.ToString(c),
            ["ignored-weight"] = IgnoredWeight.ToString(c), ["half-life-days"] = HalfLifeDays.ToString(c),
        };
    }

    /// <summary>Throws with the parameter named when a value is out of range.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { ("base", Base), ("watch", Watch), ("complete", Complete), ("episodes", Episodes), ("replay", Replay),
            ("scene", Scene), ("binge", Binge), ("pause", Pause), ("skip-penalty", SkipPenalty), ("rating", Rating), ("search", Search), ("search-intent", SearchIntent) })
        {
            if (!float.IsFinite(value)) throw new ArgumentException($"preference {name} must be a finite number (got {value})");
        }
        if (!(Base > 0)) throw new ArgumentException($"preference base must be > 0 (got {Base})");
        if (!(SearchIntent >= 0)) throw new ArgumentException($"preference search-intent must be >= 0 (got {SearchIntent})");
        if (CountCap < 0) throw new ArgumentException($"preference count-cap must be >= 0 (got {CountCap})");
        if (!(AbandonShare >= 0 && AbandonShare <= 1)) throw new ArgumentException($"preference abandon-share must be in [0, 1] (got {AbandonShare})");
        if (!(AbandonDays >= 0) || !float.IsFinite(AbandonDays)) throw new ArgumentException($"preference abandon-days must be >= 0 (got {AbandonDays})");
        if (!(NegativeWeight > 0) || !float.IsFinite(NegativeWeight)) throw new ArgumentException($"preference negative-weight must be > 0 (got {NegativeWeight})");
        if (!(IgnoredWeight > 0) || !float.IsFinite(IgnoredWeight)) throw new ArgumentException($"preference ignored-weight must be > 0 (got {IgnoredWeight})");
        if (IgnoredImpressions < 0) throw new ArgumentException($"preference ignored-impressions must be >= 0 (got {IgnoredImpressions})");
        if (!(HalfLifeDays >= 0) || !float.IsFinite(HalfLifeDays)) throw new ArgumentException($"preference half-life-days must be >= 0 (got {HalfLifeDays})");
        if (!(LowRating >= 0) || !float.IsFinite(LowRating)) throw new ArgumentException($"preference low-rating must be >= 0 (got {LowRating})");
        if (PositiveRating != 0 && (!(PositiveRating > LowRating) || !float.IsFinite(PositiveRating)))
            throw new ArgumentException($"preference positive-rating must be 0 (off) or a finite number above low-rating (got {PositiveRating})");
    }
}

/// <summary>What the evidence of one pair says: a positive confidence, negative evidence with its confidence, or nothing.</summary>
public enum Evidence : byte
{
    /// <summary>The pair says nothing about the member's taste.</summary>
    None = 0,
    /// <summary>The member likes the title, with a positive confidence.</summary>
    Positive = 1,
    /// <summary>The member does not like the title (abandoned, rated low), with the confidence of that.</summary>
    Negative = 2,
}

/// <summary>The weight of one pair: a positive confidence, negative evidence with its confidence, or nothing.</summary>
public readonly record struct PreferenceWeight(Evidence Evidence, float Weight)
{
    /// <summary>The value a model trains on: the confidence, negated for negative evidence, 0 for none.</summary>
    public float Value => Evidence switch { Evidence.Positive => Weight, Evidence.Negative => -Weight, _ => 0f };
}

/// <summary>One part of a weight, for explanations: which feature, its value, and what it added.</summary>
public readonly record struct WeightTerm(string Feature, double Value, float Contribution);

/// <summary>
/// The one function from a pair's <see cref="TitleSignals"/> to what models learn from it. Positive confidence:
/// <c>(Base + Watch * watch share + Complete * [completed] + Episodes * log(episodes completed) + Replay * replays +
/// Scene * scene replays + Binge * (next episodes + skipped credits + skipped intros) + Pause * pauses - SkipPenalty * skipped share +
/// Rating * (stars - 3) + Search * [searched]) * 2^(-days since played / HalfLifeDays)</c>, at least 5% of Base.
/// A title never played but searched for by name (<see cref="TitleSignals.SearchIntent"/>) is positive at
/// <see cref="PreferenceOptions.SearchIntent"/>, decayed by the days since that search.
/// Negative evidence: a rating at or below <see cref="PreferenceOptions.LowRating"/>, a title abandoned early
/// (<see cref="PreferenceOptions.AbandonShare"/>, <see cref="PreferenceOptions.AbandonDays"/>), or one shown
/// <see cref="PreferenceOptions.IgnoredImpressions"/> times and never begun. A rating alone (never played) is
/// positive at <see cref="PreferenceOptions.PositiveRating"/> or more: <c>Base + Rating * (stars - 3)</c>.
/// </summary>
public static class PreferenceModel
{
    /// <summary>The weight of one pair as of <paramref name="asOfMs"/> (Unix ms: abandonment and decay depend on it).</summary>
    public static PreferenceWeight Weigh(in TitleSignals s, PreferenceOptions o, long asOfMs) => Evaluate(s, o, asOfMs, null, out _);

    /// <summary>The weight of one pair with every term that made it, and the rule that decided it in words.</summary>
    public static PreferenceWeight Explain(in TitleSignals s, PreferenceOptions o, long asOfMs, List<WeightTerm> terms, out string rule)
    {
        ArgumentNullException.ThrowIfNull(terms);
        return Evaluate(s, o, asOfMs, terms, out rule);
    }

    private static PreferenceWeight Evaluate(in TitleSignals s, PreferenceOptions o, long asOfMs, List<WeightTerm>? terms, out string rule)
    {
        ArgumentNullException.ThrowIfNull(o);
        var c = CultureInfo.InvariantCulture;
        bool rated = !float.IsNaN(s.Rating);
        if (o.LowRating > 0 && rated && s.Rating <= o.LowRating)
        {
            rule = terms is null ? "" : $"negative: rated {s.Rating.ToString(c)}, at most {o.LowRating.ToString(c)}";
            return new(Evidence.Negative, o.NegativeWeight);
        }
        if (!s.Played)
        {
            if (rated && o.PositiveRating > 0 && s.Rating >= o.PositiveRating)
            {
                rule = terms is null ? "" : $"positive: rated {s.Rating.ToString(c)}, never played";
                terms?.Add(new("base", 1, o.Base));
                terms?.Add(new("rating", s.Rating, o.Rating * (s.Rating - 3)));
                return new(Evidence.Positive, o.Base + o.Rating * (s.Rating - 3));
            }
            if (o.SearchIntent > 0 && s.SearchIntent > 0)
            {
                float intent = o.SearchIntent;
                terms?.Add(new("searched for by name, never played", s.SearchIntent, o.SearchIntent));
                if (o.HalfLifeDays > 0)
                {
                    double since = Math.Max(0, asOfMs - s.LastMs) / 86_400_000.0;
                    float decay = MathF.Pow(0.5f, (float)(since / o.HalfLifeDays));
                    terms?.Add(new("days since searched (decay)", since, intent * decay - intent));
                    intent *= decay;
                }
                rule = terms is null ? "" : $"positive: searched for by name {s.SearchIntent} times, never played";
                return new(Evidence.Positive, Math.Max(0.05f * o.Base, intent));
            }
            if (o.IgnoredImpressions > 0 && s.Impressions >= o.IgnoredImpressions)
            {
                rule = terms is null ? "" : $"negative: shown {s.Impressions} times, never played";
                return new(Evidence.Negative, o.IgnoredWeight);
            }
            rule = terms is null ? "" : s.Impressions > 0 ? $"none: shown {s.Impressions} times, never played" : "none: never played";
            return new(Evidence.None, 0f);
        }
        double idle = s.DaysSincePlay(asOfMs);
        if (o.AbandonShare > 0 && !s.Completed && s.EpisodesStarted <= 1 && s.FurthestShare < o.AbandonShare && idle >= o.AbandonDays)
        {
            rule = terms is null ? "" : $"negative: abandoned at {s.FurthestShare.ToString("P0", c)} (under {o.AbandonShare.ToString("P0", c)}), not played for {idle.ToString("F0", c)} days";
            return new(Evidence.Negative, o.NegativeWeight);
        }

        int cap = o.CountCap;
        float w = o.Base;
        terms?.Add(new("base", 1, o.Base));
        w += Term(terms, "watch share", s.WatchShare, o.Watch * s.WatchShare);
        w += Term(terms, "completed", s.Completed ? 1 : 0, s.Completed ? o.Complete : 0f);
        w += Term(terms, "episodes completed", s.EpisodesCompleted, o.Episodes * MathF.Log(Math.Max(1, s.EpisodesCompleted)));
        w += Term(terms, "title replays", s.TitleReplays, o.Replay * Math.Min(s.TitleReplays, cap));
        w += Term(terms, "scene replays", s.SceneReplays, o.Scene * Math.Min(s.SceneReplays, cap));
        w += Term(terms, "binge (next episodes, skipped credits and intros)", s.NextEpisodeFollowed + s.SkippedCredits + s.SkippedIntros,
            o.Binge * (Math.Min(s.NextEpisodeFollowed, cap) + Math.Min(s.SkippedCredits, cap) + Math.Min(s.SkippedIntros, cap)));
        w += Term(terms, "pauses", s.Pauses, o.Pause * Math.Min(s.Pauses, cap));
        float seen = s.WatchedSeconds + s.SkippedSeconds;
        float skipped = seen > 0 ? s.SkippedSeconds / seen : 0f;
        w += Term(terms, "skipped share", skipped, -o.SkipPenalty * skipped);
        w += Term(terms, "rating", rated ? s.Rating : double.NaN, rated ? o.Rating * (s.Rating - 3f) : 0f);
        w += Term(terms, "searched for", s.SearchLed, s.SearchLed > 0 ? o.Search : 0f);
        if (o.HalfLifeDays > 0)
        {
            float decay = MathF.Pow(0.5f, (float)(idle / o.HalfLifeDays));
            terms?.Add(new("days since played (decay)", idle, w * decay - w));
            w *= decay;
        }
        float floor = 0.05f * o.Base;
        rule = terms is null ? "" : w < floor ? $"positive: played (at the floor {floor.ToString(c)})" : "positive: played";
        return new(Evidence.Positive, Math.Max(floor, w));
    }

    private static float Term(List<WeightTerm>? terms, string feature, double value, float contribution)
    {
        if (terms is not null && contribution != 0) terms.Add(new(feature, value, contribution));
        return contribution;
    }
}
