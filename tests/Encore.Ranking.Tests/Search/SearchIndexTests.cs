using Encore.Core;
using Encore.Ranking.Search;
using Xunit;

namespace Encore.Ranking.Tests.Search;

public sealed class SearchIndexTests
{
    private static readonly DateTime Now = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private static readonly Title[] Catalogue =
    [
        new() { Id = "river", Name = "The Silent River", Genres = ["Drama"], Cast = ["Tara Singh", "Omar Berg"], Directors = ["Kofi Abara"], MaturityRating = "PG-13" },
        new() { Id = "river2", Name = "The Silent River 2", Genres = ["Drama"], Cast = ["Tara Singh"], Directors = ["Kofi Abara"], MaturityRating = "PG-13" },
        new() { Id = "storm", Name = "Storm", Genres = ["Action"], Cast = ["Ben Novak"], Directors = ["Lena Costa"], MaturityRating = "R" },
        new() { Id = "stork", Name = "Stork", Genres = ["Family"], Cast = ["Zoe Park"], Directors = ["Hiro Sato"], MaturityRating = "G" },
        new() { Id = "amelie", Name = "Amélie", Genres = ["Romance", "Comedy"], Cast = ["Élodie Dubois"], Directors = ["Jean-Pierre Moreau"], MaturityRating = "R" },
        new() { Id = "kingdom", Name = "Kingdom of the Moon", Genres = ["Fantasy"], Cast = ["Priya Nakamura"], Directors = ["Goran Varga"], MaturityRating = "TV-14", Kind = TitleKind.Series },
        new() { Id = "laughs", Name = "Harbor Lights", Genres = ["Comedy"], Cast = ["Tara Weber"], Directors = ["Emil Singh"] },
        new() { Id = "weber", Name = "Weber's Kitchen", Genres = ["Documentary"], MaturityRating = "G" },
        new() { Id = "future", Name = "The Silent Riverbank", Genres = ["Drama"], Cast = ["Tara Singh"], AvailableFromUtc = Now.AddDays(3) },
    ];

    private static readonly SearchIndex Index = SearchIndex.Build(Catalogue);

    private static SearchResult Find(string query, SearchRequest? request = null, float[]? member = null)
        => Index.Search(query, request ?? new SearchRequest { AsOfUtc = Now }, member);

    private static IReadOnlyList<string> Ids(SearchResult result) => result.Hits.Select(h => h.TitleId).ToList();

    [Theory]
    [InlineData("the slient river")] // two letters swapped
    [InlineData("the silet river")] // one missing
    [InlineData("the silentt riverr")] // one extra in each word
    [InlineData("the silnet rivre")] // a swap in each word
    public void Typos_are_folded(string query)
    {
        var result = Find(query);
        Assert.Equal("river", result.Hits[0].TitleId);
        Assert.Contains(result.Hits[0].Matches, m => m.Kind == MatchKind.Typo && m.Field == SearchField.Name && m.Edits == 1);
    }

    [Fact]
    public void Two_typos_in_a_long_word_are_folded_but_not_in_a_short_one()
    {
        var one = Find("nakmaura").Hits.Single(); // a swap
        Assert.Equal(("kingdom", 1), (one.TitleId, one.Matches.Single().Edits));
        var two = Find("nakamuuro").Hits.Single(); // an extra letter and a wrong one, in a token of 9 letters
        Assert.Equal(("kingdom", 2), (two.TitleId, two.Matches.Single().Edits));
        Assert.Empty(Find("nvoka").Hits); // two swaps from "novak", but a token of 5 letters is allowed one edit
        Assert.Equal("storm", Find("novka").Hits.Single().TitleId);
        Assert.Empty(Find("trs").Hits); // a token of 3 letters only matches exactly (or as a prefix)
    }

    [Theory]
    [InlineData("AMELIE")]
    [InlineData("amélie")]
    [InlineData("Ame\u0301lie")]
    [InlineData("  amelie!!")]
    public void Diacritics_and_case_do_not_matter(string query)
    {
        var hit = Find(query).Hits.Single();
        Assert.Equal("amelie", hit.TitleId);
        Assert.Equal(MatchKind.Exact, hit.Matches.Single().Kind);
        Assert.Equal(1f, hit.Text, 5);
    }

    [Fact]
    public void Cast_director_and_genre_match_and_say_so()
    {
        var cast = Find("priya nakamura").Hits.Single();
        Assert.Equal("kingdom", cast.TitleId);
        Assert.All(cast.Matches, m => Assert.Equal((SearchField.Cast, "Priya Nakamura"), (m.Field, m.Value)));

        var director = Find("goran varga").Hits.Single();
        Assert.Equal("kingdom", director.TitleId);
        Assert.All(director.Matches, m => Assert.Equal(SearchField.Director, m.Field));

        var diacritics = Find("elodie");
        Assert.Equal(("amelie", SearchField.Cast, "Élodie Dubois"), (diacritics.Hits.Single().TitleId, diacritics.Hits[0].Matches[0].Field, diacritics.Hits[0].Matches[0].Value));

        var genre = Find("comedy ");
        Assert.Equal(["amelie", "laughs"], Ids(genre));
        Assert.All(genre.Hits, h => Assert.Equal(SearchField.Genre, h.Matches.Single().Field));

        // The same word in a name outweighs it in the cast.
        var weber = Find("weber");
        Assert.Equal(["weber", "laughs"], Ids(weber));
        Assert.Equal([SearchField.Name, SearchField.Cast], weber.Hits.Select(h => h.Matches.Single().Field));
        Assert.True(weber.Hits[0].Text > weber.Hits[1].Text);
    }

