using Encore.Signals;

namespace Encore.Ranking.ContinueWatching;

/// <summary>What a Continue Watching entry offers: to resume where the member stopped, or the next episode of a series.</summary>
public enum ContinueAction : byte
{
    /// <summary>Resume the film, or the unfinished episode, at <see cref="ContinueWatchingCandidate.Position"/>.</summary>
    Resume = 0,
    /// <summary>The latest episode was finished: play the next one from its start.</summary>
    NextEpisode = 1,
}

/// <summary>
/// A title in progress for one member: what the entry plays (the title, its episode or -1 for a film, the position in
/// seconds) and the member's signals for the title, from which <see cref="ResumeFeatures"/> reads the features.
/// </summary>
public readonly record struct ContinueWatchingCandidate(int Title, int Episode, float Position, ContinueAction Action, TitleSignals Signals)
{
    public long LastPlayMs => Signals.LastPlayMs;
}

/// <summary>
/// The titles a member has in progress, from the member's <see cref="TitleSignals"/> and the catalogue's episode order:
/// <list type="bullet">
/// <item>a film begun and not watched to the end (its latest playback did not reach the credits): resume it at
/// <see cref="TitleSignals.LastPosition"/>;</item>
/// <item>a series whose latest episode is unfinished: resume that episode at its position;</item>
/// <item>a series whose latest episode was finished and that has a next episode: the entry becomes the next episode, at 0;</item>
/// <item>a finished film, and a series whose last episode is finished, leave the row.</item>
/// </list>
/// A title the catalogue lists as a series but whose events name no episode is treated as a film.
/// </summary>
internal static class ContinueWatchingCandidates
{
    /// <summary>Appends <paramref name="member"/>'s candidates to <paramref name="into"/>, most recently played first (ties by title).</summary>
    public static void Collect(SignalSet signals, int member, List<ContinueWatchingCandidate> into)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(into);
        int start = into.Count;
        if (member < 0) return;
        var catalogue = signals.Catalogue;
        foreach (int title in signals.TitlesOf(member))
        {
            var s = signals.Get(member, title);
            if (TryCandidate(catalogue, title, s, out var candidate)) into.Add(candidate);
        }
        into.Sort(start, into.Count - start, RecencyOrder.Instance);
    }

    /// <summary>The entry one title makes, or false when it leaves the row (never played, or finished).</summary>
    public static bool TryCandidate(SignalCatalogue catalogue, int title, in TitleSignals s, out ContinueWatchingCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        candidate = default;
        if (!s.Played) return false;
        int episode = s.LastEpisode;
        bool isEpisode = (uint)episode < (uint)catalogue.EpisodeTitle.Length && catalogue.EpisodeTitle[episode] == title;
        if (!isEpisode)
        {
            if (s.LastEpisodeCompleted) return false; // a finished film
            candidate = new ContinueWatchingCandidate(title, -1, Position(s.LastPosition, catalogue.PlayableRuntime(title, -1)), ContinueAction.Resume, s);
            return true;
        }
        if (!s.LastEpisodeCompleted)
        {
            candidate = new ContinueWatchingCandidate(title, episode, Position(s.LastPosition, catalogue.PlayableRuntime(title, episode)), ContinueAction.Resume, s);
            return true;
        }
        int next = catalogue.NextEpisode[episode];
        if (next < 0) return false; // the last episode is finished: the series is
        candidate = new ContinueWatchingCandidate(title, next, 0f, ContinueAction.NextEpisode, s);
        return true;
    }

    private static float Position(float position, int runtime)
    {
        if (!(position > 0)) return 0f;
        return runtime > 0 && position > runtime ? runtime : position;
    }

    /// <summary>Most recently played first, then by title: the order of the recency baseline.</summary>
    internal sealed class RecencyOrder : IComparer<ContinueWatchingCandidate>
    {
        public static readonly RecencyOrder Instance = new();

        public int Compare(ContinueWatchingCandidate a, ContinueWatchingCandidate b)
            => a.LastPlayMs != b.LastPlayMs ? b.LastPlayMs.CompareTo(a.LastPlayMs) : a.Title.CompareTo(b.Title);
    }
}
