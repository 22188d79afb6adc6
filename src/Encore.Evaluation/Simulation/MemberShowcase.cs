using Encore.Models;
using Encore.Simulation;
using Encore.Storage;

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
    /// Fits <paramref name="model"/> on the training period of the simulated database under <paramref name="setting"/>
    /// and shows the test member with the most titles watched in the test days (ties: the lowest index).
    /// </summary>
    /// <exception cref="InvalidOperationException">No test member watched anything before the test days (see <see cref="TryBuildAsync"/>).</exception>
    public static async Task<MemberShowcase> BuildAsync(string databasePath, string model, SignalSetting setting, int n,
        CancellationToken ct = default)
        => await TryBuildAsync(databasePath, model, setting, n, ct).ConfigureAwait(false)
           ?? throw new InvalidOperationException(NoMemberToShow);

    /// <summary>Why <see cref="TryBuildAsync"/> found nobody to show.</summary>
    public const string NoMemberToShow = "no member watched a new title in the test days after watching something before them";

    /// <summary>
    /// As <see cref="BuildAsync"/>, or null when no member watched a new title in the test days after watching
    /// something before them (a very small service may have none: see <see cref="PSimProtocol.MinimumMembers"/>).
    /// </summary>
    /// <exception cref="NotASimulationException">The database holds no finished simulation.</exception>
    public static async Task<MemberShowcase?> TryBuildAsync(string databasePath, string model, SignalSetting setting, int n,
        CancellationToken ct = default)
    {
        var manifest = await SimulatedDatabase.RequireFinishedAsync(databasePath, ct).ConfigureAwait(false);
        var trainer = ModelCatalog.CreateTrainer(model, new Dictionary<string, string>());
        await using var store = await SqliteEventStore.OpenAsync(databasePath, ct).ConfigureAwait(false);
        var split = await PSimSplit.LoadAsync(store, manifest, ct).ConfigureAwait(false);
        var train = split.TrainMatrix(setting);
        var fitted = trainer.Fit(train, ct);

        int member = -1, best = -1;
        foreach (var (m, titles) in split.WatchedTruth)
        {
            if (train.RowLength(m) == 0) continue;
            if (titles.Count > best || (titles.Count == best && m < member)) (member, best) = (m, titles.Count);
        }
        if (member < 0) return null;
        var watchedLater = new HashSet<int>(split.WatchedTruth[member]);

        // The last title watched: the member's training pair with the latest time.
        var columns = train.RowColumns(member);
        var times = train.RowTimestamps(member);
        int lastPosition = 0;
        for (int i = 1; i < times.Length; i++)
            if (times[i] > times[lastPosition]) lastPosition = i;
        int last = columns[lastPosition];

        var memberId = train.MemberIds[member];
        var picks = Recommendations.Recommend(fitted, memberId, n);
        var similar = Recommendations.SimilarTitles(fitted, train.TitleIds[last], n,
            new RecommendOptions { ExcludeTitleIds = TitleIdsOf(train, columns) });
        return new MemberShowcase(memberId, model, columns.Length,
            await DescribeAsync(store, train.TitleIds[last], 0f, watchedLater.Contains(last), ct).ConfigureAwait(false),
            await DescribeAllAsync(store, picks, watchedLater, ct).ConfigureAwait(false),
            await DescribeAllAsync(store, similar, watchedLater, ct).ConfigureAwait(false));
    }

    private static string[] TitleIdsOf(Encore.Core.InteractionMatrix train, ReadOnlySpan<int> columns)
    {
        var ids = new string[columns.Length];
        for (int i = 0; i < columns.Length; i++) ids[i] = train.TitleIds[columns[i]];
        return ids;
    }

    private static async Task<IReadOnlyList<ShowcaseTitle>> DescribeAllAsync(IEventStore store, IReadOnlyList<RecommendedTitle> titles,
        HashSet<int> watchedLater, CancellationToken ct)
    {
        var described = new List<ShowcaseTitle>(titles.Count);
        foreach (var t in titles)
            described.Add(await DescribeAsync(store, t.TitleId, t.Score, watchedLater.Contains(t.Title), ct).ConfigureAwait(false));
        return described;
    }

    private static async Task<ShowcaseTitle> DescribeAsync(IEventStore store, string titleId, float score, bool watchedLater, CancellationToken ct)
    {
        var title = await store.GetTitleAsync(titleId, ct).ConfigureAwait(false);
        return new ShowcaseTitle(titleId, title?.Name ?? titleId, score, watchedLater);
    }
}
