using Encore.Core;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Ranking;

/// <summary>
/// The catalogue as pages need it, in the store's dense title order: what signals need (<see cref="Signals"/>) and the
/// business facts: maturity level, availability, release date, and the people (cast, directors) that let a title no one
/// has played yet reach the members who like its genres and people.
/// </summary>
public sealed class RankingCatalogue
{
    private RankingCatalogue(SignalCatalogue signals, int[] maturity, long[] availableFromMs, long[] availableUntilMs, DateOnly?[] release, int[][] people, IdMap peopleIds)
    {
        Signals = signals;
        MaturityAge = maturity;
        AvailableFromMs = availableFromMs;
        AvailableUntilMs = availableUntilMs;
        ReleaseDates = release;
        People = people;
        PeopleIds = peopleIds;
    }

    public SignalCatalogue Signals { get; }
    public int Titles => Signals.Titles;
    /// <summary>The youngest age each title suits (<see cref="MaturityRatings.AgeOf"/>; <see cref="int.MaxValue"/> when unrated).</summary>
    public int[] MaturityAge { get; }
    /// <summary>When each title became available (Unix ms; <see cref="long.MinValue"/>: always).</summary>
    public long[] AvailableFromMs { get; }
    /// <summary>When each title leaves the service, exclusive (Unix ms; <see cref="long.MaxValue"/>: never; <see cref="long.MinValue"/>: removed from the catalogue).</summary>
    public long[] AvailableUntilMs { get; }
    public DateOnly?[] ReleaseDates { get; }
    /// <summary>Indices into <see cref="PeopleIds"/> of each title's directors and cast.</summary>
    public int[][] People { get; }
    public IdMap PeopleIds { get; }

    public bool IsAvailable(int title, long atMs) => AvailableFromMs[title] <= atMs && atMs < AvailableUntilMs[title];

    public static async Task<RankingCatalogue> LoadAsync(IEventStore store, CancellationToken ct = default)
    {
        var (titleIds, episodeIds, titles) = await SignalCatalogue.ReadAsync(store, ct).ConfigureAwait(false);
        return Build(titleIds, episodeIds, titles);
    }

    public static RankingCatalogue Build(IdMap titleIds, IdMap episodeIds, IReadOnlyList<Title> titles)
    {
        ArgumentNullException.ThrowIfNull(titles);
        var signals = SignalCatalogue.Build(titleIds, episodeIds, titles);
        int n = signals.Titles;
        var maturity = new int[n];
        var available = new long[n];
        var until = new long[n];
        var release = new DateOnly?[n];
        var people = new int[n][];
        var peopleIds = new IdMap();
        Array.Fill(maturity, int.MaxValue); // a title known only by id is unrated
        Array.Fill(available, long.MinValue);
        // A title of the store's index that the catalogue does not hold was removed from it: never offered again.
        Array.Fill(until, long.MinValue);
        Array.Fill(people, []);
        foreach (var title in titles)
        {
            int t = signals.TitleIds.IndexOf(title.Id);
            maturity[t] = MaturityRatings.AgeOf(title.MaturityRating) ?? int.MaxValue;
            if (title.AvailableFromUtc is { } from)
                available[t] = new DateTimeOffset(DateTime.SpecifyKind(from, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
            until[t] = title.AvailableUntilUtc is { } end ? new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc)).ToUnixTimeMilliseconds() : long.MaxValue;
            release[t] = title.ReleaseDate;
            var p = new int[title.Directors.Count + title.Cast.Count];
            int i = 0;
            foreach (var d in title.Directors) p[i++] = peopleIds.GetOrAdd(d);
            foreach (var a in title.Cast) p[i++] = peopleIds.GetOrAdd(a);
            people[t] = p;
        }
        return new RankingCatalogue(signals, maturity, available, until, release, people, peopleIds);
    }
}
