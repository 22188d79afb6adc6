using Encore.Evaluation.Interactions;
using Encore.Ingestion.Importers;
using Encore.TestSupport;
using Xunit;

namespace Encore.Evaluation.Tests.Interactions;

public sealed class InteractionsFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Write(string name, string text)
    {
        var path = _temp.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (string User, string Item, float Weight, long Time)[] Lines(InteractionsFile f)
        => [.. Enumerable.Range(0, f.Count).Select(i => (f.Users[f.UserIndex[i]], f.Items[f.ItemIndex[i]], f.Weights[i], f.Times[i]))];

    [Fact]
    public void A_header_names_the_columns_in_any_order_and_other_columns_are_ignored()
    {
        var f = InteractionsFile.Load(Write("h.csv", "timestamp,Item_ID,extra,userId,rating\n100,i1,x,u1,4.5\n200,i2,y,u2,2\n"), Ct);
        Assert.True(f.Layout.HasHeader);
        Assert.Equal([("u1", "i1", 4.5f, 100L), ("u2", "i2", 2f, 200L)], Lines(f));
        Assert.True(f.HasTimes);
    }

    [Theory]
    [InlineData("u1,i1\nu2,i2\n", false, false)]
    [InlineData("u1,i1,3\nu2,i2,1\n", true, false)]
    [InlineData("u1,i1,3,100\nu2,i2,1,200\n", true, true)]
    [InlineData("u1\ti1\t3\t100\r\nu2\ti2\t1\t200\r\n", true, true)] // tab-separated with CRLF, like MovieLens u.data
    public void Without_a_header_the_columns_are_positional(string text, bool weight, bool timestamp)
    {
        var f = InteractionsFile.Load(Write("p.txt", text), Ct);
        Assert.False(f.Layout.HasHeader);
        Assert.Equal(2, f.Count);
        Assert.Equal(weight, f.Layout.HasWeight);
        Assert.Equal(timestamp, f.Layout.HasTimestamp);
        Assert.Equal(timestamp, f.HasTimes);
        Assert.Equal(("u1", "i1"), (f.Users[f.UserIndex[0]], f.Items[f.ItemIndex[0]]));
        Assert.Equal(weight ? 3f : 1f, f.Weights[0]);
    }

    [Fact]
    public void Quoted_ids_blank_lines_a_byte_order_mark_and_iso_times_are_read()
    {
        var f = InteractionsFile.Load(Write("q.csv", "\uFEFFuser,item,timestamp\n\n\"Smith, J\",\"The \"\"Big\"\" One\",2024-05-01T00:00:10Z\n  \nu2,i2,2024-05-01T02:00:00+02:00\n"), Ct);
        Assert.Equal([("Smith, J", "The \"Big\" One", 1f, 1_714_521_610L), ("u2", "i2", 1f, 1_714_521_600L)], Lines(f));
    }

    [Fact]
    public void A_timestamp_column_with_one_value_on_every_line_orders_nothing()
    {
        // The P-SCALE file of gen_synth.py: weight 1, timestamp 0 on every line.
        var f = InteractionsFile.Load(Write("pscale.csv", "user,item,weight,timestamp\n0,5,1,0\n1,3,1,0\n"), Ct);
        Assert.True(f.Layout.HasTimestamp);
        Assert.False(f.HasTimes);
        Assert.Equal("its timestamp column holds 0 on every line", f.NoTimesReason);
    }

    [Theory]
    [InlineData("user,weight\nu1,1\n", 1, "lacks an item column")]
    [InlineData("item,rating\ni1,1\n", 1, "lacks a user column")]
    [InlineData("justone\n", 1, "has 1 field")]
    [InlineData("u1,i1,1\nu2,i2,lots\n", 2, "weight 'lots' is not a finite number")]
    [InlineData("u1,i1,1,100\nu2,i2,1,yesterday\n", 2, "timestamp 'yesterday' is neither Unix seconds nor ISO 8601")]
    [InlineData("u1,i1,1\nu2,i2\n", 2, "expected 3 fields as on the first line")]
    [InlineData("user,item\nu1,i1\n , i2\n", 3, "the user id is empty")]
    [InlineData("u1,i1,NaN\n", 1, "weight 'NaN' is not a finite number")]
    public void A_bad_line_is_an_error_at_file_and_line(string text, int line, string reason)
    {
        var path = Write("bad.csv", text);
        var e = Assert.Throws<ImportException>(() => InteractionsFile.Load(path, Ct));
        Assert.Equal(path, e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"{path}:{line}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_an_error_at_their_line()
    {
        var path = _temp.File("latin1.csv");
        File.WriteAllBytes(path, [.. "u1,i1\nu2,i2\nu3,caf"u8, 0xE9, .. "\n"u8]);
        var e = Assert.Throws<ImportException>(() => InteractionsFile.Load(path, Ct));
        Assert.Equal(3, e.Line);
        Assert.Contains("UTF-8", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<ImportException>(() => InteractionsFile.Load(_temp.File("nope.csv"), Ct));
        Assert.Contains("nope.csv: no such file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integer_ids_load_straight_into_csr_with_the_ids_as_indices()
    {
        var csr = InteractionsFile.LoadCsr(Write("int.csv", "user,item,weight,timestamp\n2,7,0.5,0\n0,3,1,0\n2,1,2,0\n"), Ct);
        Assert.Equal(3, csr.Rows);
        Assert.Equal(8, csr.Columns);
        Assert.Equal([0, 1, 1, 3], csr.Pointers);
        Assert.Equal([3, 1, 7], csr.Indices);
        Assert.Equal([1f, 2f, 0.5f], csr.Values);
        var e = Assert.Throws<ImportException>(() => InteractionsFile.LoadCsr(Write("str.csv", "u1,i1\n"), Ct));
        Assert.Equal(1, e.Line);
        Assert.Contains("not a non-negative integer", e.Reason, StringComparison.Ordinal);
    }
}
