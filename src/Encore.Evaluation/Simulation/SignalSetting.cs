using Encore.Core;
using Encore.Signals;

namespace Encore.Evaluation.Simulation;

/// <summary>
/// Which recorded behaviour a model may learn from: a setting of <see cref="PreferenceModel"/> (and whether pages
/// are scored with the context of the member's next session). The P-SIM ablation adds one group of signals at a
/// time, as issue 10 defines them: plays only; plus watch share and completion; plus replays, pauses and skipped
/// credits; plus ratings and search; plus device and time-of-day context; everything.
/// </summary>
/// <remarks>
/// Each group's parameters were tuned with <see cref="PreferenceTuner"/> on the validation split carved out of the
/// training days of the default simulated service (train on its first 35 days, validate on days 35-42; the P-SIM test
/// days 42-56 are never looked at), with iALS, its alpha and factors tuned alongside:
/// `dotnet run -c Release --project bench/Encore.Bench -- tune-signals DB ials 2` reproduces them. Each group starts
/// from the previous group's tuned values and tunes only its own parameters.
/// </remarks>
/// <param name="Name">The setting's name in reports and on the command line.</param>
/// <param name="Description">What it adds, in words.</param>
/// <param name="Preferences">How the signals become weights and negative evidence (negative evidence also filters every list).</param>
/// <param name="Context">How the context of the member's next session moves the ranking, or null for none.</param>
/// <param name="Exposure">Weight of the service's exposure of each title (log of its impressions over the last week) in the ranking (0: none).</param>
public sealed record SignalSetting(string Name, string Description, PreferenceOptions Preferences, ContextOptions? Context = null, float Exposure = 0f)
{
    /// <summary>1. A title begun at all counts once (binary).</summary>
    public static readonly SignalSetting Plays = new("plays", "1 for every title begun", PreferenceOptions.Plays);

    /// <summary>
    /// 2. Plus how much of it was watched and whether it was finished, and early abandonment as negative evidence.
    /// Tuned: watch share and completion add nothing once a play counts (91% of plays on the default service are
    /// finished); a title stopped before 15% and left for 14 days is negative evidence (weight 0.5).
    /// </summary>
    public static readonly SignalSetting Watch = new("watch", "plays + watch share, completion, episodes; abandoned early = negative",
        Plays.Preferences with { AbandonShare = 0.15f, AbandonDays = 14f, NegativeWeight = 0.5f });

    /// <summary>3. Plus replays of titles and scenes, pauses, skipped credits and binges, and forward seeks. Tuned: scene replays add 0.25 each, skipping ahead takes off.</summary>
    public static readonly SignalSetting Engagement = new("engagement", "watch + title and scene replays, pauses, binges and skipped credits, forward seeks",
        Watch.Preferences with { Scene = 0.25f, SkipPenalty = 1f });

    /// <summary>
    /// 4. Plus explicit ratings (a low one is negative evidence), titles the member searched for, and titles the member
    /// searched for by name and never played (search intent, <see cref="PreferenceOptions.SearchIntent"/>). Tuned: none of
    /// them raises the validation figure (search intent lowers it at every weight tried), so all stay 0 (docs/SIGNALS.md).
    /// </summary>
    public static readonly SignalSetting Explicit = new("explicit", "engagement + ratings (4 stars or more count without a play, low = negative), searched for, searched for by name and never played",
        Engagement.Preferences with { PositiveRating = 4f });

    /// <summary>
    /// 5. Plus the context of the member's next session: the genres and formats the member plays on that device at that
    /// time of day. Tuned weight 0 (<see cref="ContextOptions.Default"/>): the truth spans 14 days of sessions on every
    /// device, so one session's context cannot reorder it, and even scored session by session with each session's own
    /// context every weight lowers the validation NDCG@20 (docs/SIGNALS.md).
    /// </summary>
    public static readonly SignalSetting Contextual = new("context", "explicit + device and time-of-day context of the next session",
        Explicit.Preferences, ContextOptions.Default);

    /// <summary>
    /// 6. Everything: plus a decay of old interests (half-life 28 days) and titles shown but never played as weak
    /// negative evidence (weight 0.1, and left out of the member's lists).
    /// </summary>
    public static readonly SignalSetting All = new("all", "context + recency decay, titles passed over on the homepage = weak negative",
        PreferenceOptions.Default, Contextual.Context);

    /// <summary>The ablation, in order: each setting adds one group to the one before.</summary>
    public static IReadOnlyList<SignalSetting> Catalogue { get; } = [Plays, Watch, Engagement, Explicit, Contextual, All];

    public static SignalSetting Get(string name) =>
        Catalogue.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown signal setting {UnicodeText.Quote(name)}; known: {string.Join(", ", Catalogue.Select(s => s.Name))}", nameof(name));
}