    [Fact]
    public void Exact_beats_prefix_beats_typo()
    {
        var storm = Find("storm ");
        Assert.Equal(["storm", "stork"], Ids(storm));
        Assert.Equal(MatchKind.Exact, storm.Hits[0].Matches[0].Kind);
        Assert.Equal(MatchKind.Typo, storm.Hits[1].Matches[0].Kind);
        Assert.True(storm.Hits[0].Text > storm.Hits[1].Text);

        // "silent river" typed with the last word unfinished: prefix matches, the whole word above the longer one.
        var typing = Find("silent riv");
        Assert.Equal(["river", "river2"], Ids(typing).Take(2));
        Assert.Contains(typing.Hits[0].Matches, m => m.Kind == MatchKind.Prefix && m.Word == "river");
        var exact = Find("silent river");
        Assert.True(exact.Hits[0].Text > typing.Hits[0].Text);
        // A separator after the last word says it is finished: no prefix.
        Assert.DoesNotContain(Find("the silent riv ").Hits, h => h.Matches.Any(m => m.Kind == MatchKind.Prefix));
    }

    [Fact]
    public void The_whole_name_beats_a_longer_name_that_contains_it()
    {
        Assert.Equal(["river", "river2"], Ids(Find("the silent river")).Take(2));
        Assert.Equal("river2", Find("the silent river 2").Hits[0].TitleId);
    }

    [Fact]
    public void Unavailable_titles_are_never_returned()
    {
        // "riverbank" is not yet available: not even a query naming it exactly, or a member who would love it, brings it back.
        var member = new float[Index.Count];
        member[Index.TitleIds.IndexOf("future")] = 100f;
        var now = Find("the silent riverbank", new SearchRequest { AsOfUtc = Now }, member);
        Assert.DoesNotContain("future", Ids(now));
        Assert.Equal(1, now.FilteredOut);
        var later = Find("the silent riverbank", new SearchRequest { AsOfUtc = Now.AddDays(3) }, member);
        Assert.Equal("future", later.Hits[0].TitleId);

        Span<int> titles = stackalloc int[20];
        Span<float> scores = stackalloc float[20];
        int n = Index.Search("tara", new SearchRequest { AsOfUtc = Now }, member, titles, scores);
        Assert.DoesNotContain(Index.TitleIds.IndexOf("future"), titles[..n].ToArray());
    }

    [Fact]
    public void A_maturity_limit_leaves_out_older_ratings_and_unknown_ones()
    {
        Assert.Equal(["storm", "stork"], Ids(Find("st")));
        Assert.Equal(["stork"], Ids(Find("st", new SearchRequest { AsOfUtc = Now, MaturityLimit = "PG" })));
        Assert.Equal(["river", "river2"], Ids(Find("silent", new SearchRequest { AsOfUtc = Now, MaturityLimit = "13" })));
        Assert.Empty(Find("silent", new SearchRequest { AsOfUtc = Now, MaturityLimit = "PG" }).Hits);
        Assert.Empty(Find("harbor", new SearchRequest { AsOfUtc = Now, MaturityLimit = "NC-17" }).Hits); // no rating: left out under a limit
        Assert.Single(Find("harbor").Hits);
        var bad = Assert.Throws<ArgumentException>(() => Find("storm", new SearchRequest { MaturityLimit = "PG-99" }));
        Assert.Contains("unknown maturity rating 'PG-99'", bad.Message);
    }

    [Fact]
    public void Nothing_to_search_finds_nothing()
    {
        Assert.Empty(Find("").Hits);
        Assert.Empty(Find("?!").Hits);
        Assert.Empty(Find("zzzzzz").Hits);
        Assert.Equal(["zzzzzz"], Find("ZZZZZZ").Tokens);
        var empty = SearchIndex.Build([]);
        Assert.Empty(empty.Search("the silent river", new SearchRequest()).Hits);
        Assert.Equal(0, empty.Words);
    }

    [Fact]
    public void Bad_requests_are_refused_with_the_reason()
    {
        Assert.Contains("result count must be in 1..1000 (got 0)", Assert.Throws<ArgumentException>(() => Find("storm", new SearchRequest { Count = 0 })).Message);
        Assert.Contains("member scores cover 3 titles; the index has 9",
            Assert.Throws<ArgumentException>(() => Find("storm", null, new float[3])).Message);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => SearchIndex.Build([Catalogue[0], Catalogue[0]])).Message);
    }

    [Fact]
    public void Explanations_say_what_matched_in_words()
    {
        var hit = Find("slient riv").Hits[0];
        Assert.Equal(["name \"The Silent River\": typo 'slient' for 'silent' (1 edit)", "name \"The Silent River\": prefix 'riv' of 'river'"],
            hit.Matches.Select(m => m.ToString()));
        Assert.Equal("name \"Storm\": exact 'storm'", Find("storm").Hits[0].Matches.Single().ToString());
    }
}
