using Encore.Core;
using Encore.Evaluation.Ranking;
using Encore.Ingestion.Importers;
using Xunit;

namespace Encore.Evaluation.Tests.Ranking;

public sealed class ChronologicalSplitTests(Ml100kFixture ml100k)
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(4, 0)]
    [InlineData(5, 1)]
    [InlineData(7, 1)]   // 1.4 -> 1
    [InlineData(8, 2)]   // 1.6 -> 2
    [InlineData(12, 2)]  // 2.4 -> 2
    [InlineData(13, 3)]  // 2.6 -> 3
    [InlineData(100, 20)]
    public void Test_count_is_max_one_and_rounded_fifth(int positives, int expected)
        => Assert.Equal(expected, ChronologicalSplit.TestCount(positives));

    [Fact]
    public void Latest_positives_go_to_test_ordered_by_time_then_numeric_title_id()
    {
        // Member a: 6 positives; two share the latest second, so the higher id ("10" > "9" numerically) is last.
        var catalogue = new IdMap(new[] { "1", "2", "3", "9", "10", "11", "12" });
        RatingRecord R(string m, string t, long time) => new(m, t, 5f, time);
        var positives = new List<RatingRecord>
        {
            R("a", "10", 500), R("a", "1", 100), R("a", "2", 200), R("a", "9", 500), R("a", "3", 300), R("a", "11", 50),
            R("b", "1", 1), R("b", "2", 2), R("b", "3", 3), R("b", "9", 4), // 4 positives: all train, not a test member
        };
        var split = ChronologicalSplit.Create(positives, catalogue, TestContext.Current.CancellationToken);
        int a = split.Train.MemberIds.IndexOf("a");
        int b = split.Train.MemberIds.IndexOf("b");
        Assert.Equal([a], split.TestMembers);
        Assert.Equal(["10"], split.Test[a].Select(t => catalogue[t]));
        Assert.Equal(["11", "1", "2", "3", "9"], split.ChronologicalTrain(a).ToArray().Select(t => catalogue[t]));
        Assert.Empty(split.Test[b]);
        Assert.Equal(4, split.Train.RowLength(b));
        Assert.Equal(9, split.TrainPositives);
        Assert.Equal(1, split.TestPositives);
        Assert.Equal(catalogue.Count, split.Train.Columns); // every catalogue title is a column, watched or not
    }

    [Fact]
    public void A_title_rated_twice_keeps_its_latest_rating_only()
    {
        var catalogue = new IdMap(new[] { "1", "2", "3", "4", "5", "6" });
        var positives = new List<RatingRecord>
        {
            new("m", "1", 4, 10), new("m", "2", 4, 20), new("m", "3", 4, 30), new("m", "4", 4, 40), new("m", "5", 4, 50),
            new("m", "6", 4, 60), new("m", "1", 5, 70), // "1" again, latest: it is now the member's last positive
        };
        var split = ChronologicalSplit.Create(positives, catalogue, TestContext.Current.CancellationToken);
        Assert.Equal(5, split.TrainPositives);
        Assert.Equal(["1"], split.Test[0].Select(t => catalogue[t]));
    }

    [Fact]
    public void Unknown_title_is_an_error_that_names_it()
    {
        var e = Assert.Throws<ArgumentException>(() => ChronologicalSplit.Create([new RatingRecord("m", "404", 5, 1)], new IdMap(["1"]), TestContext.Current.CancellationToken));
        Assert.Contains("'404'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ml100k_split_has_the_protocol_sizes()
    {
        Assert.Equal(100_000, ml100k.Data.Ratings);
        Assert.Equal(55_375, ml100k.Data.Positives.Count);
        Assert.Equal(1_682, ml100k.Data.Catalogue.Count);
        var s = ml100k.Split;
        Assert.Equal(44_300, s.TrainPositives);
        Assert.Equal(11_075, s.TestPositives);
        Assert.Equal(938, s.TestUsers);
    }

    [Fact]
    public void Ml100k_validation_is_carved_from_train_only()
    {
        var s = ml100k.Split;
        var v = ml100k.Validation;
        Assert.Equal(35_418, v.TrainPositives);
        Assert.Equal(8_882, v.TestPositives);
        Assert.Equal(934, v.TestUsers);
        Assert.Equal(s.TrainPositives, v.TrainPositives + v.TestPositives);
        // No test positive of the real split appears anywhere in the validation split.
        for (int m = 0; m < s.Train.Rows; m++)
        {
            var test = s.Test[m].ToHashSet();
            Assert.DoesNotContain(v.Train.RowColumns(m).ToArray(), test.Contains);
            Assert.DoesNotContain(v.Test[m], test.Contains);
            // The validation titles are each member's latest train positives.
            var chrono = s.ChronologicalTrain(m).ToArray();
            Assert.Equal(chrono[(chrono.Length - v.Test[m].Length)..], v.Test[m]);
        }
    }
}
