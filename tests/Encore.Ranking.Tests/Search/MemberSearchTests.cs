using Encore.Core;
using Encore.Models;
using Encore.Ranking.Search;
using Encore.Signals;
using Xunit;

namespace Encore.Ranking.Tests.Search;

/// <summary>
/// Search ranked for the member: a service of comedy fans and drama fans, one member of each kind, and two titles named
/// "Moon ..." that match a query equally (one a comedy, one a drama). A model trained on their plays orders them.
/// </summary>
public sealed class MemberSearchTests
{
    private static readonly DateTime T0 = new(2025, 3, 1, 20, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Comedies = ["c1", "c2", "c3", "c4", "moon-carnival"];
    private static readonly string[] Dramas = ["d1", "d2", "d3", "d4", "moon-witness"];

    private static readonly Title[] Titles =
    [
        Film("c1", "Happy Harbor", "Comedy"), Film("c2", "Crooked Kitchen", "Comedy"), Film("c3", "Wicked Circus", "Comedy"),
        Film("c4", "Little Hotel", "Comedy"), Film("moon-carnival", "Moon Carnival", "Comedy"),
        Film("d1", "Bitter Winter", "Drama"), Film("d2", "Lonely Station", "Drama"), Film("d3", "Broken Letter", "Drama"),
        Film("d4", "Distant Witness", "Drama"), Film("moon-witness", "Moon Witness", "Drama"),
    ];

    private static Title Film(string id, string name, string genre) => new() { Id = id, Name = name, Genres = [genre], RuntimeSeconds = 6_000 };

    private static (SearchIndex Index, MemberTaste Taste, SignalSet Signals) Service()
    {
        var members = new List<string>();
        var plays = new List<(string Member, string Title)>();
        for (int f = 0; f < 6; f++)
        {
            members.Add($"comedy-fan-{f}");
            plays.AddRange(Comedies.Select(t => ($"comedy-fan-{f}", t)));
            members.Add($"drama-fan-{f}");
            plays.AddRange(Dramas.Select(t => ($"drama-fan-{f}", t)));
        }
        members.AddRange(["laughs", "tears"]);
        plays.AddRange([("laughs", "c1"), ("laughs", "c2"), ("laughs", "c3"), ("tears", "d1"), ("tears", "d2"), ("tears", "d3")]);

        var catalogue = SignalCatalogue.Build(new IdMap(Titles.Select(t => t.Id)), new IdMap(), Titles);
        var signals = new SignalSet(catalogue, new IdMap(members));
        int n = 0;
        foreach (var (member, title) in plays)
        {
            var at = T0.AddHours(3 * n++);
            signals.Apply(Event(n, EventKind.PlayStart, member, title, at, 0));
            signals.Apply(Event(n, EventKind.Completion, member, title, at.AddSeconds(6_000), 6_000));
        }
        var model = ModelTraining.Fit(signals, ModelCatalog.CreateTrainer("itemknn"), new TrainingRequest { Model = "itemknn" }, "test");
        var index = SearchIndex.Build(Titles);
        return (index, new MemberTaste(index, model), signals);
    }

    private static ViewingEvent Event(int n, EventKind kind, string member, string title, DateTime at, double position) => new()
    {
        EventId = $"e{n}-{kind}", Kind = kind, MemberId = member, TitleId = title, Device = DeviceKind.Tv, TimestampUtc = at,
        SessionId = $"s{n}", PositionSeconds = position,
    };

    private static readonly (SearchIndex Index, MemberTaste Taste, SignalSet Signals) World = Service();

    private static IReadOnlyList<string> Search(string member, string query, SearchOptions? options = null)
    {
        var scores = World.Taste.ScoresOf(World.Signals, member);
        var request = new SearchRequest { Options = options ?? SearchOptions.Default, AsOfUtc = T0.AddDays(30) };
        return World.Index.Search(query, request, scores).Hits.Select(h => h.TitleId).ToList();
    }

    [Fact]
    public void Two_members_with_different_tastes_get_a_different_order_for_the_same_query()
    {
        var text = World.Index.Search("moon", new SearchRequest { AsOfUtc = T0.AddDays(30) }).Hits;
        Assert.Equal(2, text.Count);
        Assert.Equal(text[0].Text, text[1].Text); // the query alone cannot tell them apart

        Assert.Equal(["moon-carnival", "moon-witness"], Search("laughs", "moon"));
        Assert.Equal(["moon-witness", "moon-carnival"], Search("tears", "moon"));
        // The same with the member's score only breaking ties.
        var tiesOnly = SearchOptions.Default with { MemberWeight = 0 };
        Assert.Equal(["moon-carnival", "moon-witness"], Search("laughs", "moon", tiesOnly));
        Assert.Equal(["moon-witness", "moon-carnival"], Search("tears", "moon", tiesOnly));
    }

    [Fact]
    public void The_members_score_moves_equals_but_never_a_clearly_better_match()
    {
        // The drama fan asking for the comedy by name gets it first: relevance comes first.
        Assert.Equal("moon-carnival", Search("tears", "moon carnival")[0]);
        Assert.Equal("moon-carnival", Search("tears", "mon carnivl")[0]);
        // A typo in the name still beats a title matching only half of it.
        Assert.Equal("moon-witness", Search("laughs", "moon witnes")[0]);
    }

    [Fact]
    public void The_members_scores_are_standardized_and_cover_every_title()
    {
        var scores = World.Taste.ScoresOf(World.Signals, "laughs");
        Assert.Equal(World.Index.Count, scores.Length);
        Assert.All(scores, s => Assert.True(float.IsFinite(s)));
        Assert.Equal(0, scores.Average(), 4);
        var comedy = Comedies.Select(id => scores[World.Index.TitleIds.IndexOf(id)]).Average();
        var drama = Dramas.Select(id => scores[World.Index.TitleIds.IndexOf(id)]).Average();
        Assert.True(comedy > drama, $"comedies {comedy} vs dramas {drama}");

        // A member the model never saw gets the model's fallback, still finite and on the same scale.
        var stranger = World.Taste.ScoresOf(World.Signals, "nobody");
        Assert.All(stranger, s => Assert.True(float.IsFinite(s)));
        Assert.Throws<ArgumentException>(() => World.Taste.ScoresOf(World.Signals, "laughs", new float[3]));
    }
}
