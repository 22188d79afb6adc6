namespace Encore.Signals;

/// <summary>How one member's events with one title became signals, and what weight they make.</summary>
public sealed record TitleExplanation(string TitleId, string Name, TitleSignals Signals, PreferenceWeight Weight, string Rule, IReadOnlyList<WeightTerm> Terms);

/// <summary>What `encore signals --member` prints: a member's signals, title by title, and the weight each makes.</summary>
public static class SignalExplanation
{
    /// <summary>
    /// Every title <paramref name="member"/> has signals for, latest activity first, with the weight
    /// <paramref name="preferences"/> gives it as of <paramref name="asOfMs"/> and the terms that make it up.
    /// </summary>
    public static IReadOnlyList<TitleExplanation> Explain(SignalSet signals, int member, PreferenceOptions preferences, long asOfMs)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(preferences);
        var result = new List<TitleExplanation>();
        foreach (var title in signals.TitlesOf(member))
        {
            var s = signals.Get(member, title);
            var terms = new List<WeightTerm>();
            var weight = PreferenceModel.Explain(s, preferences, asOfMs, terms, out var rule);
            result.Add(new TitleExplanation(signals.Catalogue.TitleIds[title], signals.Catalogue.Names[title], s, weight, rule, terms));
        }
        result.Sort((a, b) => Math.Max(b.Signals.LastMs, b.Signals.RatedMs).CompareTo(Math.Max(a.Signals.LastMs, a.Signals.RatedMs)));
        return result;
    }
}
