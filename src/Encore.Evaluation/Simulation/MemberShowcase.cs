using Encore.Models;

namespace Encore.Evaluation.Simulation;

/// <summary>A title as the showcase prints it; <see cref="WatchedLater"/> marks a title the member went on to watch in the test days.</summary>
public sealed record ShowcaseTitle(string TitleId, string Name, float Score, bool WatchedLater);

/// <summary>
/// One member's homepage in miniature, for the README's first command: the Top Picks of a model fitted on the
/// P-SIM training period, and the titles similar to the last title the member watched ("Because you watched").
/// Titles the member truly went on to watch in the held-out days are marked, so a reader can see hits.
/// </summary>
public sealed record MemberShowcase(
    string MemberId,
    string Model,
    int HistoryLength,
    ShowcaseTitle LastWatched,
    IReadOnlyList<ShowcaseTitle> TopPicks,
    IReadOnlyList<ShowcaseTitle> BecauseYouWatched)
{
    /// <summary>
    /// Fits <paramref name="model"/> on the P-SIM training period under <paramref name="setting"/> and shows the test
    /// member with the most titles watched in the test days (ties: the lowest index), or null when no member watched a
    /// new title in the test days after watching something before them (a very small service may have none: see
    /// <see cref="PSimProtocol.MinimumMembers"/>).
    /// </summary>
    public static MemberShowcase? TryBuild(PSimData data, string model, SignalSetting setting, int n, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(setting);
        var split = data.Test;
        var trainer = ModelCatalog.CreateTrainer(model, new Dictionary<string, string>());
        var train = split.TrainMatrix(setting.Preferences);
        var played = split.PlayedMatrix();
        var fitted = trainer.Fit(train, ct);

        int member = -1, best = -1;
        foreach (var (m, titles) in split.WatchedTruth)
        {
            if (played.RowLength(m) == 0) continue;
            if (titles.Count > best || (titles.Count == best && m < member)) (member, best) = (m, titles.Count);
        }
        if (member < 0) return null;
        var watchedLater = new HashSet<int>(split.WatchedTruth[member]);

        // The last title watched: the member's begun title with the latest play.
        var columns = played.RowColumns(member);
        var times = played.RowTimestamps(member);
        int lastPosition = 0;
        for (int i = 1; i < times.Length; i++)
            if (times[i] > times[lastPosition]) lastPosition = i;
        int last = columns[lastPosition];

        var memberId = played.MemberIds[member];
        var exclude = TitleIdsOf(played, columns);
        var picks = Recommendations.Recommend(fitted, memberId, n, new RecommendOptions { ExcludeTitleIds = exclude });
        var similar = Recommendations.SimilarTitles(fitted, played.TitleIds[last], n, new RecommendOptions { ExcludeTitleIds = exclude });
        var names = split.Signals.Catalogue.Names;
        return new MemberShowcase(memberId, model, columns.Length,
            new ShowcaseTitle(played.TitleIds[last], names[last], 0f, watchedLater.Contains(last)),
            Describe(picks, names, watchedLater), Describe(similar, names, watchedLater));
    }

    /// <summary>Why <see cref="TryBuild"/> found nobody to show.</summary>
    public const string NoMemberToShow = "no member watched a new title in the test days after watching something before them";

    private static string[] TitleIdsOf(Encore.Core.InteractionMatrix matrix, ReadOnlySpan<int> columns)
    {
        var ids = new string[columns.Length];
        for (int i = 0; i < columns.Length; i++) ids[i] = matrix.TitleIds[columns[i]];
        return ids;
    }

    private static List<ShowcaseTitle> Describe(IReadOnlyList<RecommendedTitle> titles, string[] names, HashSet<int> watchedLater)
    {
        var described = new List<ShowcaseTitle>(titles.Count);
        foreach (var t in titles) described.Add(new ShowcaseTitle(t.TitleId, names[t.Title], t.Score, watchedLater.Contains(t.Title)));
        return described;
    }
}
