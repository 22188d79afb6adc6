using Encore.Core;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Signals.Tests;

/// <summary>
/// Incremental equals batch: signals read from a store holding the first part of a random event stream, then
/// updated with the rest one event at a time (as the real-time path does, from <see cref="ViewingEvent"/>s), equal
/// the signals read in one batch from a store holding the whole stream, pair by pair and weight by weight.
/// </summary>
public sealed class IncrementalTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    private static readonly Title[] Titles =
    [
        new() { Id = "f1", Name = "Film One", RuntimeSeconds = 5_400, Genres = ["Drama"] },
        new() { Id = "f2", Name = "Film Two", RuntimeSeconds = 7_200, Genres = ["Action", "Comedy"] },
        new()
        {
            Id = "s1", Name = "Series", Kind = TitleKind.Series, RuntimeSeconds = 1_800, Genres = ["Comedy"],
            Seasons = [new Season(1, [new Episode("s1e1", 1, 1, "a", 1_800), new Episode("s1e2", 1, 2, "b", 1_800), new Episode("s1e3", 1, 3, "c", 1_800)])],
        },
    ];

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    [InlineData(5UL)]
    [InlineData(6UL)]
    [InlineData(7UL)]
    [InlineData(8UL)]
    public async Task Signals_updated_event_by_event_equal_a_batch_read_of_the_same_stream(ulong seed)
    {
        var rng = new Xoshiro256StarStar(seed);
        var events = RandomStream(ref rng, 400);
        int split = (int)(rng.NextUInt64() % (ulong)events.Count);

        var batch = await SignalsOfStoreAsync($"all-{seed}.db", events);
        var incremental = await SignalsOfStoreAsync($"prefix-{seed}.db", events.Take(split).ToList());
        Assert.Contains(batch.AllPairs(), p => p.Signals.SearchIntent > 0);
        foreach (var e in events.Skip(split)) incremental.Apply(e);

        Assert.Equal(batch.Events, incremental.Events);
        Assert.Equal(batch.LastEventMs, incremental.LastEventMs);
        var expected = Pairs(batch);
        var actual = Pairs(incremental);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, signals) in expected) Assert.Equal(signals, actual[key]);
        foreach (var member in new[] { "m0", "m1", "m2" })
        {
            Assert.Equal(batch.SessionsOf(batch.MemberIds.IndexOf(member)), incremental.SessionsOf(incremental.MemberIds.IndexOf(member)));
            Assert.Equal(batch.RecentSessionsOf(batch.MemberIds.IndexOf(member), batch.LastEventMs),
                incremental.RecentSessionsOf(incremental.MemberIds.IndexOf(member), batch.LastEventMs), 9);
            Assert.Equal(batch.RecentSearchesOf(batch.MemberIds.IndexOf(member)).Select(s => (s.Query, s.Title, s.Named)),
                incremental.RecentSearchesOf(incremental.MemberIds.IndexOf(member)).Select(s => (s.Query, s.Title, s.Named)));
        }
        var options = new PreferenceOptions { Watch = 1, Complete = 1, Scene = 0.5f, Binge = 0.3f, Rating = 0.5f, LowRating = 2, AbandonShare = 0.3f, IgnoredImpressions = 3,
            SearchIntent = 0.5f, HalfLifeDays = 7 };
        long asOf = batch.LastEventMs;
        foreach (var (key, signals) in expected)
            Assert.Equal(PreferenceModel.Weigh(signals, options, asOf), PreferenceModel.Weigh(actual[key], options, asOf));
    }

    private async Task<SignalSet> SignalsOfStoreAsync(string name, List<ViewingEvent> events)
    {
        await using var store = await SqliteEventStore.OpenAsync(_folder.File(name), Ct);
        await store.UpsertTitlesAsync(Titles, Ct);
        for (int i = 0; i < events.Count; i += 50) await store.AppendAsync(events.Skip(i).Take(50).ToList(), Ct);
        return await SignalSet.LoadAsync(store, ct: Ct, resolver: new QueryNames());
    }

    /// <summary>Search intent: "q0".."q2" name the three titles; other queries name none.</summary>
    private sealed class QueryNames : IQueryResolver
    {
        public int Resolve(string query, long unixMilliseconds) => query is ['q', var d] && d is >= '0' and <= '2' ? d - '0' : -1;
    }

    /// <summary>Signals by (member id, title id), independent of the dense indices each set gave them.</summary>
    private static Dictionary<(string, string), TitleSignals> Pairs(SignalSet set)
        => set.AllPairs().ToDictionary(p => (set.MemberIds[p.Member], set.Catalogue.TitleIds[p.Title]), p => p.Signals);

    /// <summary>
    /// A stream as a service sends it: three members, random devices, every kind of event with plausible positions,
    /// times that move on by seconds to days (so sessions open and close), in time order (ties included).
    /// </summary>
    private static List<ViewingEvent> RandomStream(ref Xoshiro256StarStar rng, int count)
    {
        var events = new List<ViewingEvent>(count);
        var time = new DateTime(2025, 2, 1, 18, 0, 0, DateTimeKind.Utc);
        EventKind[] kinds = [EventKind.PlayStart, EventKind.PlayStart, EventKind.Pause, EventKind.Resume, EventKind.Seek, EventKind.Stop,
            EventKind.Completion, EventKind.Replay, EventKind.SkipIntro, EventKind.SkipCredits, EventKind.Rating, EventKind.Search, EventKind.Impression];
        for (int i = 0; i < count; i++)
        {
            int gap = (int)(rng.NextUInt64() % 10);
            time = time.AddSeconds(gap switch { 0 => 0, < 6 => 1 + (int)(rng.NextUInt64() % 900), < 9 => 1_800 + (int)(rng.NextUInt64() % 7_200), _ => 86_400 });
            var kind = kinds[rng.NextUInt64() % (ulong)kinds.Length];
            var title = Titles[rng.NextUInt64() % (ulong)Titles.Length];
            string? episode = title.Kind == TitleKind.Series ? $"s1e{1 + (int)(rng.NextUInt64() % 3)}" : null;
            double position = (rng.NextUInt64() % 8_000) * 1.0;
            var e = new ViewingEvent
            {
                EventId = $"e{i}", Kind = kind, MemberId = $"m{rng.NextUInt64() % 3}", TitleId = title.Id, EpisodeId = episode,
                Device = (DeviceKind)(rng.NextUInt64() % 5), TimestampUtc = time, SessionId = "s",
            };
            events.Add(kind switch
            {
                EventKind.PlayStart => e with { PositionSeconds = rng.NextUInt64() % 3 == 0 ? position : 0 },
                EventKind.Pause => e with { PositionSeconds = position, PauseSeconds = 1 + rng.NextUInt64() % 600 },
                EventKind.Seek => e with { PositionSeconds = position, SeekFromSeconds = (rng.NextUInt64() % 8_000) * 1.0 },
                EventKind.Replay => e with { PositionSeconds = rng.NextUInt64() % 2 == 0 ? 0 : position },
                EventKind.Rating => e with { EpisodeId = null, Rating = 1 + rng.NextUInt64() % 5 },
                EventKind.Search => rng.NextUInt64() % 2 == 0 ? e with { EpisodeId = null, Query = "q" + i % 7 }
                    : e with { TitleId = null, EpisodeId = null, Query = "absent " + i % 5 },
                EventKind.Impression => e with { EpisodeId = null, Row = "top-picks", RowPosition = (int)(rng.NextUInt64() % 10), Propensity = 0.5 },
                _ => e with { PositionSeconds = position },
            });
        }
        return events;
    }
}
