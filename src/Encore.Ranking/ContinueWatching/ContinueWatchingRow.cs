using System.Globalization;
using Encore.Signals;

namespace Encore.Ranking.ContinueWatching;

/// <summary>
/// One entry of a member's Continue Watching row: the title (dense index and id), the episode to play (null for a
/// film), where to start (seconds), the predicted chance that the member resumes it within 7 days, and the reason in words.
/// </summary>
public sealed record ContinueWatchingEntry(
    int Title,
    string TitleId,
    string Name,
    int? Episode,
    string? EpisodeId,
    float PositionSeconds,
    ContinueAction Action,
    float Probability,
    string Reason);

/// <summary>
/// The Continue Watching row: a member's titles in progress (<see cref="ContinueWatchingCandidates"/>) ordered by the
/// resume model's probability, without the titles predicted abandoned (below the model's threshold, or abandoned early
/// by the signals' rule). Each entry says what it plays ("Resume episode 3 of Stranger Things at 12:40", "Next: episode
/// 4 of Stranger Things", "Resume Heat at 1:02:15") and its probability.
/// </summary>
public static class ContinueWatchingRow
{
    /// <summary>The row of <paramref name="member"/> (a dense index of <see cref="SignalSet.MemberIds"/>) as of <paramref name="nowMs"/>.</summary>
    public static IReadOnlyList<ContinueWatchingEntry> Build(SignalSet signals, int member, long nowMs, ResumeModel model, int maxTitles)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTitles);
        if (member < 0 || maxTitles == 0) return [];
        var candidates = new List<ContinueWatchingCandidate>();
        ContinueWatchingCandidates.Collect(signals, member, candidates);
        if (candidates.Count == 0) return [];
        int f = ResumeFeatures.Count;
        var features = new float[candidates.Count * f];
        ResumeFeatures.Compute(signals, member, nowMs, candidates, features);
        var kept = new List<(int Index, float Probability)>(candidates.Count);
        for (int i = 0; i < candidates.Count; i++)
        {
            var x = features.AsSpan(i * f, f);
            float p = model.Predict(x);
            if (!model.Keeps(x, p, candidates[i].Signals.DaysSincePlay(nowMs))) continue;
            kept.Add((i, p));
        }
        // By probability; ties keep the recency order the candidates come in.
        kept.Sort((a, b) => a.Probability != b.Probability ? b.Probability.CompareTo(a.Probability) : a.Index.CompareTo(b.Index));
        var catalogue = signals.Catalogue;
        var row = new ContinueWatchingEntry[Math.Min(maxTitles, kept.Count)];
        for (int r = 0; r < row.Length; r++)
        {
            var (i, p) = kept[r];
            var c = candidates[i];
            int? episode = c.Episode >= 0 ? c.Episode : null;
            row[r] = new ContinueWatchingEntry(c.Title, catalogue.TitleIds[c.Title], catalogue.Names[c.Title], episode,
                episode is { } e ? catalogue.EpisodeIds[e] : null, c.Position, c.Action, p, Reason(catalogue, c));
        }
        return row;
    }

    /// <summary>The row of a member by id (empty when the signals do not know the member).</summary>
    public static IReadOnlyList<ContinueWatchingEntry> Build(SignalSet signals, string memberId, long nowMs, ResumeModel model, int maxTitles)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(memberId);
        return Build(signals, signals.MemberIds.IndexOf(memberId), nowMs, model, maxTitles);
    }

    /// <summary>"Resume episode 3 of Name at 12:40", "Resume season 2, episode 1 of Name at 0:45", "Next: episode 4 of Name", "Resume Name at 1:02:15".</summary>
    public static string Reason(SignalCatalogue catalogue, in ContinueWatchingCandidate c)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        string name = catalogue.Names[c.Title];
        if (c.Episode < 0) return $"Resume {name} at {Clock(c.Position)}";
        string episode = Episode(catalogue, c.Title, c.Episode);
        return c.Action == ContinueAction.NextEpisode ? $"Next: {episode} of {name}" : $"Resume {episode} of {name} at {Clock(c.Position)}";
    }

    private static string Episode(SignalCatalogue catalogue, int title, int episode)
    {
        int number = catalogue.EpisodeNumber[episode] > 0 ? catalogue.EpisodeNumber[episode] : catalogue.EpisodeOrdinal[episode] + 1;
        var c = CultureInfo.InvariantCulture;
        return catalogue.SeasonCount[title] > 1 && catalogue.EpisodeSeason[episode] > 0
            ? string.Create(c, $"season {catalogue.EpisodeSeason[episode]}, episode {number}")
            : string.Create(c, $"episode {number}");
    }

    /// <summary>A position as m:ss, or h:mm:ss from an hour.</summary>
    public static string Clock(float seconds)
    {
        int s = float.IsFinite(seconds) && seconds > 0 ? (int)seconds : 0;
        var c = CultureInfo.InvariantCulture;
        return s >= 3600 ? string.Create(c, $"{s / 3600}:{s / 60 % 60:00}:{s % 60:00}") : string.Create(c, $"{s / 60}:{s % 60:00}");
    }
}
