using Xunit;

namespace Encore.Models.Tests;

public sealed class TopNTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 5)]
    [InlineData(1000, 20)]
    [InlineData(1000, 300)]
    [InlineData(50, 80)]
    public void Matches_a_full_sort_with_ties_broken_by_lower_index(int count, int n)
    {
        var rng = new Random(count * 31 + n);
        // Few distinct values, so there are many ties.
        var scores = Enumerable.Range(0, count).Select(_ => (float)rng.Next(0, 20)).ToArray();
        var expected = Enumerable.Range(0, count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(n).ToArray();
        var result = new int[n];
        var resultScores = new float[n];
        int written = TopN.Select(scores, n, result, resultScores);
        Assert.Equal(expected.Length, written);
        Assert.Equal(expected, result.Take(written));
        Assert.Equal(expected.Select(i => scores[i]), resultScores.Take(written));
    }

    [Fact]
    public void Masked_scores_and_filtered_titles_are_never_chosen()
    {
        var scores = new float[] { 5, float.NegativeInfinity, 4, float.NaN, 3, 2, 1 };
        var result = new int[7];
        int written = TopN.Select(scores, 7, result);
        Assert.Equal(new[] { 0, 2, 4, 5, 6 }, result.Take(written));
        var filter = TitleFilter.FromIndices(7, [2, 3, 6]);
        written = TopN.Select(scores, 7, result, allowed: filter);
        Assert.Equal(new[] { 2, 6 }, result.Take(written));
    }

    [Fact]
    public void Zero_n_and_bad_arguments()
    {
        Assert.Equal(0, TopN.Select([1f, 2f], 0, []));
        Assert.Throws<ArgumentException>(() => TopN.Select([1f, 2f], 2, new int[1]));
        Assert.Throws<ArgumentException>(() => TopN.Select([1f, 2f], 1, new int[1], allowed: TitleFilter.FromIndices(3, [0])));
    }

    [Fact]
    public void Title_filter_builds_from_ids_predicates_and_intersections()
    {
        var ids = new Encore.Core.IdMap(["a", "b", "c", "d"]);
        var fromIds = TitleFilter.FromIds(ids, ["b", "d", "zzz"]);
        Assert.Equal(2, fromIds.Count);
        Assert.True(fromIds.Contains(1) && fromIds.Contains(3) && !fromIds.Contains(0));
        var fromPredicate = TitleFilter.FromPredicate(ids, id => id != "d");
        var both = fromIds.Intersect(fromPredicate);
        Assert.Equal(1, both.Count);
        Assert.True(both.Contains(1));
        Assert.False(both.Contains(-1));
        Assert.False(both.Contains(4));
    }
}
