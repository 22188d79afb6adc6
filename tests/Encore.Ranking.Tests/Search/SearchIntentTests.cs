using Encore.Core;
using Encore.Models;
using Encore.Ranking.Search;
using Encore.Signals;
using Xunit;

namespace Encore.Ranking.Tests.Search;

/// <summary>
/// Search intent: the search index names the title a query asks for only when the query names it clearly (its whole
/// name, and no other title nearly as well) and the title is available at the search's time; the signals count it for
/// that title; and a member's list keeps a title the member only looked for.
/// </summary>
public sealed class SearchIntentTests
{
    private static readonly DateTime T0 = new(2025, 3, 1, 20, 0, 0, DateTimeKind.Utc);

    private static readonly Title[] Titles =
    [
        Film("river", "The Silent River", "Drama"), Film("carnival", "Moon Carnival", "Comedy"), Film("witness", "Moon Witness", "Drama"),
        Film("train", "Night Train", "Thriller") with { AvailableFromUtc = T0.AddDays(10) },
        Film("c1", "Happy Harbor", "Comedy"), Film("c2", "Crooked Kitchen", "Comedy"), Film("c3", "Wicked Circus", "Comedy"),
    ];

    private static Title Film(string id, string name, string genre) => new() { Id = id, Name = name, Genres = [genre], RuntimeSeconds = 6_000 };

    private static long Ms(DateTime utc) => new DateTimeOffset(utc).ToUnixTimeMilliseconds();

    // The signals' catalogue numbers the titles in another order than the index: answers are in the catalogue's numbering.
    private static readonly SignalCatalogue Catalogue = SignalCatalogue.Build(new IdMap(Titles.Reverse().Select(t => t.Id)), new IdMap(), Titles.Reverse().ToArray());
    private static readonly SearchIntentResolver Resolver = new(SearchIndex.Build(Titles), Catalogue);

    private static string? Named(string query, DateTime at)
        => Resolver.Resolve(query, Ms(at)) is var t && t >= 0 ? Catalogue.TitleIds[t] : null;

    [Fact]
    public void A_query_names_a_title_only_when_it_names_it_clearly_and_the_title_is_available()
    {
        Assert.Equal("river", Named("the silent river", T0));
        Assert.Equal("river", Named("The Silent River!", T0));
        Assert.Equal("witness", Named("moon witness", T0));
        // Part of a name two titles share, a name the catalogue lacks, or nothing at all: no title.
        Assert.Null(Named("moon", T0));
        Assert.Null(Named("the golden road", T0));
        Assert.Null(Named("   ", T0));
        // A title the service does not carry yet at the search's time, then once it does.
        Assert.Null(Named("night train", T0));
        Assert.Equal("train", Named("night train", T0.AddDays(11)));
        // Stricter settings answer less: a typo in the name is not a clear match at the default threshold.
        Assert.Null(Named("the slient river", T0));
        Assert.Equal("river", new SearchIntentResolver(SearchIndex.Build(Titles), Catalogue, minText: 0.6f).Resolve("the slient river", Ms(T0)) is var r && r >= 0 ? Catalogue.TitleIds[r] : null);
    }

    [Fact]
    public void A_member_list_keeps_the_title_the_member_searched_for_and_leaves_out_the_ones_passed_over()
    {
        var members = new List<string> { "seeker" };
        for (int f = 0; f < 5; f++) members.Add($"fan-{f}");
        var signals = new SignalSet(Catalogue, new IdMap(members), resolver: Resolver);
        int n = 0;
        void Play(string member, string title)
        {
            var at = T0.AddHours(3 * n++);
            signals.Apply(Event(n, EventKind.PlayStart, member, title, at) with { PositionSeconds = 0 });
            signals.Apply(Event(n, EventKind.Completion, member, title, at.AddSeconds(6_000)) with { PositionSeconds = 6_000 });
        }
        for (int f = 0; f < 5; f++) foreach (var t in new[] { "c1", "c2", "c3", "carnival" }) Play($"fan-{f}", t);
        Play("seeker", "c1");
        Play("seeker", "c2");
        // The seeker looks for "Moon Carnival" by name and plays nothing, and passes "Wicked Circus" over on a page.
        signals.Apply(Event(++n, EventKind.Search, "seeker", null, T0.AddDays(3)) with { Query = "moon carnival" });
        signals.Apply(Event(++n, EventKind.Impression, "seeker", "c3", T0.AddDays(3).AddMinutes(1)) with { Row = "comedy", RowPosition = 0, Propensity = 1 });

        int seeker = signals.MemberIds.IndexOf("seeker");
        Assert.Equal(1, signals.Get(seeker, Catalogue.TitleIds.IndexOf("carnival")).SearchIntent);
        Assert.Equal(["moon carnival"], signals.RecentSearchesOf(seeker).Select(s => s.Query));

        // Weighed as positive evidence (search intent on), the title looked for is learned from and still offered.
        var request = new TrainingRequest { Model = "itemknn", Preferences = PreferenceOptions.Default with { SearchIntent = 1 } };
        var model = ModelTraining.Fit(signals, ModelCatalog.CreateTrainer("itemknn"), request, "test", ct: TestContext.Current.CancellationToken);
        Assert.Equal(Evidence.Positive, PreferenceModel.Weigh(signals.Get(seeker, Catalogue.TitleIds.IndexOf("carnival")), model.Preferences, signals.LastEventMs).Evidence);
        var list = MemberRanking.Recommend(model, signals, "seeker", new RankingRequest { Count = 10 }).Select(r => r.TitleId).ToList();
        Assert.Equal("carnival", list[0]);
        Assert.DoesNotContain("c3", list); // passed over
        Assert.DoesNotContain("c1", list); // begun
    }

    private static ViewingEvent Event(int n, EventKind kind, string member, string? title, DateTime at) => new()
    {
        EventId = $"e{n}-{kind}", Kind = kind, MemberId = member, TitleId = title, Device = DeviceKind.Tv, TimestampUtc = at, SessionId = $"s{n}",
    };
}
