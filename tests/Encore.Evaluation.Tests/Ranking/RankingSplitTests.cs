using Encore.Core;
using Encore.Evaluation.Interactions;
using Encore.Evaluation.Ranking;
using Encore.Evaluation.Reporting;
using Encore.Ingestion.Importers;
using Encore.TestSupport;
using Xunit;

namespace Encore.Evaluation.Tests.Ranking;

public sealed class RankingSplitTests(Ml100kFixture ml100k) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RankingData Interactions(string text)
    {
        var path = _temp.File(Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, text);
        return RankingData.FromInteractions(InteractionsFile.Load(path, Ct));
    }

    private (RankingData Train, string TrainPath, string TestPath) Given(string train, string test)
    {
        var a = _temp.File("train.csv");
        var b = _temp.File("test.csv");
        File.WriteAllText(a, train);
        File.WriteAllText(b, test);
        return (RankingData.FromInteractions(InteractionsFile.Load(a, Ct), InteractionsFile.Load(b, Ct)), a, b);
    }

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
        => Assert.Equal(expected, RankingSplit.TestCount(positives));

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
        var split = RankingSplit.Create(RankingData.FromRatings("t", catalogue.Ids, positives), SplitRule.Chronological, TestContext.Current.CancellationToken);
        catalogue = split.Train.TitleIds;
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
        var split = RankingSplit.Create(RankingData.FromRatings("t", catalogue.Ids, positives), SplitRule.Chronological, TestContext.Current.CancellationToken);
        catalogue = split.Train.TitleIds;
        Assert.Equal(5, split.TrainPositives);
        Assert.Equal(["1"], split.Test[0].Select(t => catalogue[t]));
    }

    [Fact]
    public void Ml100k_split_has_the_protocol_sizes()
    {
        Assert.Equal(100_000, ml100k.Data.Records);
        Assert.Equal(55_375, ml100k.Data.PositiveCount);
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

    [Fact]
    public void Random_split_follows_the_protocol_rule_exactly()
    {
        // Members "10" (7 items), "9" (5 items) and "8" (3 items: too few, stays in train), no timestamps.
        var lines = new List<string>();
        foreach (var i in new[] { "g", "c", "a", "f", "b", "e", "d" }) lines.Add("10," + i);
        foreach (var i in new[] { "e", "a", "d", "c", "b" }) lines.Add("9," + i);
        foreach (var i in new[] { "a", "b", "c" }) lines.Add("8," + i);
        var data = Interactions(string.Join("\n", lines) + "\n");
        const ulong seed = 7;
        var split = RankingSplit.Create(data, SplitRule.Random(seed), Ct);

        // PROTOCOLS.md P-TOPN-R: members in id order (8, 9, 10); each member with >= 5 positives sorts its items by id,
        // shuffles them (Fisher-Yates from the last position, j = floor(u (i + 1)), u from one xoshiro256** seeded with
        // the seed), and the first max(1, round(0.2 n)) go to test. Member 8 draws nothing.
        var rng = new Xoshiro256StarStar(seed);
        var expected = new Dictionary<string, string[]>();
        foreach (var (member, items) in new[] { ("9", new[] { "a", "b", "c", "d", "e" }), ("10", new[] { "a", "b", "c", "d", "e", "f", "g" }) })
        {
            var order = items.ToArray();
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = (int)(rng.NextDouble() * (i + 1));
                (order[i], order[j]) = (order[j], order[i]);
            }
            expected[member] = [.. order.Take(RankingSplit.TestCount(order.Length)).Order(StringComparer.Ordinal)];
        }
        var titles = split.Train.TitleIds;
        Assert.Equal(["8", "9", "10"], split.Train.MemberIds.Ids);
        Assert.Equal([1, 2], split.TestMembers);
        Assert.Empty(split.Test[0]);
        Assert.Equal(expected["9"], split.Test[1].Select(t => titles[t]));
        Assert.Equal(expected["10"], split.Test[2].Select(t => titles[t]));
        Assert.Equal(SplitKind.Random, split.Rule.Kind);
        Assert.Equal(seed, split.Rule.Seed);
        Assert.False(split.HasTimes);
        Assert.Null(split.Train.Timestamps);
        // Train and test partition each member's positives.
        for (int m = 0; m < 3; m++)
        {
            var train = split.Train.RowColumns(m).ToArray();
            Assert.Empty(train.Intersect(split.Test[m]));
            Assert.Equal(data.Positives.ToArray().Count(p => p.Member == m), train.Length + split.Test[m].Length);
        }
    }

    [Fact]
    public void Random_split_is_the_same_for_a_seed_and_moves_with_it()
    {
        var text = string.Concat(Enumerable.Range(0, 40).SelectMany(u => Enumerable.Range(0, 10 + u % 7).Select(i => $"u{u},i{(u * 7 + i * 3) % 50}\n")));
        var data = Interactions(text);
        var a = RankingSplit.Create(data, SplitRule.Random(3), Ct);
        var b = RankingSplit.Create(data, SplitRule.Random(3), Ct);
        var c = RankingSplit.Create(data, SplitRule.Random(4), Ct);
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Test, c.Test);
        Assert.Equal(a.TestPositives, c.TestPositives); // the counts are the rule's, not the draw's
        Assert.Equal(40, a.TestUsers);
    }

    [Fact]
    public void Interactions_with_timestamps_split_in_time_and_without_them_p_topn_asks_for_p_topn_r()
    {
        var timed = Interactions("user,item,timestamp\nu,a,50\nu,b,10\nu,c,40\nu,d,20\nu,e,30\n");
        var split = RankingSplit.Create(timed, SplitRule.Chronological, Ct);
        Assert.Equal(["a"], split.Test[0].Select(t => split.Train.TitleIds[t]));
        Assert.Equal(["b", "d", "e", "c"], split.ChronologicalTrain(0).ToArray().Select(t => split.Train.TitleIds[t]));

        var untimed = Interactions("u,a\nu,b\nu,c\nu,d\nu,e\n");
        var e = Assert.Throws<ArgumentException>(() => RankingSplit.Create(untimed, SplitRule.Chronological, Ct));
        Assert.Contains("has no timestamps (it has no timestamp column)", e.Message, StringComparison.Ordinal);
        Assert.Contains("--protocol p-topn-r", e.Message, StringComparison.Ordinal);
        var random = RankingSplit.Create(untimed, SplitRule.Random(), Ct);
        Assert.Contains("P-NEXT needs timestamps", Assert.Throws<ArgumentException>(() => NextTitleProtocol.RequireTimes(random)).Message, StringComparison.Ordinal);
        Assert.Contains("p-topn-r", Assert.Throws<ArgumentException>(() => ProtocolRunner.Run("p-next", untimed, "popularity", new Dictionary<string, string>(), ct: Ct)).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_split_made_elsewhere_is_scored_on_the_very_same_pairs_with_figures_computed_by_hand()
    {
        // Train popularity: a 3, b 2, c 1, d 1, e 0 (e only in test). u2's test title a is also a train title: it can never be
        // ranked (train positives are excluded), so it counts against u2's recall. u5 has no train positive at all.
        var (data, _, _) = Given("user,item\nu1,a\nu1,b\nu2,a\nu2,c\nu3,a\nu3,b\nu4,d\n", "u1,c\nu1,e\nu2,b\nu2,a\nu4,a\nu5,a\n");
        Assert.True(data.IsGivenSplit);
        var split = RankingSplit.Create(data, SplitRule.Given, Ct);
        Assert.Equal((7, 6, 4), (split.TrainPositives, split.TestPositives, split.TestUsers));
        Assert.Throws<ArgumentException>(() => RankingSplit.Create(data, SplitRule.Random(), Ct));

        var report = ProtocolRunner.Run("p-topn-r", data, "popularity", new Dictionary<string, string>(), ct: Ct);
        // u1: list c d e (a, b excluded), hits c@1 e@3: recall 2/2, NDCG (1 + 1/log2 4) / (1 + 1/log2 3).
        // u2: list b d e, hit b@1 of {b, a}: recall 1/2, NDCG 1 / (1 + 1/log2 3). u4: a@1; u5: a@1: 1 and 1.
        double idcg2 = 1 + 1 / Math.Log2(3);
        double recall = (1 + 0.5 + 1 + 1) / 4;
        double ndcg = ((1 + 0.5) / idcg2 + 1 / idcg2 + 1 + 1) / 4;
        Assert.Equal("p-topn-r", report.Protocol);
        Assert.Equal(SplitKind.Given, report.Split.Rule!.Kind);
        Assert.Equal(recall, report.Metrics.Single(m => m.Name == "recall@20").Value, 12);
        Assert.Equal(ndcg, report.Metrics.Single(m => m.Name == "ndcg@20").Value, 12);
        Assert.Equal(1.0, report.Metrics.Single(m => m.Name == "coverage@20").Value, 12); // every title appears in some list
    }

    [Fact]
    public void A_validation_carved_from_a_matrix_keeps_negative_evidence_in_train()
    {
        var members = new IdMap(["m"]);
        var titles = new IdMap(["1", "2", "3", "4", "5", "6", "7"]);
        var builder = new InteractionMatrixBuilder(members, titles);
        for (int t = 0; t < 6; t++) builder.Add(0, t, 1f, null, 100 + t);
        builder.Add(0, 6, -1f, null, 999); // negative evidence, the latest event: never a validation title
        var v = RankingSplit.Carve(builder.Build(), ct: Ct);
        Assert.Equal(SplitKind.Chronological, v.Rule.Kind);
        Assert.Equal([5], v.Test[0]); // the latest positive
        Assert.Equal([0, 1, 2, 3, 4, 6], v.Train.RowColumns(0).ToArray());
        Assert.Equal(5, v.TrainPositives);
    }
}
