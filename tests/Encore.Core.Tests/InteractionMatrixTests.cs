using Encore.Core;
using Xunit;

namespace Encore.Core.Tests;

public sealed class InteractionMatrixTests
{
    [Fact]
    public void Builder_sorts_rows_and_merges_repeated_pairs()
    {
        var b = new InteractionMatrixBuilder();
        b.Add("u1", "b", 1f, 3f, 20);
        b.Add("u2", "a", 2f, 5f, 10);
        b.Add("u1", "a", 1f, 4f, 5);
        b.Add("u1", "b", 0.5f, 2f, 30);
        var m = b.Build();

        Assert.Equal(2, m.Rows);
        Assert.Equal(2, m.Columns);
        Assert.Equal(3, m.NonZeros);
        int u1 = m.MemberIds.IndexOf("u1"), a = m.TitleIds.IndexOf("a"), bb = m.TitleIds.IndexOf("b");
        Assert.Equal(new[] { bb, a }.Order().ToArray(), m.RowColumns(u1).ToArray());
        int pos = m.RowColumns(u1).IndexOf(bb);
        Assert.Equal(1.5f, m.RowValues(u1)[pos]);
        Assert.Equal(2f, m.RowRatings(u1)[pos]);   // rating of the latest interaction
        Assert.Equal(30L, m.RowTimestamps(u1)[pos]);
    }

    [Fact]
    public void Transpose_twice_gives_the_same_matrix()
    {
        var b = new InteractionMatrixBuilder();
        var rng = new Random(7);
        for (int i = 0; i < 500; i++) b.Add($"m{rng.Next(40)}", $"t{rng.Next(60)}", rng.Next(1, 5), rng.Next(1, 6), rng.Next(1000));
        var m = b.Build();
        var tt = m.Transpose().Transpose();
        Assert.Equal(m.RowPointers, tt.RowPointers);
        Assert.Equal(m.ColumnIndices, tt.ColumnIndices);
        Assert.Equal(m.Values, tt.Values);
        Assert.Equal(m.Ratings, tt.Ratings);
        Assert.Equal(m.Timestamps, tt.Timestamps);
        Assert.Equal(m.ColumnCounts().Sum(), m.NonZeros);
    }

    [Fact]
    public void Builder_rejects_non_finite_weights()
    {
        var b = new InteractionMatrixBuilder();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => b.Add("u", "t", float.NaN));
        Assert.Contains("weight", ex.Message);
    }
}
