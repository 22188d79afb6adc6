using Encore.Analytics.Search;
using Encore.Core;
using Encore.Ranking.Search;
using Encore.Simulation;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Analytics.Tests;

/// <summary>Search demand: searches grouped (typos folded), classified by what the catalogue has, ranked by unmet demand.</summary>
public sealed class SearchDemandTests
{
    private static readonly SearchIndex Index = SearchIndex.Build(
    [
        new Title { Id = "t1", Name = "The Silent River", Genres = ["Drama"], Cast = ["Tara Singh"], Directors = ["Jo Park"] },
        new Title { Id = "t2", Name = "Comet Road", Genres = ["Comedy"], Cast = ["Ana Lima"] },
        new Title { Id = "t3", Name = "Night Harbour", Genres = ["Crime"], Cast = ["Tara Singh"] },
    ]);

    [Fact]
    public void Searches_fold_into_what_they_were_after_and_rank_by_unmet_engaged_members()
    {
        var searches = new List<(string Member, string Query, bool Played)>
        {
            // Something the catalogue does not have, typed three ways by four members, never played.
            ("a", "Moonlit Orchard", false), ("b", "moonlit orchard", false), ("c", "Moonlit Orchrd", false), ("d", "moonlit orchard!", false),
            // A title it has, with typos; found and played by two of three.
            ("a", "slient river", true), ("e", "The Silent Rivr", true), ("f", "silent river", false),
            // A person and a kind of title.
            ("g", "tara singh", false), ("h", "Tara Sing", false),
            ("i", "comedy", true), ("j", "comedy", true),
            // Absent, one member only: noise under MinMembers.
            ("k", "xylophone quartet", false),
            // Absent, two members who watch little.
            ("l", "Velvet Kingdom", false), ("m", "velvet kingdm", false), ("n", "velvet kingdom", false),
        };
        var sessions = new Dictionary<string, int> { ["a"] = 30, ["b"] = 14, ["c"] = 6, ["d"] = 2, ["l"] = 0, ["m"] = 1 };
        var report = SearchDemand.Analyze(searches, Index, m => sessions.GetValueOrDefault(m));

        Assert.Equal(searches.Count, report.Searches);
        var absent = report.Of(DemandKind.Absent).ToList();
        Assert.Equal(["moonlit orchard", "velvet kingdom"], absent.Select(g => g.Query));
        var moonlit = absent[0];
        Assert.Equal((4, 4, 4), (moonlit.Searches, moonlit.Members, moonlit.UnmetMembers));
        Assert.Equal(2, moonlit.Spellings.Count); // "moonlit orchard" (three typed alike once normalized) and "moonlit orchrd"
        Assert.Equal(Math.Log2(32) + Math.Log2(16) + Math.Log2(8) + Math.Log2(4), moonlit.Demand, 3);
        Assert.DoesNotContain(report.Groups, g => g.Query.StartsWith("xylophone", StringComparison.Ordinal));

        var river = report.Of(DemandKind.Title).Single(g => g.Target == "t1");
        Assert.Equal("The Silent River", river.Query);
        Assert.Equal((3, 3, 1, 1), (river.Searches, river.Members, river.Unmet, river.UnmetMembers));
        var person = Assert.Single(report.Of(DemandKind.Person));
        Assert.Equal(("Tara Singh", 2), (person.Query, person.UnmetMembers));
        var genre = Assert.Single(report.Of(DemandKind.Genre));
        Assert.Equal(("Comedy", 0), (genre.Query, genre.UnmetMembers));
        // Ranked by demand: the absent title four engaged members wanted leads.
        Assert.Equal("moonlit orchard", report.Groups[0].Query);
        Assert.True(report.Groups.Zip(report.Groups.Skip(1)).All(p => p.First.Demand >= p.Second.Demand));
    }

    [Fact]
    public async Task On_the_simulated_service_the_absent_titles_members_search_for_lead_the_report()
    {
        using var temp = new TempFolder();
        var options = new SimulationOptions { Members = 400, Titles = 200, Days = 21 };
        await using var store = await SqliteEventStore.OpenAsync(temp.File("sim.db"), TestContext.Current.CancellationToken);
        await SimulatedDatabase.EnsureAsync(store, options, ct: TestContext.Current.CancellationToken);
        var titles = new List<Title>();
        await foreach (var t in store.ReadTitlesAsync(TestContext.Current.CancellationToken)) titles.Add(t);
        var report = await SearchDemand.AnalyzeAsync(store, SearchIndex.Build(titles), _ => 1, ct: TestContext.Current.CancellationToken);

        // The simulator's hidden list of what members want and the service lacks.
        var absentNames = new SimulatedService(options).Catalogue.AbsentNames.Select(SearchText.Normalize).ToHashSet();
        var absent = report.Of(DemandKind.Absent).Take(10).ToList();
        Assert.NotEmpty(absent);
        int right = absent.Count(g => absentNames.Contains(g.Query));
        Assert.True(right >= absent.Count * 8 / 10, $"{right} of the top {absent.Count} absent groups are titles the catalogue lacks: {string.Join(", ", absent.Select(g => g.Query))}");
        // Searches for titles the service has are not reported as absent.
        var names = titles.Select(t => SearchText.Normalize(t.Name)).ToHashSet();
        Assert.DoesNotContain(report.Of(DemandKind.Absent), g => names.Contains(g.Query));
        Assert.Contains(report.Of(DemandKind.Title), g => g.Members > 1);
    }
}
